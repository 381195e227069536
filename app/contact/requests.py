"""Contact requests: a person asks one or more organisations to contact them.

Each organisation gets its own e-mail through the outbox, with a one-time
"Olemme olleet yhteydessä" link.  Personal fields are erased after the
retention period; the rows stay so the monthly counts do not change.
"""
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.extensions import db
from app.models import LoginToken, Organisation, utcnow
from app.models.contact import ContactRequest
from app.config import DEFAULT_LANGUAGE
from app.platform.i18n import in_language
from app.platform.outbox import queue_mail
from app.platform.submissions import REPEAT_WINDOW
from app.platform.tokens import consume_token, hash_token, issue_link_token, link_url, peek_token

HANDLED_PURPOSE = "contact_handled"
BATCH_BYTES = 8
BATCH_PATTERN = re.compile(f"[0-9a-f]{{{2 * BATCH_BYTES}}}")


@dataclass
class ContactDetails:
    """What the person typed; already validated by the form."""

    name: str
    phone: str = ""
    email: str = ""
    preferred_channel: str = "puhelin"
    preferred_time: str = ""
    message: str = ""
    on_behalf_of_client: bool = False
    professional_name: str = ""
    professional_org: str = ""
    # The portal language the person used: their copy is in it, and the organisation is told it.
    language: str = DEFAULT_LANGUAGE
    professional_phone: str = ""
    professional_email: str = ""
    # The professional states that the client agreed; recorded with their name and the time.
    client_consent: bool = False


@dataclass
class SendOutcome:
    batch: str
    sent_to: list[Organisation]
    # Asked for, but no longer published when the request was sent.
    unavailable_ids: list[int]
    # The same request had been sent a moment earlier: nothing new was sent (`batch` is that one).
    repeated: bool = False


def recipients(organisation: Organisation) -> list[str]:
    """The organisation's public e-mail, or the addresses of its contacts when it has none."""
    if organisation.email:
        return [organisation.email]
    return [contact.email for contact in organisation.contacts]


def send_contact_request(
    details: ContactDetails, organisation_ids: list[int], *, now: datetime | None = None
) -> SendOutcome:
    """Store one request per published organisation and queue their mail; flush, no commit."""
    now = now or utcnow()
    batch = secrets.token_hex(BATCH_BYTES)
    organisations = {
        o.id: o
        for o in db.session.scalars(
            select(Organisation).where(Organisation.id.in_(organisation_ids), Organisation.status == "published")
        )
    }
    # An organisation nobody can read mail for is reported, not silently skipped.
    sent_to = [organisations[i] for i in organisation_ids if i in organisations and recipients(organisations[i])]
    reached = {o.id for o in sent_to}
    unavailable = [i for i in organisation_ids if i not in reached]
    if sent_to and (earlier := _same_request_sent(details, reached, now)) is not None:
        return SendOutcome(earlier, sent_to, unavailable, repeated=True)
    for organisation in sent_to:
        _send_to_organisation(details, organisation, batch, now)
    if details.email and sent_to:
        with in_language(details.language):
            queue_mail(details.email, "contact_request_copy", details=details, organisations=sent_to)
    return SendOutcome(batch, sent_to, unavailable)


def _same_request_sent(details: ContactDetails, organisation_ids: set[int], now: datetime) -> str | None:
    """The batch of the same person's same message to exactly these organisations within REPEAT_WINDOW."""
    rows = db.session.execute(
        select(ContactRequest.batch, ContactRequest.organisation_id).where(
            ContactRequest.created_at >= now - REPEAT_WINDOW,
            ContactRequest.organisation_id.in_(organisation_ids),
            ContactRequest.requester_name == details.name,
            ContactRequest.phone == details.phone,
            ContactRequest.email == details.email,
            ContactRequest.message == details.message,
        ).order_by(ContactRequest.id.desc())
    ).all()
    batches: dict[str, set[int]] = {}
    for batch, organisation_id in rows:
        batches.setdefault(batch, set()).add(organisation_id)
    return next((batch for batch, ids in batches.items() if ids == organisation_ids), None)


