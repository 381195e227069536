"""Workshop orders: placing one, the private status link, and the staff's steps.

new → confirmed (→ rescheduled, still confirmed) → held, or → cancelled.
Every step writes a WorkshopStatusChange and queues its mail; nothing here
commits.  Times of workshops are Europe/Helsinki wall-clock times, naive.
"""
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.directory.reads import published_organisation_id
from app.extensions import db
from app.models import Organisation, WorkshopOrder, WorkshopStatusChange, utcnow
from app.models.workshop import ORDERER
from app.config import DEFAULT_LANGUAGE
from app.platform.i18n import in_language
from app.platform.outbox import queue_mail
from app.platform.staff_notices import notify_staff
from app.platform.submissions import REPEAT_WINDOW
from app.platform.tokens import hash_token, link_url
from app.platform.validation import RefusedError, ValidationError, check_meeting_link, clean_text, contains_pattern
from app.platform.calendar import CALENDAR_MIMETYPE, invitation
from app.workshops.booking import check_time, follow_schedule, hold_slot, release_slot, slot_taken_message
from app.workshops.invitations import calendar_event, queue_invitation
from app.workshops.display import format_workshop_time, helsinki_time, template_labels
from app.workshops.feedback import feedback_link, open_survey

MIN_PREFERRED_TIMES, MAX_PREFERRED_TIMES = 2, 3
MIN_PARTICIPANTS, MAX_PARTICIPANTS = 1, 60
REFERENCE_PREFIX = "TP"
# The reminder goes out once, this long before the workshop starts.
REMINDER_AHEAD = timedelta(days=2)


class WorkshopError(RefusedError):
    """A step that is not possible for this order now; `message` is for the person, in their language."""


class SlotTaken(WorkshopError):
    """The free slot the orderer chose was taken by another order a moment earlier."""


@dataclass
class PreferredTime:
    date: date
    time_of_day: str  # one of TIMES_OF_DAY


@dataclass
class OrderDetails:
    """What the orderer typed, already validated by the order form."""

    organisation_name: str
    contact_person: str
    email: str
    phone: str
    audience: list[str]
    participants: int
    theme_id: int | None
    own_proposal: str
    goal: str
    preferred_times: list[PreferredTime]
    place_kind: str
    address: str = ""
    municipality: str = ""
    accessibility_needs: str = ""
    other_info: str = ""
    # A published free slot (booking.free_slots) instead of preferred times.
    slot_id: int | None = None
    # The portal language of the order: every mail to the orderer is in it.
    language: str = DEFAULT_LANGUAGE


# ---- ordering -------------------------------------------------------------

def place_order(details: OrderDetails, *, now: datetime | None = None) -> tuple[WorkshopOrder, str]:
    """Store a new order, queue the orderer's and the staff's mail: (order, raw status token)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    order = _insert_with_reference(details, token, now)
    if details.slot_id is not None and not hold_slot(details.slot_id, order):
        raise SlotTaken(slot_taken_message())
    _record(order, "", "new", ORDERER, now)
    with in_language(order.language):
        status_url = link_url("workshops.status", token=token)
        queue_mail(order.email, "workshop_order_received", order=order, status_url=status_url, **template_labels())
    notify_staff("workshop_order_staff", order=order, **template_labels())
    return order, token


def same_order_placed(details: OrderDetails, *, now: datetime | None = None) -> WorkshopOrder | None:
    """The orderer's order of the same workshop and goal within REPEAT_WINDOW (Back, Send), or None."""
    return db.session.scalar(select(WorkshopOrder).where(
        WorkshopOrder.email == details.email, WorkshopOrder.organisation_name == details.organisation_name,
        WorkshopOrder.theme_id.is_(None) if details.theme_id is None else WorkshopOrder.theme_id == details.theme_id,
        WorkshopOrder.own_proposal == (details.own_proposal if details.theme_id is None else ""),
        WorkshopOrder.goal == details.goal, WorkshopOrder.status != "cancelled",
        WorkshopOrder.created_at >= (now or utcnow()) - REPEAT_WINDOW,
    ).order_by(WorkshopOrder.id.desc()).limit(1))


