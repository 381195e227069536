"""/jarjestoille: "Toimintamme on päättynyt" — a contact takes their entry out of the directory,
and can take the report back until staff have handled it."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app.accounts.forms import EndActivityForm
from app.accounts.routes import bp, own_organisation_or_404
from app.accounts.sessions import current_user, sign_in_required
from app.directory.ending import ended_report, report_ended, undo_ended
from app.directory.moderation import ModerationError
from app.extensions import db
from app.platform.form_fields import ActionForm
from app.platform.submissions import earlier_answer, submit_once


@bp.route("/omat/<int:organisation_id>/toiminta-paattynyt", methods=["GET", "POST"])
@sign_in_required("contact")
def end_activity(organisation_id: int):
    """The entry leaves search and its public page at once; staff are told and decide on deleting it."""
    if (earlier := earlier_answer()) is not None:
        return earlier
    organisation = own_organisation_or_404(organisation_id)
    if ended_report(organisation) is not None:
        return redirect(url_for(".activity_ended", organisation_id=organisation.id), code=303)
    form = EndActivityForm()
    # Only a published entry is offered the form: the others are not in the directory to leave it.
    if not organisation.is_published or not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/end_activity.html", organisation=organisation, form=form), status
    email = current_user().email

    def report():
        try:
            report_ended(organisation, email, form.message.data or "")
        except ModerationError as refused:
            flash(refused.message)
            return None
        return url_for(".activity_ended", organisation_id=organisation.id)

    return submit_once(form, report) or redirect(url_for(".my_organisations"), code=303)


@bp.get("/omat/<int:organisation_id>/toiminta-paattynyt/ilmoitettu")
@sign_in_required("contact")
def activity_ended(organisation_id: int):
    """What happened, what staff do next, and the undo while it is still the contacts' own."""
    organisation = own_organisation_or_404(organisation_id)
    if ended_report(organisation) is None:
        return redirect(url_for(".my_organisations"), code=303)
    return render_template("accounts/activity_ended.html", organisation=organisation, undo_form=ActionForm())


@bp.post("/omat/<int:organisation_id>/toiminta-paattynyt/peru")
@sign_in_required("contact")
def undo_activity_ended(organisation_id: int):
    """"Peru ilmoitus": the entry is shown again, unless staff have acted on it meanwhile."""
    organisation = own_organisation_or_404(organisation_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".activity_ended", organisation_id=organisation.id), code=303)
    try:
        undone = undo_ended(organisation, current_user().email)
    except ModerationError as refused:
        db.session.rollback()
        flash(refused.message)
        return redirect(url_for(".my_organisations"), code=303)
    db.session.commit()
    if undone:
        flash(_("Ilmoitus peruttu. Järjestö %(name)s näkyy taas palvelussa, ja ylläpidolle lähti tieto "
                "perumisesta.", name=organisation.name))
    return redirect(url_for(".my_organisations"), code=303)
