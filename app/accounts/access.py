"""Who may edit what: checked against organisation_contact on every request,
so removing an address ends that person's access at once.  An organisation
staff deleted is out of reach for its contacts too (until the deletion is undone)."""
from sqlalchemy import select

from app.extensions import db
from app.models import Organisation, OrganisationContact
from app.platform.validation import email_key


def organisations_of_contact(email: str) -> list[Organisation]:
    """Every organisation the address is a contact of, pending ones included, A–Z."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(OrganisationContact)
            .where(OrganisationContact.email == email_key(email), Organisation.deleted_at.is_(None))
            .order_by(Organisation.sort_name)
        )
    )


def contact_can_edit(email: str, organisation_id: int) -> bool:
    found = db.session.scalar(
        select(OrganisationContact.id)
        .join(Organisation)
        .where(
            OrganisationContact.organisation_id == organisation_id,
            OrganisationContact.email == email_key(email),
            Organisation.deleted_at.is_(None),
        )
    )
    return found is not None