def _insert_with_reference(details: OrderDetails, token: str, now: datetime) -> WorkshopOrder:
    year = helsinki_time(now).year
    # Two orders sent at the same moment may pick the same number; the unique
    # constraint refuses the second, which then takes the next number.
    for _attempt in range(5):
        number = 1 + (
            db.session.scalar(
                select(func.max(WorkshopOrder.reference_number)).where(WorkshopOrder.reference_year == year)
            )
            or 0
        )
        order = _new_order(details, token, now, year, number)
        try:
            with db.session.begin_nested():
                db.session.add(order)
                db.session.flush()
        except IntegrityError:
            continue
        return order
    raise RuntimeError("could not allocate a workshop reference number")


def _new_order(details: OrderDetails, token: str, now: datetime, year: int, number: int) -> WorkshopOrder:
    return WorkshopOrder(
        reference=f"{REFERENCE_PREFIX}-{year}-{number:04d}",
        reference_year=year,
        reference_number=number,
        status="new",
        organisation_name=details.organisation_name,
        organisation_id=published_organisation_id(details.organisation_name),
        contact_person=details.contact_person,
        email=details.email,
        phone=details.phone,
        audience=list(details.audience),
        participants=details.participants,
        theme_id=details.theme_id,
        own_proposal=details.own_proposal if details.theme_id is None else "",
        goal=details.goal,
        preferred_times=[{"date": t.date.isoformat(), "time_of_day": t.time_of_day} for t in details.preferred_times],
        place_kind=details.place_kind,
        address=details.address if details.place_kind == "own_premises" else "",
        municipality=details.municipality if details.place_kind == "own_premises" else "",
        accessibility_needs=details.accessibility_needs,
        other_info=details.other_info,
        language=details.language,
        consent_at=now,
        status_token_hash=hash_token(token),
        created_at=now,
        updated_at=now,
    )


def suggest_organisations(text: str, limit: int = 8) -> list[str]:
    """Published organisation names containing `text` (at least two characters)."""
    text = " ".join(clean_text(text[:100], 100).split())
    if len(text) < 2:
        return []
    pattern = contains_pattern(text.lower())
    return list(
        db.session.scalars(
            select(Organisation.name)
            .where(Organisation.status == "published", func.lower(Organisation.name).like(pattern, escape="\\"))
            .order_by(Organisation.sort_name)
            .limit(limit)
        )
    )


def order_for_status_token(token: str) -> WorkshopOrder | None:
    """The one order whose private status link holds this token."""
    return db.session.scalar(select(WorkshopOrder).where(WorkshopOrder.status_token_hash == hash_token(token)))


def cancel_by_orderer(order: WorkshopOrder, reason: str = "", *, now: datetime | None = None) -> None:
    """The orderer may cancel from the status link until the workshop starts."""
    now = now or utcnow()
    if not orderer_may_change(order, now):
        raise WorkshopError(_("Tilausta ei voi enää perua tällä sivulla. Ota yhteyttä työpajan järjestäjään."))
    _cancel(order, reason.strip(), ORDERER, "orderer", now)
    _tell_handler(order, "workshop_cancelled_staff", reason=reason.strip())


def request_change(order: WorkshopOrder, message: str, *, now: datetime | None = None) -> None:
    """The orderer asks for another time or place for a confirmed workshop; the staff hear of it."""
    now = now or utcnow()
    if order.status != "confirmed" or not orderer_may_change(order, now):
        raise WorkshopError(_("Muutosta voi pyytää vahvistetulle työpajalle ennen sen alkua."))
    if any(c.note == message and c.changed_by == ORDERER and now - c.changed_at <= REPEAT_WINDOW for c in order.history):
        return  # the same request again after Back (a new one-time key): the staff have it already
    _record(order, "confirmed", "confirmed", ORDERER, now, message)
    order.updated_at = now
    _tell_handler(order, "workshop_change_request", message=message)


def orderer_may_change(order: WorkshopOrder, now: datetime) -> bool:
    """New orders, and confirmed ones that have not started, may be cancelled or changed by the orderer."""
    if order.status == "new":
        return True
    return order.status == "confirmed" and order.scheduled_start > helsinki_time(now)


def handler_email(order: WorkshopOrder) -> str:
    """The staff member who last acted on the order (their address), or ""."""
    for change in reversed(order.history):
        if change.changed_by != ORDERER and "@" in change.changed_by:
            return change.changed_by
    return ""


