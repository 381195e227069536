"""Claims are limited like the other public forms, on the production storage (database://):
only sent requests count, and a refused one comes back with what was typed."""
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AccessClaim
from app.platform.ratelimit import SUBMISSIONS_PER_SESSION
from tests.clients import once
from tests.test_self_service import sign_in_as

PER_SESSION = int(SUBMISSIONS_PER_SESSION.split()[0])


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "database://"}


def test_the_session_limit_counts_sent_claims_and_keeps_the_message(client, make_organisation):
    ids = [make_organisation(f"Yhdistys numero {index}").id for index in range(PER_SESSION + 1)]
    sign_in_as(client, "uusi@example.fi")
    db.session.remove()
    invalid = client.post(f"/jarjestoille/omat/liity/{ids[0]}", data=once(message="x" * 1001))
    assert invalid.status_code == 422
    for organisation_id in ids[:PER_SESSION]:
        db.session.remove()
        answer = client.post(f"/jarjestoille/omat/liity/{organisation_id}", data=once(message="Sihteeri"))
        assert answer.status_code == 303
    db.session.remove()
    refused = client.post(f"/jarjestoille/omat/liity/{ids[-1]}", data=once(message="Olen sihteeri"))
    assert refused.status_code == 429
    assert "Odota" in refused.text and "Olen sihteeri" in refused.text
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(AccessClaim)) == PER_SESSION
