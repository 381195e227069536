"""How events read in Finnish: kinds, sign-up states and session times.

Mail is rendered without a request too, so templates get these through
`template_labels()` rather than a request context processor.
"""
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l

from app.platform.calendar import format_date

KIND_LABELS = {
    "pienmarkkinat": _l("Pienmarkkinat"),
    "aluetilaisuus": _l("Aluetilaisuus"),
    "foorumi": _l("Foorumi"),
    "koulutus": _l("Koulutus"),
    "muu": _l("Muu tapahtuma"),
}
SIGNUP_STATUS_LABELS = {
    "confirmed": _l("Paikka vahvistettu"),
    "waiting": _l("Varasijalla"),
    "cancelled": _l("Peruttu"),
}


def clock(value: datetime) -> str:
    """"9.05": the time of day as events write it, the hour without a leading zero."""
    return f"{value.hour}.{value:%M}"


def format_session(starts_at: datetime, ends_at: datetime) -> str:
    """"ti 12.5.2026 klo 9.00–11.30" (Helsinki time; a session within one day)."""
    return _("%(date)s klo %(start)s–%(end)s", date=format_date(starts_at.date()), start=clock(starts_at),
             end=clock(ends_at))


def format_moment(value: datetime) -> str:
    """"ti 12.5.2026 klo 16.00"."""
    return _("%(date)s klo %(time)s", date=format_date(value.date()), time=clock(value))


def template_labels() -> dict:
    return {"kind_labels": KIND_LABELS, "signup_status_labels": SIGNUP_STATUS_LABELS}