def _tell_handler(order: WorkshopOrder, template: str, **context) -> None:
    """The staff member handling the order hears of the orderer's step (and the shared mailbox).

    Until someone has acted on it, the order is nobody's: everyone the new order
    was announced to hears of it, as they heard of the order.
    """
    handler = handler_email(order)
    if not handler:
        notify_staff(template, order=order, **context, **template_labels())
        return
    for address in {handler, current_app.config.get("STAFF_NOTIFY_EMAIL", "")} - {""}:
        with in_language(DEFAULT_LANGUAGE):
            queue_mail(address, template, order=order, **context, **template_labels())


def send_reminders(*, now: datetime | None = None) -> int:
    """Remind each orderer once, two days before a confirmed workshop, with its place or link."""
    now = now or utcnow()
    local_now = helsinki_time(now)
    due = list(db.session.scalars(
        select(WorkshopOrder).where(
            WorkshopOrder.status == "confirmed", WorkshopOrder.reminded_at.is_(None),
            WorkshopOrder.scheduled_start > local_now, WorkshopOrder.scheduled_start <= local_now + REMINDER_AHEAD,
        ).order_by(WorkshopOrder.scheduled_start)
    ))
    sent = 0
    for order in due:
        # Only this run may claim the order: a second runner at the same time changes nothing.
        claimed = db.session.execute(
            update(WorkshopOrder).where(WorkshopOrder.id == order.id, WorkshopOrder.reminded_at.is_(None))
            .values(reminded_at=now).execution_options(synchronize_session=False)
        ).rowcount
        if claimed:
            with in_language(order.language):
                queue_mail(order.email, "workshop_reminder", order=order,
                           when=format_workshop_time(order.scheduled_start), **template_labels())
            sent += 1
    return sent


# ---- staff steps ----------------------------------------------------------

def confirm(
    order: WorkshopOrder, start: datetime, place: str, remote_link: str, facilitator: str, by: str,
    *, override_reason: str = "", now: datetime | None = None,
) -> None:
    """Agree the time and place; the orderer gets the invitation as an .ics file.

    booking.BookingError when the time breaks the calendar's rules without an override.
    """
    if order.status != "new":
        raise WorkshopError(_("Vain uuden tilauksen voi vahvistaa."))
    now = now or utcnow()
    check_time(start, override_reason, order_id=order.id)
    note = _override_note(start, order, override_reason)
    _set_schedule(order, start, place, remote_link, facilitator, now)
    order.ics_sequence = 0
    _record(order, "new", "confirmed", by, now, note, starts_at=start)
    queue_invitation(order, "workshop_confirmed", now)


def reschedule(
    order: WorkshopOrder, start: datetime, place: str, remote_link: str, facilitator: str, by: str,
    *, override_reason: str = "", now: datetime | None = None,
) -> None:
    """Move a confirmed workshop: the same calendar event (UID) with a higher SEQUENCE."""
    if order.status != "confirmed":
        raise WorkshopError(_("Vain vahvistetun työpajan aikaa tai paikkaa voi muuttaa."))
    now = now or utcnow()
    if (start, *map(_stripped, (place, remote_link, facilitator))) == (
            order.scheduled_start, order.place, order.remote_link, order.facilitator):
        raise WorkshopError(_("Aika, paikka ja ohjaaja ovat ennallaan, joten muutosta ei tallennettu eikä "
                              "kalenterikutsua lähetetty."))
    check_time(start, override_reason, order_id=order.id)
    note = _override_note(start, order, override_reason)
    previous_start = order.scheduled_start
    _set_schedule(order, start, place, remote_link, facilitator, now)
    order.ics_sequence += 1
    # A new time: the reminder is due again before it.
    order.reminded_at = None
    _record(order, "confirmed", "confirmed", by, now, note, starts_at=start, previous_start=previous_start)
    queue_invitation(order, "workshop_rescheduled", now, previous_start=previous_start)


