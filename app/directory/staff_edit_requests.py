"""Staff views: write an edit request once, send it to one or many organisations' contacts."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.admin.access import actor
from app.admin.blueprint import bp
from app.admin.forms import EditRequestForm
from app.directory.edit_requests import EDIT_LINK_DAYS, results_of, same_edit_request_sent, send_edit_requests
from app.directory.filters import OrganisationFilter, matching_ids, organisations_by_ids
from app.extensions import db
from app.models import AuditEvent
from app.platform.submissions import submit_once
from app.platform.validation import database_ids

SELECT_ALL = "kaikki"


@bp.route("/muokkauspyynto", methods=["GET", "POST"])
def compose_edit_request():
    """The chosen organisations (ticked, or all matching the list's filters) and the message."""
    form = EditRequestForm()
    if form.is_submitted():
        ids = form.ids
    elif request.args.get(SELECT_ALL) == "1":
        ids = matching_ids(OrganisationFilter.from_args(request.args))
    else:
        ids = database_ids(request.args.getlist("jarjesto"))
    organisations = organisations_by_ids(ids)
    if not form.is_submitted():
        form.organisation_ids.data = ",".join(str(organisation.id) for organisation in organisations)
    if not organisations:
        flash(_("Valitse ensin vähintään yksi järjestö."))
        return redirect(url_for(".organisations", **OrganisationFilter.from_args(request.args).to_args()), code=303)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template(
            "directory/staff/edit_request.html", form=form, organisations=organisations, days=EDIT_LINK_DAYS
        ), status

    def send():
        message = form.message.data.strip()
        event = same_edit_request_sent(organisations, message)
        if event is None:
            event = send_edit_requests(organisations, message, actor())
        else:
            flash(_("Sama pyyntö lähetettiin jo hetki sitten, joten sitä ei lähetetty uudelleen."))
        return url_for(".edit_request_results", event_id=event.id)

    return submit_once(form, send)


@bp.get("/muokkauspyynnot/<int:event_id>")
def edit_request_results(event_id: int):
    """What happened to each organisation: how many contacts got the request."""
    event = db.get_or_404(AuditEvent, event_id)
    if event.action != "edit_request":
        return redirect(url_for(".audit_log"), code=303)
    return render_template("directory/staff/edit_request_results.html", event=event, results=results_of(event))
