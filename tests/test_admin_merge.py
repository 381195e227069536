"""Merging a duplicate entry into the one that stays (app/directory/merging.py)."""
import re

from tests.admin_support import make_staff, sign_in_staff

from app.extensions import db as _db
from app.models import Organisation


def merge_path(kept: Organisation, duplicate: Organisation) -> str:
    return f"/yllapito/jarjestot/{kept.id}/yhdista/{duplicate.id}"


def test_the_merge_page_reached_again_calls_the_merged_duplicate_deleted(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    kept = make_organisation("Säilyvä ry")
    duplicate = make_organisation("Säilyvä ry.", status="pending")
    page = client.get(merge_path(kept, duplicate)).text
    assert re.search(r"Säilyvä ry\. – odottaa hyväksyntää</dd>", page)
    assert client.post(merge_path(kept, duplicate)).status_code == 303

    # The browser's Back: the page no longer calls the duplicate hidden.
    page = client.get(merge_path(kept, duplicate)).text
    assert re.search(r"Säilyvä ry\. – poistettu</dd>", page) and "piilotettu</dd>" not in page
    assert _db.session.get(Organisation, duplicate.id).deleted_at is not None
