"""Claiming an entry already in the directory: "Onko järjestösi jo tarjottimella?".

A signed-in person finds the organisation (the public search, or its Y-tunnus)
and asks to become one of its contacts.  Each existing contact gets a mailed
link (app.platform.tokens, purpose "access_claim") to approve or decline; with
no contact to ask, staff decide.  Staff are told of every claim and can decide
any of them from the dashboard.  The requester is mailed the answer.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import delete, select, update

from app.accounts.access import contact_can_edit
from app.config import DEFAULT_LANGUAGE
from app.directory.records import record_revision
from app.extensions import db
from app.models import AccessClaim, Organisation, OrganisationContact, utcnow
from app.platform.audit import record_audit
from app.platform.i18n import in_language
from app.platform.outbox import queue_mail
from app.platform.staff_notices import notify_staff
from app.platform.tokens import TokenState, consume_token, issue_link_token, link_url, peek_token
from app.platform.validation import RefusedError, ValidationError, clean_text, email_key, normalise_business_id
from app.search.engine import SearchQuery, search

CLAIM_PURPOSE = "access_claim"
# A claim holds an address and a free message: kept half a year, answered or not
# (an unanswered one is stale long before that; the revision and audit event stay).
CLAIM_RETENTION = timedelta(days=180)
MAX_FOUND = 10
MESSAGE_MAX_LENGTH = 1000


class ClaimError(RefusedError):
    """The claim cannot be made or decided; `message` says why, in the visitor's language."""


@dataclass(frozen=True)
class Candidate:
    """An organisation found for "Onko järjestösi jo tarjottimella?"."""

    id: int
    name: str
    municipalities: tuple[str, ...]
    nationwide: bool


# The dashboard section of claims (admin/dashboard.html), where staff decide them.
DASHBOARD_CLAIMS_ANCHOR = "liittymispyynnot"


def find_claimable(text: str, *, language: str) -> list[Candidate]:
    """Published organisations for a name (the public search) or a Y-tunnus (exactly that one)."""
    text = (text or "").strip()
    if not text:
        return []
    try:
        business_id = normalise_business_id(text)
    except ValidationError:
        business_id = None
    if business_id is not None:
        found = db.session.scalars(
            select(Organisation).where(
                Organisation.business_id == business_id,
                Organisation.status == "published",
                Organisation.deleted_at.is_(None),
            ).order_by(Organisation.sort_name)
        )
        return [Candidate(o.id, o.name, tuple(m.label for m in o.municipalities), o.nationwide) for o in found]
    result = search(SearchQuery(text=text, page_size=MAX_FOUND, language=language))
    return [Candidate(card.id, card.name, card.municipalities, card.nationwide) for card in result.organisations]


def claimable_organisation(organisation_id: int) -> Organisation | None:
    """An organisation one may ask to join: a published entry, as the claim search finds them
    (a pending or hidden one is not public; its own contacts already edit it)."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.deleted_at is not None or not organisation.is_published:
        return None
    return organisation


def open_claim(organisation: Organisation, email: str) -> AccessClaim | None:
    """The address's claim on the organisation that still waits for an answer, if any."""
    return db.session.scalar(
        select(AccessClaim).where(
            AccessClaim.organisation_id == organisation.id,
            AccessClaim.email == email_key(email),
            AccessClaim.status == "pending",
        )
    )


def request_access(organisation: Organisation, email: str, message: str, *, language: str) -> AccessClaim:
    """Ask to become a contact of `organisation`; flush, no commit.

    An address that is already a contact is refused; a second request while the
    first waits returns the first and mails nobody again.
    """
    email = email_key(email)
    if contact_can_edit(email, organisation.id):
        raise ClaimError(_("Olet jo järjestön %(name)s yhteyshenkilö.", name=organisation.name))
    if (earlier := open_claim(organisation, email)) is not None:
        return earlier
    contacts = [contact.email for contact in organisation.contacts]
    claim = AccessClaim(
        organisation=organisation, email=email, message=clean_text(message, MESSAGE_MAX_LENGTH, multiline=True),
        language=language, asked_contacts=bool(contacts), decided_by="",
    )
    db.session.add(claim)
    db.session.flush()
    with in_language(organisation.language):
        for contact in contacts:
            token = issue_link_token(contact, CLAIM_PURPOSE, organisation.id)
            queue_mail(
                contact, "claim_request", claim=claim, organisation_name=organisation.name,
                link=link_url("accounts.open_claim_link", claim_id=claim.id, token=token),
            )
    with in_language(DEFAULT_LANGUAGE):  # staff mail is Finnish, links too
        claims_url = link_url("admin.dashboard") + "#" + DASHBOARD_CLAIMS_ANCHOR
    notify_staff("claim_staff", claim=claim, organisation_name=organisation.name, asked_contacts=claim.asked_contacts,
                 claims_url=claims_url)
    return claim


