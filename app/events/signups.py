"""Signing up for an event: places and the waiting list, the private link, reminders.

A sign-up takes a place while there is one and otherwise a place on the
waiting list; a freed place goes to the longest-waiting person at once, with
mail.  Callers lock the event row first (`locked_event`), so two sign-ups for
the last place cannot both get it.  Nothing here commits.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.events.calendar_files import location, signup_attachments
from app.events.display import format_moment, format_session, template_labels
from app.directory.duplicates import normalised_name
from app.directory.reads import published_organisation_id
from app.extensions import db
from app.config import DEFAULT_LANGUAGE
from app.models import Event, EventSession, EventSignup, utcnow
from app.platform.calendar import helsinki_time
from app.platform.i18n import in_language
from app.platform.outbox import queue_mail
from app.platform.tokens import derived_token, hash_token, link_url
from app.platform.validation import RefusedError

REMINDER_AHEAD = timedelta(days=2)
ACTIVE = ("confirmed", "waiting")
# The waiting list's order: when each joined it.  Someone who cancels and signs up again
# keeps their row (one per address) but starts again at the end of the queue.
QUEUE_ORDER = (EventSignup.created_at, EventSignup.id)


class SignupError(RefusedError):
    """A sign-up or change that is not possible; `message` is Finnish, `field` the form field it concerns."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass
class SignupDetails:
    """What the person typed, already validated by the sign-up form."""

    name: str
    organisation_name: str
    email: str
    phone: str = ""
    dietary_needs: str = ""
    accessibility_needs: str = ""
    # The portal language the form was sent in: this and every later mail to the person is in it.
    language: str = DEFAULT_LANGUAGE


def locked_event(event_id: int) -> Event | None:
    """The event, its row locked for this transaction (PostgreSQL; SQLite writers queue anyway)."""
    return db.session.get(Event, event_id, with_for_update=True)


def confirmed_count(event: Event) -> int:
    return db.session.scalar(
        select(func.count()).select_from(EventSignup)
        .where(EventSignup.event_id == event.id, EventSignup.status == "confirmed")
    ) or 0


def places_left(event: Event) -> int:
    return max(event.capacity - confirmed_count(event), 0)


def signup_is_open(event: Event, now: datetime | None = None) -> bool:
    """Published, before the deadline and before the first session."""
    local_now = helsinki_time(now)
    return event.status == "published" and local_now < event.signup_deadline and local_now < event.starts_at


def has_ended(event: Event, now: datetime | None = None) -> bool:
    return event.ends_at <= helsinki_time(now)


def sign_up(event: Event, details: SignupDetails, *, now: datetime | None = None) -> EventSignup:
    """Store the sign-up and queue its mail; flush, no commit.

    The same form sent twice is caught before this by its submission key
    (app/platform/submissions.py).
    """
    now = now or utcnow()
    if not signup_is_open(event, now):
        raise SignupError(_("Ilmoittautuminen tähän tapahtumaan on päättynyt."))
    existing = db.session.scalar(
        select(EventSignup).where(EventSignup.event_id == event.id, EventSignup.email == details.email)
    )
    if existing is not None and existing.status in ACTIVE:
        raise SignupError(_("Tällä sähköpostiosoitteella on jo ilmoittauduttu tähän tapahtumaan. "
                            "Muuttaaksesi tietoja käytä vahvistusviestin linkkiä."), "email")
    _check_one_per_organisation(event, details.organisation_name)
    signup = existing or EventSignup(event_id=event.id, email=details.email)
    signup.created_at = now
    _fill(signup, details, now)
    signup.status = "confirmed" if places_left(event) > 0 else "waiting"
    new_manage_link(signup)
    signup.consent_at, signup.reminded_at = now, None
    try:
        with db.session.begin_nested():
            db.session.add(signup)
            db.session.flush()
    except IntegrityError:
        # The same address sent at the same moment from another form: the other request won.
        db.session.expire_all()
        raise SignupError(_("Tällä sähköpostiosoitteella on jo ilmoittauduttu tähän tapahtumaan."), "email") from None
    template = "event_signup_confirmed" if signup.status == "confirmed" else "event_signup_waiting"
    _mail(signup, template, now, with_invitation=signup.status == "confirmed")
    return signup


