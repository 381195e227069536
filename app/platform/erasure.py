"""Erasing one person's data on request ("Poista henkilön tiedot", `flask erase EMAIL`).

One function finds what the portal holds about an address and one removes or
anonymises it; the staff page and the CLI call them.  What happens to each kind:

- contact requests they sent, or sent for a client as the professional: personal
  fields blanked, as the retention does (the organisation and the dates stay for
  the monthly counts);
- error reports they left an address on: the address blanked, the report stays;
- their requests to join an organisation ("Tämä on meidän"): deleted;
- workshop orders they made: contact person, e-mail, phone and free text
  blanked and the status link revoked; the order itself stays for the centre's
  records (feedback surveys and answers are anonymous and are not touched);
- their event sign-ups: name, e-mail, phone and needs blanked and the private
  link ended; a place in an event still to come goes to the waiting list; the
  organisation and status stay for the event's counts;
- outbox messages to them, or whose body mentions the address (a contact
  request mailed to an organisation): deleted, sent or not;
- their sessions, sign-in links and drafts of the organisation form: deleted;
- their contact rows on organisations: deleted.  An organisation whose last
  contact this was is named in the report: nobody can then edit the entry
  until staff add a new contact, which the report tells staff to do;
- revisions they authored: the author becomes a pseudonym; the address in any
  revision's record (a contact of the organisation then) or audit event's
  detail (a merge's record, a contact moved) is replaced by the same pseudonym,
  so the history still shows that a contact was added or removed, not who.

A staff account is not removed here (`flask staff deactivate`); the audit trail
keeps staff actions.  The audit event of an erasure names the person only by a
keyed hash (HMAC with the secret key), so the log does not re-identify them.
"""
import hashlib
import hmac
import re
import secrets
from dataclasses import asdict, dataclass, field

from flask import current_app
from sqlalchemy import Text, cast, delete, func, or_, select, update
from sqlalchemy.orm import aliased

from app.contact.requests import ERASED_FIELDS
from app.events.signups import anonymise_signups
from app.extensions import db
from app.models import (
    AccessClaim,
    AuditEvent,
    ContactRequest,
    ErrorReport,
    EventSignup,
    LoginToken,
    Organisation,
    OrganisationContact,
    OrganisationDraft,
    OutboxMessage,
    Revision,
    StaffUser,
    UserSession,
    WorkshopOrder,
    utcnow,
)
from app.platform.audit import record_audit
from app.platform.tokens import hash_token

ERASED_ORDER_FIELDS = {
    "contact_person": "", "email": "", "phone": "", "own_proposal": "", "goal": "",
    "accessibility_needs": "", "other_info": "",
}


@dataclass
class ErasureReport:
    """What was found (before) or done (after) for one address: counts and organisation names only."""

    contact_requests: int = 0
    error_reports: int = 0
    access_claims: int = 0
    workshop_orders: int = 0
    event_signups: int = 0
    outbox_messages: int = 0
    sessions: int = 0
    login_tokens: int = 0
    organisation_drafts: int = 0
    organisation_contacts: int = 0
    revisions: int = 0
    audit_events: int = 0
    organisations_left_without_contact: list[str] = field(default_factory=list)
    staff_account: bool = False

    @property
    def is_empty(self) -> bool:
        return not any(value for key, value in asdict(self).items() if key != "staff_account")


