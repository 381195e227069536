"""Staff views about duplicates: adding an entry (with the duplicate check) and merging two entries."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.admin.access import actor
from app.admin.blueprint import bp
from app.directory.duplicates import different_organisation_confirmed, possible_duplicates
from app.directory.filters import STATUS_LABELS
from app.directory.forms import OrganisationForm
from app.directory.merging import merge_organisations, moving_members
from app.directory.moderation import ModerationError
from app.directory.organisations import create_organisation
from app.extensions import db
from app.models import Organisation
from app.platform.audit import record_audit
from app.platform.form_fields import ActionForm
from app.platform.submissions import earlier_answer, submit_once


@bp.route("/jarjestot/uusi", methods=["GET", "POST"])
def add_organisation():
    """A new entry by staff; entries with the same Y-tunnus or a similar name are shown before saving."""
    if (earlier := earlier_answer()) is not None:
        return earlier
    form = OrganisationForm.for_request(staff=True)
    if not form.is_submitted():
        form.status.data = "published"
    if not form.validate_on_submit():
        return _form_page(form, 422 if form.is_submitted() else 200)
    data = form.to_data()
    if not different_organisation_confirmed(request.form):
        duplicates = possible_duplicates(data.name, data.business_id)
        if duplicates:
            return _form_page(form, 200, duplicates=duplicates)

    def create():
        organisation = create_organisation(data, actor())
        record_audit(actor(), "create", "organisation", organisation.id, name=organisation.name)
        flash(_("Järjestö %(name)s on lisätty.", name=organisation.name))
        return url_for(".organisation", organisation_id=organisation.id)

    return submit_once(form, create)


def _form_page(form: OrganisationForm, status: int, duplicates=()):
    return render_template(
        "directory/staff/organisation_form.html", form=form, organisation=None, conflicts=None,
        duplicates=duplicates, status_labels=STATUS_LABELS,
    ), status


@bp.route("/jarjestot/<int:organisation_id>/yhdista/<int:duplicate_id>", methods=["GET", "POST"])
def merge(organisation_id: int, duplicate_id: int):
    """Merge the duplicate into this entry, after a page that says what will happen and asks to confirm."""
    kept = db.get_or_404(Organisation, organisation_id)
    duplicate = db.get_or_404(Organisation, duplicate_id)
    if kept.id == duplicate.id:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        return render_template("directory/staff/merge.html", kept=kept, duplicate=duplicate, form=form,
                               status_labels=STATUS_LABELS, members=moving_members(kept, duplicate))
    try:
        merged = merge_organisations(kept, duplicate, actor())
    except ModerationError as problem:
        db.session.rollback()
        flash(problem.message)
        return redirect(url_for(".organisation", organisation_id=organisation_id), code=303)
    db.session.commit()
    flash(" ".join([
        _("%(duplicate)s yhdistettiin järjestöön %(name)s ja poistettiin.", duplicate=duplicate.name, name=kept.name),
        *([_("Yhteyshenkilöiksi lisättiin: %(emails)s.", emails=", ".join(merged.contacts_added))]
          if merged.contacts_added else []),
        *([_("Jäsenjärjestöiksi siirrettiin: %(names)s.", names=", ".join(merged.members_moved))]
          if merged.members_moved else []),
    ]))
    return redirect(url_for(".organisation", organisation_id=kept.id), code=303)
