"""Staff views: the audit log, filterable by actor, action and date range."""
from flask import render_template, request

from app.admin.blueprint import bp
from app.platform.audit import ACTION_LABELS, AuditFilter, audit_actors, audit_events


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
    )