def subject_hash(email: str) -> str:
    """The address as the audit trail names it: keyed, so it cannot be guessed back from the log."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, email.encode(), hashlib.sha256).hexdigest()[:16]


def pseudonym(email: str) -> str:
    """What the history says instead of an erased address: the same for every mention of it."""
    return f"poistettu-{subject_hash(email)[:8]}"


def find_personal_data(email: str) -> ErasureReport:
    """What erase_person(email) would remove; `email` already normalised."""
    def count(model, *conditions) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0

    return ErasureReport(
        contact_requests=count(ContactRequest, _their_contact_requests(email), ContactRequest.erased_at.is_(None)),
        error_reports=count(ErrorReport, _same(ErrorReport.email, email)),
        access_claims=count(AccessClaim, _same(AccessClaim.email, email)),
        workshop_orders=count(WorkshopOrder, _same(WorkshopOrder.email, email), WorkshopOrder.email != ""),
        event_signups=count(EventSignup, _same(EventSignup.email, email)),
        outbox_messages=len(_outbox_about(email)),
        sessions=count(UserSession, _same(UserSession.email, email)),
        login_tokens=count(LoginToken, _same(LoginToken.email, email)),
        organisation_drafts=count(OrganisationDraft, _same(OrganisationDraft.email, email)),
        organisation_contacts=count(OrganisationContact, _same(OrganisationContact.email, email)),
        revisions=len(_revisions_about(email)),
        audit_events=len(_mentioning(AuditEvent, AuditEvent.detail, email)),
        organisations_left_without_contact=_organisations_losing_last_contact(email),
        staff_account=count(StaffUser, _same(StaffUser.email, email)) > 0,
    )


def erase_person(email: str, actor: str) -> ErasureReport:
    """Remove or anonymise everything about `email` (normalised) and audit it; flush, no commit."""
    report = find_personal_data(email)
    now = utcnow()
    db.session.execute(
        update(ContactRequest)
        .where(_their_contact_requests(email), ContactRequest.erased_at.is_(None))
        .values(**ERASED_FIELDS, erased_at=now)
    )
    db.session.execute(update(ErrorReport).where(_same(ErrorReport.email, email)).values(email=""))
    db.session.execute(delete(AccessClaim).where(_same(AccessClaim.email, email)))
    anonymise_workshop_orders(_same(WorkshopOrder.email, email))
    anonymise_signups(_same(EventSignup.email, email), now=now)
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(_outbox_about(email))))
    db.session.execute(delete(UserSession).where(_same(UserSession.email, email)))
    db.session.execute(delete(LoginToken).where(_same(LoginToken.email, email)))
    db.session.execute(delete(OrganisationDraft).where(_same(OrganisationDraft.email, email)))
    db.session.execute(delete(OrganisationContact).where(_same(OrganisationContact.email, email)))
    for revision in _revisions_about(email):
        if revision.author.lower() == email:
            revision.author = pseudonym(email)
        revision.snapshot = _without_address(revision.snapshot, email)
    for event in _mentioning(AuditEvent, AuditEvent.detail, email):
        event.detail = _without_address(event.detail, email)
    record_audit(actor, "erase", subject=subject_hash(email), **asdict(report))
    db.session.flush()
    return report


def anonymise_workshop_orders(*conditions) -> int:
    """Blank the personal fields of the orders that match and revoke their status links; flush, no commit."""
    orders = list(db.session.scalars(select(WorkshopOrder).where(WorkshopOrder.email != "", *conditions)))
    for order in orders:
        for name, value in ERASED_ORDER_FIELDS.items():
            setattr(order, name, value)
        # The private status link stops working: it would show what is left of the order.
        order.status_token_hash = hash_token(secrets.token_urlsafe(32))
    db.session.flush()
    return len(orders)


def _revisions_about(email: str) -> list[Revision]:
    authored = db.session.scalars(select(Revision).where(_same(Revision.author, email)))
    return list({revision.id: revision for revision in [*authored, *_mentioning(Revision, Revision.snapshot, email)]}
                .values())


def _mentioning(model, json_column, email: str) -> list:
    """The rows whose JSON mentions the address anywhere (LIKE finds candidates, _address_in decides)."""
    if not email.isascii():
        # JSON text escapes other letters (\u00e4), so no LIKE finds them: every row is read instead.
        rows = db.session.scalars(select(model))
    else:
        text = func.lower(cast(json_column, Text))
        rows = db.session.scalars(select(model).where(text.like(_containing(email), escape="\\")))
    return [row for row in rows if _without_address(getattr(row, json_column.key), email) != getattr(row, json_column.key)]


def _without_address(value, email: str):
    """`value` (a JSON record) with every mention of the address replaced by its pseudonym."""
    address, replacement = _address_in(email), pseudonym(email)  # once, not per string of the record

    def scrub(item):
        if isinstance(item, str):
            return address.sub(replacement, item)
        if isinstance(item, list):
            return [scrub(part) for part in item]
        if isinstance(item, dict):
            if str(item.get("email", "")).lower() == email:
                # A contact's record: their name and phone go with the address.
                item = {**item, **{key: "" for key in ("name", "phone") if key in item}}
            return {key: scrub(part) for key, part in item.items()}
        return item

    return scrub(value)


def _same(column, email: str):
    return func.lower(column) == email.lower()


def _their_contact_requests(email: str):
    return or_(_same(ContactRequest.email, email), _same(ContactRequest.professional_email, email))


def _outbox_about(email: str) -> list[int]:
    """The ids of the messages to the address or whose body names it (templates print it as given)."""
    candidates = db.session.execute(select(OutboxMessage.id, OutboxMessage.to, OutboxMessage.text_body,
                                           OutboxMessage.html_body).where(or_(
        _same(OutboxMessage.to, email),
        OutboxMessage.text_body.ilike(_containing(email), escape="\\"),
        OutboxMessage.html_body.ilike(_containing(email), escape="\\"),
    )))
    address = _address_in(email)
    return [row.id for row in candidates
            if row.to.lower() == email or address.search(row.text_body) or address.search(row.html_body)]


def _address_in(email: str) -> re.Pattern:
    """The address as a whole in a text: erasing anna@x.fi must not touch hanna@x.fi or anna@x.fi.example."""
    return re.compile(rf"(?<![\w.!#$%&'*+/=?^`{{|}}~-]){re.escape(email)}(?![\w-]|\.[\w-])", re.IGNORECASE)


def _containing(email: str) -> str:
    """A LIKE pattern of any text with the address in it."""
    return "%" + email.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _organisations_losing_last_contact(email: str) -> list[str]:
    other = aliased(OrganisationContact)
    others = select(other.id).where(other.organisation_id == Organisation.id, ~_same(other.email, email)).exists()
    return list(db.session.scalars(
        select(Organisation.name)
        .join(OrganisationContact, OrganisationContact.organisation_id == Organisation.id)
        .where(_same(OrganisationContact.email, email), ~others)
        .order_by(Organisation.name)
    ))
