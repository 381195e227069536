"""The audit trail: every staff action writes one event; staff read them back filtered."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _, lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import AuditEvent, utcnow
from app.platform.form_fields import parse_date
from app.platform.validation import list_page

# Every action written anywhere, with the label the audit log shows for it.
ACTION_LABELS = {
    "sign_in": _l("Kirjautuminen"),
    "workshop_confirm": _l("Työpajan vahvistus"),
    "workshop_reschedule": _l("Työpajan ajan tai paikan muutos"),
    "workshop_cancel": _l("Työpajan peruutus"),
    "workshop_held": _l("Työpaja pidetty"),
    "workshop_feedback_link": _l("Palautelinkin lähetys"),
    "workshop_notes": _l("Työpajatilauksen muistiinpanot"),
    "workshop_slots_published": _l("Työpajan vapaat ajat julkaistu"),
    "workshop_slot_deleted": _l("Työpajan vapaa aika poistettu"),
    "workshop_reminders": _l("Työpajamuistutukset"),
    "event_create": _l("Tapahtuman luonti"),
    "event_update": _l("Tapahtuman muokkaus"),
    "event_cancel": _l("Tapahtuman peruutus"),
    "event_message": _l("Viesti tapahtuman osallistujille"),
    "event_reminders": _l("Tapahtumamuistutukset"),
    "event_attendance": _l("Tapahtuman osallistujien merkintä"),
    "event_feedback_requests": _l("Tapahtumien palautekyselyt"),
    "contact_reminders": _l("Yhteydenottopyyntöjen muistutukset"),
    "error_report_done": _l("Virheilmoitus korjattu"),
    "create": _l("Lisäys"),
    "approve": _l("Hyväksyntä"),
    "reject": _l("Hylkäys"),
    "edit": _l("Muokkaus"),
    "hide": _l("Piilotus"),
    "unhide": _l("Palautus näkyviin"),
    "pause": _l("Tauko"),
    "unpause": _l("Tauon poisto"),
    "delete": _l("Poisto"),
    "undelete": _l("Poiston peruminen"),
    "activity_ended": _l("Ilmoitus toiminnan päättymisestä"),
    "activity_ended_undone": _l("Toiminnan päättymisilmoituksen peruminen"),
    "claim_approve": _l("Liittymispyynnön hyväksyntä"),
    "claim_decline": _l("Liittymispyynnön hylkäys"),
    "merge": _l("Kaksoiskappaleen yhdistäminen"),
    "restore_revision": _l("Palautus aiempaan versioon"),
    "edit_request": _l("Muokkauspyyntö"),
    "reminders": _l("Muistutukset"),
    "retry_mail": _l("Viestin uusi yritys"),
    "export": _l("Vienti"),
    "taxonomy": _l("Luokituksen muutos"),
    "purge": _l("Vanhojen tietojen poisto"),
    "erase": _l("Henkilön tietojen poisto"),
}
PAGE_SIZE = 50


def record_audit(actor: str, action: str, object_type: str = "", object_id: int | None = None, **detail) -> AuditEvent:
    """Write one event; flush, no commit. `detail` must be JSON-serialisable."""
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(
        actor=actor, action=action, object_type=object_type, object_id=object_id, detail=detail, created_at=utcnow()
    )
    db.session.add(event)
    db.session.flush()
    return event


@dataclass
class AuditFilter:
    actor: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    # The dates as typed, and what is wrong with them by field name: the form shows both.
    typed: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: MultiDict) -> "AuditFilter":
        """Tolerant: a choice that is not one is ignored; a date that is not one is named next to its field."""
        action = args.get("toiminto", "")
        typed = {name: args.get(name, "").strip()[:40] for name in ("alkaen", "asti")}
        dates = {name: parse_date(text) for name, text in typed.items()}
        problems = {
            name: _("Anna päivämäärä muodossa pp.kk.vvvv, esimerkiksi 31.12.2025.")
            for name, text in typed.items() if text and dates[name] is None
        }
        if dates["alkaen"] and dates["asti"] and dates["asti"] < dates["alkaen"]:
            problems["asti"] = _("Päättymispäivä on ennen alkamispäivää. Valitse sama tai myöhempi päivä.")
        return cls(
            actor=args.get("tekija", "").strip().lower()[:254],
            action=action if action in ACTION_LABELS else "",
            date_from=dates["alkaen"],
            date_to=dates["asti"],
            page=list_page(args.get("sivu")),
            typed=typed,
            problems=problems,
        )

    def to_args(self, **changes) -> dict[str, str]:
        values = {
            "tekija": self.actor,
            "toiminto": self.action,
            "alkaen": self.date_from.isoformat() if self.date_from else "",
            "asti": self.date_to.isoformat() if self.date_to else "",
            "sivu": str(self.page) if self.page > 1 else "",
        }
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value}


def audit_events(selection: AuditFilter, per_page: int = PAGE_SIZE) -> Pagination:
    """The matching events, newest first, one page of them."""
    query = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if selection.actor:
        query = query.where(AuditEvent.actor == selection.actor)
    if selection.action:
        query = query.where(AuditEvent.action == selection.action)
    if selection.date_from:
        query = query.where(AuditEvent.created_at >= datetime.combine(selection.date_from, time.min))
    if selection.date_to:
        # The whole of the last day counts.
        query = query.where(AuditEvent.created_at < datetime.combine(selection.date_to + timedelta(days=1), time.min))
    return db.paginate(query, page=selection.page, per_page=per_page, error_out=False, count=True)


def audit_actors() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)))
