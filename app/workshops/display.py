"""How workshop data reads in Finnish: labels of stored keys, dates and times.

Mail is rendered without a request too, so templates get these through
`template_labels()` rather than a request context processor.
"""
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l

from app.models.workshop import ORDERER, WORKSHOP_LENGTH
from app.platform.calendar import format_date, helsinki_time  # noqa: F401  (the workshop pages use both from here)

STATUS_LABELS = {
    "new": _l("Uusi – odottaa käsittelyä"),
    "confirmed": _l("Vahvistettu"),
    "held": _l("Pidetty"),
    "cancelled": _l("Peruttu"),
}
AUDIENCE_LABELS = {
    "volunteers": _l("Vapaaehtoiset"),
    "board": _l("Hallitus"),
    "employees": _l("Työntekijät"),
    "other": _l("Muu ryhmä"),
}
TIME_OF_DAY_LABELS = {
    "aamupäivä": _l("aamupäivä"),
    "iltapäivä": _l("iltapäivä"),
    "ilta": _l("ilta"),
}
PLACE_KIND_LABELS = {
    "own_premises": _l("Omissa tiloissamme"),
    "remote": _l("Etäyhteydellä"),
}


def format_workshop_time(start: datetime) -> str:
    """"ti 12.5.2026 klo 13.00–15.00" (Helsinki time)."""
    end = start + WORKSHOP_LENGTH
    return _("%(date)s klo %(start)s–%(end)s", date=format_date(start.date()), start=f"{start:%H.%M}",
             end=f"{end:%H.%M}")


def history_label(change) -> str:
    """A step of the order's history as its people call it: a second "confirmed" is a change."""
    if change.from_status == change.to_status == "confirmed":
        return str(_l("Muutosta pyydetty") if change.changed_by == ORDERER else _l("Aikaa tai paikkaa muutettu"))
    return str(STATUS_LABELS[change.to_status])


def history_note(change) -> str:
    """What a step of the order's history adds: the agreed time (and the one it replaced) in the
    reader's language, then what was written down with it."""
    when = ""
    if change.starts_at is not None:
        when = format_workshop_time(change.starts_at)
        if change.previous_start is not None:
            when = f"{format_workshop_time(change.previous_start)} → {when}"
    return ". ".join(part for part in (when, change.note) if part)


def template_labels() -> dict:
    """The Finnish names of stored keys, for pages and mail (mail has no request context)."""
    return {
        "status_labels": STATUS_LABELS,
        "audience_labels": AUDIENCE_LABELS,
        "time_of_day_labels": TIME_OF_DAY_LABELS,
        "place_kind_labels": PLACE_KIND_LABELS,
    }
