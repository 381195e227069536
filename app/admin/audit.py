"""Staff views: the audit log, filterable by actor, action and date range."""
from flask import render_template, request
from flask_babel import lazy_gettext as _l

from app.admin.blueprint import bp
from app.admin.taxonomy import KIND_LABELS
from app.platform.audit import ACTION_LABELS, AuditFilter, audit_actors, audit_events

# What an event's object is, in words (a taxonomy change names its kind by the kind's slug).
OBJECT_LABELS = {
    "organisation": _l("Järjestö"),
    "event": _l("Tapahtuma"),
    "workshop_order": _l("Työpajatilaus"),
    "workshop_slot": _l("Työpajan vapaa aika"),
    "outbox_message": _l("Sähköpostiviesti"),
    "staff_user": _l("Ylläpitäjän tili"),
    "error_report": _l("Virheilmoitus"),
    "statistics": _l("Tilastot"),
    "event_feedback": _l("Tapahtumien palaute"),
    "workshop_feedback": _l("Työpajojen palaute"),
    **{slug: heading for slug, (heading, _noun) in KIND_LABELS.items()},
}


@bp.get("/loki")
def audit_log():
    """Who did what and when, newest first."""
    selection = AuditFilter.from_args(request.args)
    return render_template(
        "admin/audit.html",
        selection=selection,
        events=audit_events(selection),
        actors=audit_actors(),
        action_labels=ACTION_LABELS,
        object_labels=OBJECT_LABELS,
    )
