"""Staff views: the dashboard and retrying failed mail."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app.admin.access import actor
from app.admin.blueprint import bp
from app.admin.summary import dashboard as dashboard_summary
from app.directory.error_reports import mark_done
from app.extensions import db
from app.platform.audit import record_audit
from app.platform.form_fields import ActionForm
from app.platform.outbox import retry_failed


@bp.get("/")
def dashboard():
    """Waiting approvals, latest changes, failed mail, workshop orders, stale entries, overdue requests, error reports."""
    return render_template("admin/dashboard.html", board=dashboard_summary(), action_form=ActionForm())


@bp.post("/viestit/<int:message_id>/uudelleen")
def retry_mail(message_id: int):
    """"Yritä uudelleen": the failed message goes back to the queue."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".dashboard"), code=303)
    message = retry_failed(message_id)
    if message is None:
        flash(_("Viestiä ei löytynyt epäonnistuneista."))
    else:
        record_audit(actor(), "retry_mail", "outbox_message", message.id, to=message.to, subject=message.subject)
        flash(_("Viesti osoitteeseen %(to)s on jonossa uudelleen.", to=message.to))
    db.session.commit()
    return redirect(url_for(".dashboard"), code=303)


@bp.post("/virheilmoitukset/<int:report_id>/korjattu")
def error_report_done(report_id: int):
    """"Merkitse korjatuksi": the reported error is dealt with and leaves the dashboard."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".dashboard"), code=303)
    report = mark_done(report_id, actor())
    if report is None:
        flash(_("Avointa virheilmoitusta ei löytynyt."))
    else:
        record_audit(actor(), "error_report_done", "error_report", report.id, organisation=report.organisation_name)
        flash(_("Virheilmoitus (%(name)s) on merkitty korjatuksi.", name=report.organisation_name))
    db.session.commit()
    return redirect(url_for(".dashboard") + "#virheilmoitukset", code=303)