def own_claim(claim_id: int, email: str) -> AccessClaim | None:
    """A claim made by this address (no one else's, not even whether it exists)."""
    claim = db.session.get(AccessClaim, claim_id)
    return claim if claim is not None and claim.email == email_key(email) else None


def claims_waiting_for(email: str) -> list[AccessClaim]:
    """The address's own claims still waiting for an answer ("Omat järjestöt")."""
    return list(db.session.scalars(
        select(AccessClaim)
        .join(Organisation)
        .where(AccessClaim.email == email_key(email), AccessClaim.status == "pending",
               Organisation.deleted_at.is_(None))
        .order_by(AccessClaim.created_at, AccessClaim.id)
    ))


def pending_claims() -> list[AccessClaim]:
    """Every claim waiting for an answer, oldest first (the staff dashboard)."""
    return list(db.session.scalars(
        select(AccessClaim)
        .join(Organisation)
        .where(AccessClaim.status == "pending", Organisation.deleted_at.is_(None))
        .order_by(AccessClaim.created_at, AccessClaim.id)
    ))


def decide_claim(claim: AccessClaim, decided_by: str, *, approve: bool) -> None:
    """Approve (the requester becomes a contact) or decline, and mail the requester; flush, no commit.

    A conditional UPDATE: of two answers given at once (two contacts, or a
    contact and staff) exactly one counts; the other gets ClaimError.
    """
    now = utcnow()
    status = "approved" if approve else "declined"
    result = db.session.execute(
        update(AccessClaim)
        .where(AccessClaim.id == claim.id, AccessClaim.status == "pending")
        .values(status=status, decided_at=now, decided_by=decided_by)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ClaimError(_("Pyyntöön on jo vastattu."))
    db.session.refresh(claim)
    organisation = claim.organisation
    if approve:
        if not contact_can_edit(claim.email, organisation.id):
            organisation.contacts.append(OrganisationContact(email=claim.email))
            # An UPDATE of the row moves the version: an edit form opened before sees the new contact.
            organisation.updated_at = now
            db.session.flush()
            # The summary names no address: erasing a person rewrites authors, not summaries.
            record_revision(organisation, decided_by, _l("Yhteyshenkilö lisätty liittymispyynnöstä"))
    record_audit(decided_by, f"claim_{'approve' if approve else 'decline'}", "organisation", organisation.id,
                 name=organisation.name, email=claim.email, claim=claim.id)
    with in_language(claim.language):
        queue_mail(
            claim.email, "claim_approved" if approve else "claim_declined",
            organisation_name=organisation.name, sign_in_url=link_url("accounts.request_link"),
        )


@dataclass(frozen=True)
class ClaimLink:
    """What a contact's link is: its token state and the claim it answers, if both still hold."""

    state: TokenState
    claim: AccessClaim | None

    @property
    def usable(self) -> bool:
        return self.state.is_valid and self.claim is not None


def claim_link(claim_id: int, token: str) -> ClaimLink:
    """Read a contact's link without changing anything (GET must be safe)."""
    state = peek_token(token, CLAIM_PURPOSE)
    return ClaimLink(state, _claim_for(claim_id, state))


def answer_claim_link(claim_id: int, token: str, *, approve: bool) -> AccessClaim | None:
    """Spend the contact's link and decide; None when the link or the claim no longer holds."""
    state = peek_token(token, CLAIM_PURPOSE)
    claim = _claim_for(claim_id, state)
    if claim is None or consume_token(token, CLAIM_PURPOSE) is None:
        return None
    decide_claim(claim, state.email, approve=approve)
    return claim


def _claim_for(claim_id: int, state: TokenState) -> AccessClaim | None:
    # The link belongs to a contact of the claim's organisation, who still is one.
    if not state.is_valid:
        return None
    claim = db.session.get(AccessClaim, claim_id)
    if claim is None or not claim.is_pending or claim.organisation_id != state.organisation_id:
        return None
    if claim.organisation.deleted_at is not None or not contact_can_edit(state.email, claim.organisation_id):
        return None
    return claim


def purge_old_claims(*, now: datetime) -> int:
    """Claims older than CLAIM_RETENTION (`flask purge`); flush, no commit."""
    return db.session.execute(delete(AccessClaim).where(AccessClaim.created_at < now - CLAIM_RETENTION)).rowcount