def _check_one_per_organisation(event: Event, organisation_name: str, *, changing: EventSignup | None = None) -> None:
    """An event for one participant per organisation refuses a second active sign-up of the same organisation.

    Names are compared as the directory compares them (duplicates.normalised_name), in
    Python so that SQLite and PostgreSQL agree: typed by hand, "esimerkkiyhdistys  RY" is
    the same organisation as "Esimerkkiyhdistys ry".  `changing` is the sign-up being
    changed: keeping its own organisation is no second sign-up.
    """
    if event.several_per_organisation:
        return
    wanted = normalised_name(organisation_name)
    if changing is not None and normalised_name(changing.organisation_name) == wanted:
        return
    others = db.session.scalars(select(EventSignup.organisation_name).where(
        EventSignup.event_id == event.id, EventSignup.status.in_(ACTIVE),
        EventSignup.id != (changing.id if changing is not None else 0),
    ))
    if any(normalised_name(name) == wanted for name in others):
        raise SignupError(_("Tähän tapahtumaan otetaan yksi osallistuja järjestöä kohden, ja järjestöstänne "
                            "on jo ilmoittauduttu."), "organisation_name")


def _fill(signup: EventSignup, details: SignupDetails, now: datetime) -> None:
    signup.name, signup.organisation_name = details.name, details.organisation_name
    signup.organisation_id = published_organisation_id(details.organisation_name)
    signup.phone, signup.dietary_needs = details.phone, details.dietary_needs
    signup.accessibility_needs, signup.updated_at = details.accessibility_needs, now
    signup.language = details.language


def new_manage_link(signup: EventSignup) -> None:
    """A new private link; any older link of the sign-up stops working."""
    signup.manage_nonce = secrets.token_hex(16)
    signup.manage_token_hash = hash_token(manage_token(signup))


def manage_token(signup: EventSignup) -> str:
    return derived_token("event-signup", signup.manage_nonce)


def signup_for_token(token: str) -> EventSignup | None:
    """The sign-up whose private link holds this token."""
    return db.session.scalar(select(EventSignup).where(EventSignup.manage_token_hash == hash_token(token)))


def waiting_position(signup: EventSignup) -> int:
    """1 for the first on the waiting list."""
    return 1 + (db.session.scalar(
        select(func.count()).select_from(EventSignup).where(
            EventSignup.event_id == signup.event_id, EventSignup.status == "waiting",
            tuple_(*QUEUE_ORDER) < tuple_(signup.created_at, signup.id),
        )
    ) or 0)


def change_signup(signup: EventSignup, details: SignupDetails, *, now: datetime | None = None) -> None:
    """The person's own change through the private link; the address stays (it keys the sign-up)."""
    now = now or utcnow()
    if signup.status == "cancelled" or has_ended(signup.event, now) or signup.event.status != "published":
        raise SignupError(_("Ilmoittautumista ei voi enää muuttaa."))
    _check_one_per_organisation(signup.event, details.organisation_name, changing=signup)
    details.email = signup.email
    _fill(signup, details, now)
    db.session.flush()


def cancel_signup(signup: EventSignup, *, now: datetime | None = None) -> list[EventSignup]:
    """The person cancels; a freed place goes to the waiting list. Returns those promoted."""
    now = now or utcnow()
    if signup.status == "cancelled":
        raise SignupError(_("Ilmoittautuminen on jo peruttu."))
    if has_ended(signup.event, now):
        raise SignupError(_("Tapahtuma on jo pidetty."))
    was_confirmed = signup.status == "confirmed"
    signup.status, signup.updated_at = "cancelled", now
    db.session.flush()
    with in_language(signup.language):
        attachments = signup_attachments(signup, stamp=now, method="CANCEL") if was_confirmed else []
        queue_mail(signup.email, "event_signup_cancelled", attachments=attachments, signup=signup, event=signup.event,
                   events_url=link_url("events.index"), **mail_context(signup))
    return promote_waiting(signup.event, now=now) if was_confirmed else []


def promote_waiting(event: Event, *, now: datetime | None = None) -> list[EventSignup]:
    """Give free places to the waiting list in sign-up order, with mail; returns those promoted."""
    now = now or utcnow()
    if event.status != "published" or helsinki_time(now) >= event.starts_at:
        return []
    free = places_left(event)
    if free == 0:
        return []
    promoted = list(db.session.scalars(
        select(EventSignup).where(EventSignup.event_id == event.id, EventSignup.status == "waiting")
        .order_by(*QUEUE_ORDER).limit(free)
    ))
    for signup in promoted:
        signup.status, signup.updated_at = "confirmed", now
        db.session.flush()
        _mail(signup, "event_signup_promoted", now, with_invitation=True)
    return promoted


