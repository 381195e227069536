"""Public directory pages: one organisation, all organisations A–Z."""
from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app.contact.forms import ContactRequestForm
from app.contact.requests import recipients
from app.directory.error_reports import report_error
from app.directory.freshness import STALE_AFTER
from app.directory.forms import ErrorReportForm
from app.directory.reads import (
    organisations_by_letter,
    published_members,
    published_organisation_or_404,
    published_parent,
)
from app.extensions import db
from app.models import utcnow
from app.platform.ratelimit import submission_limits

bp = Blueprint("directory", __name__)


def _organisation_page(found, error_form: ErrorReportForm, status: int = 200):
    return render_template(
        "directory/organisation.html",
        organisation=found,
        parent=published_parent(found),
        members=published_members(found),
        today=date.today(),
        details_stale=found.confirmed_at is None or found.confirmed_at < utcnow() - STALE_AFTER,
        can_receive_requests=bool(recipients(found)),
        form=ContactRequestForm(),
        error_form=error_form,
        organisations=[found],
        action=url_for("contact.contact_organisation", organisation_id=found.id),
    ), status


@bp.get("/jarjestot/<int:organisation_id>")
def organisation(organisation_id: int):
    """Everything public about one organisation."""
    return _organisation_page(published_organisation_or_404(organisation_id), ErrorReportForm(formdata=None))


@bp.post("/jarjestot/<int:organisation_id>/virheilmoitus")
@submission_limits("error-report")
def report_organisation_error(organisation_id: int):
    """"Ilmoita virheestä": a task for staff and a mail to the organisation's contacts."""
    found = published_organisation_or_404(organisation_id)
    form = ErrorReportForm()
    if not form.validate_on_submit():
        return _organisation_page(found, form, 422)
    description, email = form.cleaned()
    report_error(found, description, email, notify_email=current_app.config["STAFF_NOTIFY_EMAIL"] or None)
    db.session.commit()
    flash(_("Kiitos! Ilmoitus on välitetty ylläpidolle ja järjestölle."))
    # organisation_id, not found.id: reading an expired attribute after the commit would begin
    # a write transaction that the limiter's count after the answer waits for on SQLite.
    return redirect(url_for("directory.organisation", organisation_id=organisation_id) + "#virheilmoitus", code=303)

@bp.get("/jarjestot")
def organisations():
    """All published organisations A–Z, grouped by letter."""
    return render_template("directory/organisations.html", letters=organisations_by_letter())
