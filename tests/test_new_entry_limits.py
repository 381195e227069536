"""Anyone can sign in and add an organisation, and each new entry mails every staff member:
an address adds at most NEW_ENTRIES_PER_DAY a day, by the one-page form or the steps."""
import pytest
from sqlalchemy import delete, func, select
from tests.test_self_service import STAFF, changed, form_data, sign_in_as, two_people
from tests.test_stepped_form import FORM, STEP, fill_new_organisation

from app.accounts.services import NEW_ENTRIES_PER_DAY
from app.extensions import db
from app.models import Organisation, OrganisationContact

NEWCOMER = "kuka-tahansa@example.fi"
REFUSED = f"Olet lisännyt vuorokauden aikana jo {NEW_ENTRIES_PER_DAY} järjestöä"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "STAFF_NOTIFY_EMAIL": STAFF}


def add(client, name: str):
    """One entry by the one-page form; the names are alike, so past the duplicates' check."""
    page = form_data(client.get("/jarjestoille/omat/uusi"))
    return client.post("/jarjestoille/omat/uusi", data=changed(page, name=name, eri_jarjesto="1"))


def test_an_address_adds_a_days_worth_of_entries_then_keeps_what_it_typed(client, mailbox, taxonomy):
    sign_in_as(client, NEWCOMER)
    for number in range(NEW_ENTRIES_PER_DAY):
        assert add(client, f"Kerho numero {number}").status_code == 303
    # Taking oneself off an entry's contacts frees no place: the entry's first revision names its author.
    first = db.session.scalar(select(Organisation.id).filter_by(name="Kerho numero 0"))
    db.session.execute(delete(OrganisationContact).where(OrganisationContact.organisation_id == first))
    db.session.commit()
    refused = add(client, "Yksi kerho liikaa")
    assert refused.status_code == 429
    assert REFUSED in refused.text and 'value="Yksi kerho liikaa"' in refused.text
    preview = fill_new_organisation(client, name="Vielä yksi kerho")
    by_steps = client.post(STEP.format("esikatselu"), data=form_data(preview, css_class=FORM))
    assert by_steps.status_code == 429 and REFUSED in by_steps.text
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == NEW_ENTRIES_PER_DAY
    notices = [m for m in mailbox.messages if m["To"] == STAFF]
    assert len(notices) == NEW_ENTRIES_PER_DAY


def test_the_limit_is_each_addresss_own(app, taxonomy):
    client, other = two_people(app)
    sign_in_as(client, NEWCOMER)
    for number in range(NEW_ENTRIES_PER_DAY):
        assert add(client, f"Kerho numero {number}").status_code == 303
    sign_in_as(other, "toinen@example.fi")
    assert add(other, "Toisen kerho").status_code == 303


def test_only_the_entries_an_address_began_count(make_organisation):
    # A later version of someone else's entry is an edit, not an entry added; an entry the
    # address began counts however many times it was edited since.
    from app.accounts.services import entries_added_today
    from app.models import Revision

    others, own = make_organisation("Toisen kerho"), make_organisation("Oma kerho")
    db.session.add_all([
        Revision(organisation_id=others.id, author="toinen@example.fi", snapshot={}),
        Revision(organisation_id=own.id, author=NEWCOMER, snapshot={}),
    ])
    db.session.flush()
    db.session.add_all([
        Revision(organisation_id=others.id, author=NEWCOMER, snapshot={}),
        Revision(organisation_id=own.id, author=NEWCOMER, snapshot={}),
    ])
    db.session.commit()

    assert entries_added_today(NEWCOMER) == 1
    assert entries_added_today("toinen@example.fi") == 1