def session_bounds():
    """Each event's first start and last end (Helsinki, naive), as a subquery to join on event_id."""
    return (
        select(EventSession.event_id, func.min(EventSession.starts_at).label("starts_at"),
               func.max(EventSession.ends_at).label("ends_at"))
        .group_by(EventSession.event_id).subquery()
    )


def mail_due(bounds, stamp, *conditions) -> list[EventSignup]:
    """Confirmed sign-ups with an address, in published events, whose `stamp` column is still empty.

    `conditions` may use `bounds` (session_bounds()) to pick the events by time.
    """
    return list(db.session.scalars(
        select(EventSignup)
        .join(Event, Event.id == EventSignup.event_id)
        .join(bounds, bounds.c.event_id == Event.id)
        .where(Event.status == "published", EventSignup.status == "confirmed", EventSignup.email.is_not(None),
               stamp.is_(None), *conditions)
        .order_by(EventSignup.id)
        .options(selectinload(EventSignup.event).selectinload(Event.sessions))
    ))


def claim(signup: EventSignup, stamp, **values) -> bool:
    """Set `values` on the row only while `stamp` is empty: of two runners at the same time, one wins."""
    return db.session.execute(
        update(EventSignup).where(EventSignup.id == signup.id, stamp.is_(None)).values(**values)
    ).rowcount == 1


def send_reminders(*, now: datetime | None = None) -> int:
    """Remind each confirmed participant once when the event starts within two days; returns how many."""
    now = now or utcnow()
    local_now = helsinki_time(now)
    bounds = session_bounds()
    due = mail_due(bounds, EventSignup.reminded_at,
                   bounds.c.starts_at > local_now, bounds.c.starts_at <= local_now + REMINDER_AHEAD)
    sent = 0
    for signup in due:
        if claim(signup, EventSignup.reminded_at, reminded_at=now):
            _mail(signup, "event_reminder", now)
            sent += 1
    return sent


def _mail(signup: EventSignup, template: str, now: datetime, *, with_invitation: bool = False) -> None:
    with in_language(signup.language):
        attachments = signup_attachments(signup, stamp=now) if with_invitation else []
        queue_mail(
            signup.email, template, attachments=attachments, signup=signup, event=signup.event,
            manage_url=link_url("events.manage", token=manage_token(signup)),
            position=waiting_position(signup) if signup.status == "waiting" else 0,
            **mail_context(signup),
        )


def mail_context(signup: EventSignup) -> dict:
    """What every event mail shows; a remote link only to someone with a place."""
    event = signup.event
    return {
        "sessions": [format_session(s.starts_at, s.ends_at) for s in event.sessions],
        "place": location(event, with_link=signup.status == "confirmed"),
        "deadline": format_moment(event.signup_deadline),
        "event_url": link_url("events.event_page", event_id=event.id),
        **template_labels(),
    }


def anonymise_signups(*conditions, now: datetime | None = None) -> int:
    """Blank the personal fields of the matching sign-ups and end their private links; flush, no commit.

    The row stays with its organisation and status for the event's counts.  A
    place in an event still to come is freed for the waiting list.
    """
    now = now or utcnow()
    signups = list(db.session.scalars(select(EventSignup).where(EventSignup.anonymised_at.is_(None), *conditions)))
    freed: set[int] = set()
    for signup in signups:
        if signup.status in ACTIVE and not has_ended(signup.event, now):
            if signup.status == "confirmed":
                freed.add(signup.event_id)
            signup.status = "cancelled"
        signup.name, signup.email, signup.phone = "", None, ""
        signup.dietary_needs = signup.accessibility_needs = ""
        signup.anonymised_at = signup.updated_at = now
        new_manage_link(signup)
    db.session.flush()
    for event_id in sorted(freed):
        promote_waiting(db.session.get(Event, event_id), now=now)
    return len(signups)


def ended_before(cutoff: datetime):
    """A condition for sign-ups whose event's last session ended before `cutoff` (Helsinki, naive)."""
    last_end = select(func.max(EventSession.ends_at)).where(EventSession.event_id == EventSignup.event_id).scalar_subquery()
    return last_end < cutoff