def cancel(order: WorkshopOrder, reason: str, by: str, *, now: datetime | None = None) -> None:
    """Staff cancel a new or confirmed order; the reason is required and goes to the orderer."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkshopError(_("Kirjoita peruutuksen syy. Se lähetetään tilaajalle."))
    if order.status not in ("new", "confirmed"):
        raise WorkshopError(_("Pidettyä tai jo peruttua työpajaa ei voi perua."))
    _cancel(order, reason, by, "staff", now or utcnow())


def mark_held(order: WorkshopOrder, by: str, *, now: datetime | None = None) -> str:
    """The workshop took place: open its feedback survey and return the survey's public link."""
    now = now or utcnow()
    if order.status != "confirmed":
        raise WorkshopError(_("Vain vahvistetun työpajan voi merkitä pidetyksi."))
    if order.scheduled_start > helsinki_time(now):
        raise WorkshopError(_("Työpaja ei ole vielä alkanut."))
    _record(order, "confirmed", "held", by, now)
    order.updated_at = now
    return feedback_link(open_survey(order, now))


def send_feedback_link(order: WorkshopOrder) -> str:
    """Mail the survey link to the orderer to pass on to the participants; returns the link."""
    if order.survey is None:
        raise WorkshopError(_("Palautekysely avautuu, kun työpaja on merkitty pidetyksi."))
    with in_language(order.language):
        mailed_link = feedback_link(order.survey)
        queue_mail(order.email, "workshop_feedback_link", order=order, feedback_url=mailed_link,
                   closes_at=helsinki_time(order.survey.closes_at), **template_labels())
    return feedback_link(order.survey)


def _stripped(text: str | None) -> str:
    return (text or "").strip()


def _set_schedule(order: WorkshopOrder, start: datetime, place: str, remote_link: str, facilitator: str,
                  now: datetime) -> None:
    place, remote_link, facilitator = _stripped(place), _stripped(remote_link), _stripped(facilitator)
    if start.tzinfo is not None:
        raise ValueError("workshop times are naive Europe/Helsinki wall-clock times")
    if start <= helsinki_time(now):
        raise WorkshopError(_("Aika on jo mennyt. Valitse tuleva aika."))
    if not place and not remote_link:
        raise WorkshopError(_("Anna työpajan paikka tai etäyhteyden linkki."))
    if remote_link:
        try:
            check_meeting_link(remote_link)
        except ValidationError as error:
            raise WorkshopError(str(error)) from None
    if not facilitator:
        raise WorkshopError(_("Anna työpajan ohjaaja."))
    order.scheduled_start, order.place, order.remote_link, order.facilitator = start, place, remote_link, facilitator
    order.updated_at = now
    # The slot it holds follows the agreed time (booking.follow_schedule).
    follow_schedule(order)


def _override_note(start: datetime, order: WorkshopOrder, override_reason: str) -> str:
    """The rules a time breaks and why staff chose it anyway, for the order's history; "" when it breaks none.

    In Finnish whoever acted, as the staff's records are (README, Languages): one staff
    member's English note read among Finnish ones otherwise.
    """
    if not override_reason.strip():
        return ""  # no reason: check_time has refused any broken rule already
    with in_language(DEFAULT_LANGUAGE):
        overridden = check_time(start, override_reason, order_id=order.id)
        if not overridden:
            return ""
        return _("Poikkeus: %(problems)s Syy: %(reason)s", problems=" ".join(overridden),
                 reason=override_reason.strip())


def _cancel(order: WorkshopOrder, reason: str, by: str, cancelled_by: str, now: datetime) -> None:
    was_confirmed = order.status == "confirmed"
    release_slot(order)
    _record(order, order.status, "cancelled", by, now, reason)
    order.cancel_reason, order.cancelled_by, order.updated_at = reason, cancelled_by, now
    if was_confirmed:
        # Calendar programs remove the event they already have: same UID, higher SEQUENCE.
        order.ics_sequence += 1
    with in_language(order.language):
        attachments = []
        if was_confirmed:
            attachments = [("peruutus.ics", CALENDAR_MIMETYPE.format(method="CANCEL"),
                            invitation(calendar_event(order), stamp=now, method="CANCEL"))]
        queue_mail(order.email, "workshop_cancelled", attachments=attachments, order=order,
                   was_confirmed=was_confirmed, workshops_url=link_url("workshops.index"), **template_labels())


def _record(order: WorkshopOrder, from_status: str, to_status: str, by: str, now: datetime, note: str = "",
            *, starts_at: datetime | None = None, previous_start: datetime | None = None) -> None:
    order.status = to_status
    db.session.add(
        WorkshopStatusChange(order=order, from_status=from_status, to_status=to_status, changed_by=by,
                             changed_at=now, note=note, starts_at=starts_at, previous_start=previous_start)
    )
    db.session.flush()
