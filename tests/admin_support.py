"""Helpers of the staff-administration tests: staff accounts and signed-in clients."""
from app.admin.staff import add_staff
from app.extensions import db
from app.models import OrganisationContact
from app.platform.tokens import issue_link_token

STAFF_EMAIL = "yllapito@keskus.example"
CONTACT_EMAIL = "sihteeri@yhdistys.example"


def make_staff(email: str = STAFF_EMAIL, name: str = "Ylläpitäjä"):
    staff = add_staff(email, name)
    db.session.commit()
    return staff


def sign_in_staff(client, email: str = STAFF_EMAIL):
    """Sign `client` in through the real link flow, the token issued here instead of mailed."""
    token = issue_link_token(email, "staff_sign_in")
    db.session.commit()
    response = client.post(f"/yllapito/kirjaudu/{token}")
    assert response.status_code == 303, response.text
    return response


def sign_in_contact(client, email: str = CONTACT_EMAIL):
    token = issue_link_token(email, "sign_in")
    db.session.commit()
    response = client.post(f"/jarjestoille/kirjaudu/{token}")
    assert response.status_code == 303
    return response


def add_contacts(organisation, *emails: str) -> None:
    for email in emails:
        db.session.add(OrganisationContact(organisation_id=organisation.id, email=email))
    db.session.commit()
