"""The people who may edit an entry: who they are, and telling them when they are added or removed.

Contacts are never published: no public page, API or open-data export names them.
"""
from dataclasses import dataclass

from app.models import Organisation, OrganisationContact
from app.platform.i18n import in_language
from app.platform.outbox import queue_mail
from app.platform.tokens import link_url
from app.platform.validation import email_key, format_phone_fi


@dataclass(frozen=True)
class ContactPerson:
    """One contact as a save writes it: the address (lower-cased) and what is known of the person."""

    email: str
    name: str = ""
    role: str = ""
    phone: str = ""  # E.164 or empty

    @property
    def details(self) -> tuple[str, str, str]:
        return self.name, self.role, self.phone


def add_sender(people: list[ContactPerson], email: str) -> None:
    """A contact who sends a new organisation is one of its contacts, first if they left
    themselves out: it waits for approval in their "Omat järjestöt", where only contacts
    reach it.  The preview applies this too, so it names everyone sending will let edit."""
    if email not in {person.email for person in people}:
        people.insert(0, ContactPerson(email))


def contact_people(organisation: Organisation) -> list[ContactPerson]:
    """The organisation's contacts, ordered by address."""
    return sorted(
        (ContactPerson(c.email, c.name or "", c.role or "", c.phone or "") for c in organisation.contacts),
        key=lambda person: person.email,
    )


def contact_record(person: ContactPerson) -> dict:
    """A contact in the record format of imports, exports and revisions."""
    return {"email": person.email, "name": person.name, "role": person.role, "phone": person.phone}


def contact_text(item: dict | str) -> str:
    """A contact of a record as one line for staff: "Maija Meikäläinen (sihteeri) <maija@…>, 040 …".

    A revision written before contacts had names holds the address alone.
    """
    if isinstance(item, str):
        return item
    name = " ".join(part for part in (item.get("name"), f"({item['role']})" if item.get("role") else "") if part)
    text = f"{name} <{item['email']}>" if name else item["email"]
    return f"{text}, {format_phone_fi(item['phone'])}" if item.get("phone") else text


def apply_contacts(organisation: Organisation, people: list[ContactPerson]) -> tuple[list[str], list[str]]:
    """Make the organisation's contacts `people`; returns the addresses (added, removed).

    A row whose address stays is kept and updated: deleting and re-inserting the
    same address in one flush would trip the unique constraint (inserts run first).
    """
    wanted = {person.email: person for person in people}
    removed = [row.email for row in organisation.contacts if row.email not in wanted]
    for row in [row for row in organisation.contacts if row.email not in wanted]:
        organisation.contacts.remove(row)
    present = {row.email: row for row in organisation.contacts}
    added = []
    for email, person in wanted.items():
        row = present.get(email)
        if row is None:
            organisation.contacts.append(
                OrganisationContact(email=email, name=person.name, role=person.role, phone=person.phone)
            )
            added.append(email)
        elif (row.name, row.role, row.phone) != person.details:
            row.name, row.role, row.phone = person.details
    return added, removed


# An entry in these states has not been looked at by staff (app/directory/moderation.py).
UNAPPROVED = ("pending", "rejected")


def announce_contact_changes(organisation: Organisation, added: list[str], removed: list[str], author: str) -> None:
    """A welcome to each added contact and a notice to each removed one, in the organisation's language.

    The author is left out: they made the change and the page told them.  Queued
    in the caller's transaction (flush, no commit), so mail exists only if the save does.

    Nothing while the entry waits for staff (pending, or rejected and being corrected):
    anyone can sign in and add an organisation, its name and its contacts' names typed
    by them, so a welcome sent then would carry a stranger's words from the portal's
    address to any inbox.  Staff's approval mails every contact (moderation.approve).
    """
    if organisation.status in UNAPPROVED:
        return
    author_key = email_key(author)
    names = {row.email: row.name for row in organisation.contacts}
    with in_language(organisation.language):
        sign_in_url = link_url("accounts.request_link")
        for email in added:
            if email != author_key:
                queue_mail(email, "contact_added", organisation_name=organisation.name, person_name=names.get(email, ""),
                           sign_in_url=sign_in_url)
        for email in removed:
            if email != author_key:
                queue_mail(email, "contact_removed", organisation_name=organisation.name)
