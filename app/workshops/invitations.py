"""A workshop's calendar invitation: the .ics mailed when it is confirmed, moved or cancelled."""
from datetime import datetime

from flask_babel import gettext as _

from app.models import WorkshopOrder
from app.models.workshop import WORKSHOP_LENGTH
from app.platform.calendar import CALENDAR_MIMETYPE, CalendarEvent, invitation, organizer, uid_host
from app.platform.i18n import in_language
from app.platform.outbox import queue_mail
from app.workshops.display import format_workshop_time, template_labels


def queue_invitation(order: WorkshopOrder, template: str, now: datetime, previous_start: datetime | None = None) -> None:
    """The orderer's mail with the calendar invitation; a move names the time it replaced, in the orderer's language."""
    with in_language(order.language):
        ics = invitation(calendar_event(order), stamp=now, method="REQUEST")
        queue_mail(order.email, template,
                   attachments=[("tyopaja.ics", CALENDAR_MIMETYPE.format(method="REQUEST"), ics)],
                   order=order, when=format_workshop_time(order.scheduled_start),
                   previous=format_workshop_time(previous_start) if previous_start else "", **template_labels())


def calendar_event(order: WorkshopOrder) -> CalendarEvent:
    """The order as one calendar event; its UID never changes, so updates replace it."""
    organizer_name, organizer_email = organizer()
    location = order.place or _("Etäyhteys: %(link)s", link=order.remote_link)
    description = "\n".join(
        line for line in (
            _("Työpaja: %(theme)s", theme=order.theme_title),
            _("Ohjaaja: %(name)s", name=order.facilitator),
            _("Etäyhteys: %(link)s", link=order.remote_link) if order.remote_link else "",
            _("Tilausnumero: %(reference)s", reference=order.reference),
        ) if line
    )
    return CalendarEvent(
        uid=f"{order.reference}@{uid_host()}",
        sequence=order.ics_sequence,
        start=order.scheduled_start,
        duration=WORKSHOP_LENGTH,
        summary=_("Työpaja: %(organisation)s", organisation=order.organisation_name),
        description=description,
        location=location,
        url=order.remote_link,
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        attendee_email=order.email,
        attendee_name=order.contact_person,
    )