def _send_to_organisation(details: ContactDetails, organisation: Organisation, batch: str, now: datetime) -> None:
    addresses = recipients(organisation)
    raw = issue_link_token(addresses[0], HANDLED_PURPOSE, organisation.id, now=now)
    token_id = db.session.scalar(select(LoginToken.id).where(LoginToken.token_hash == hash_token(raw)))
    request = ContactRequest(
        batch=batch,
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        requester_name=details.name,
        phone=details.phone,
        email=details.email,
        preferred_channel=details.preferred_channel,
        preferred_time=details.preferred_time,
        message=details.message,
        on_behalf_of_client=details.on_behalf_of_client,
        professional_name=details.professional_name,
        professional_org=details.professional_org,
        language=details.language,
        professional_phone=details.professional_phone,
        professional_email=details.professional_email,
        client_consent_by=details.professional_name if details.client_consent else "",
        client_consent_at=now if details.client_consent else None,
        consent_at=now,
        created_at=now,
        handled_token_id=token_id,
    )
    db.session.add(request)
    with in_language(organisation.language):
        handled_url = link_url("contact.contact_handled", token=raw)
        for address in addresses:
            queue_mail(
                address, "contact_request", details=details, organisation=organisation, handled_url=handled_url
            )


def organisations_in_batch(batch: str) -> list[str]:
    """The names of the organisations one submission went to, in the order sent."""
    if not BATCH_PATTERN.fullmatch(batch):
        # Not a batch send_contact_request could have made (PostgreSQL would refuse a NUL in it).
        return []
    return list(
        db.session.scalars(
            select(ContactRequest.organisation_name).where(ContactRequest.batch == batch).order_by(ContactRequest.id)
        )
    )


def request_for_handled_link(raw: str) -> tuple[str, ContactRequest | None]:
    """The link's state and its request, without changing anything (GET must be safe)."""
    state = peek_token(raw, HANDLED_PURPOSE)
    return state.status, _request_by_token(raw)


def mark_handled(raw: str, *, now: datetime | None = None) -> ContactRequest | None:
    """Spend the link and mark its request handled; None when the link was not usable."""
    now = now or utcnow()
    if consume_token(raw, HANDLED_PURPOSE, now=now) is None:
        return None
    request = _request_by_token(raw)
    if request is not None and request.handled_at is None:
        request.handled_at = now
        address = requester_address(request)
        if address:
            with in_language(request.language):
                queue_mail(address, "contact_request_handled", contact_request=request)
    db.session.flush()
    return request


def requester_address(request: ContactRequest) -> str:
    """Who is told that the organisation has been in touch: the professional who sent it, else the person."""
    if request.on_behalf_of_client:
        return request.professional_email
    return request.email


def _request_by_token(raw: str) -> ContactRequest | None:
    return db.session.scalar(
        select(ContactRequest)
        .join(LoginToken, LoginToken.id == ContactRequest.handled_token_id)
        .where(LoginToken.token_hash == hash_token(raw))
    )


# The personal fields of a request and their erased values; the organisation and the dates stay for the counts.
ERASED_FIELDS = {
    "requester_name": "", "phone": "", "email": "", "preferred_time": "", "message": "",
    "professional_name": "", "professional_org": "", "professional_phone": "", "professional_email": "",
    "client_consent_by": "",
}


def erase_personal_data(retention_days: int, *, now: datetime | None = None) -> int:
    """Blank the personal fields of requests older than the retention period; counts stay."""
    now = now or utcnow()
    result = db.session.execute(
        update(ContactRequest)
        .where(ContactRequest.created_at < now - timedelta(days=retention_days), ContactRequest.erased_at.is_(None))
        .values(**ERASED_FIELDS, erased_at=now)
    )
    return result.rowcount
