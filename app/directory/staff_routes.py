"""Staff views: every organisation in every status, its details, moderation and editing."""
from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from app.admin.access import actor
from app.admin.blueprint import bp
from app.admin.forms import PauseForm, RejectForm
from app.directory import moderation
from app.directory.conflicts import show_conflict
from app.directory.drafts import discard_draft
from app.directory.duplicates import possible_duplicates
from app.directory.ending import ended_report
from app.directory.filters import STATUS_LABELS, OrganisationFilter, filtered_page
from app.directory.forms import OrganisationForm
from app.directory.history import record_fields
from app.directory.reads import all_municipalities
from app.directory.merging import suggested_merge
from app.directory.organisations import VersionConflict, update_organisation
from app.directory.records import staff_record
from app.directory.stepped_pages import SteppedForm, continue_url, one_page_form, step_page
from app.extensions import db
from app.models import Organisation
from app.platform.audit import record_audit
from app.platform.form_fields import ActionForm

# Moderation actions that need nothing but the button: URL part → service function.
SIMPLE_ACTIONS = {
    "hyvaksy": (moderation.approve, _l("Järjestö %(name)s on julkaistu ja yhteyshenkilöille lähti viesti.")),
    "piilota": (moderation.hide, _l("Järjestö %(name)s on piilotettu.")),
    "nayta": (moderation.unhide, _l("Järjestö %(name)s näkyy taas palvelussa.")),
    "poista": (
        moderation.delete, _l("Järjestö %(name)s on poistettu. Se poistuu lopullisesti säilytysajan jälkeen.")
    ),
    "peru-poisto": (moderation.undelete, _l("Järjestön %(name)s poisto on peruttu. Järjestö on piilotettu.")),
}


@bp.get("/jarjestot")
def organisations():
    """All organisations, filtered by status, municipality, staleness and name."""
    selection = OrganisationFilter.from_args(request.args)
    return render_template(
        "directory/staff/organisations.html",
        selection=selection,
        page=filtered_page(selection),
        status_labels=STATUS_LABELS,
        municipality_choices=[(municipality.id, municipality.label) for municipality in all_municipalities()],
    )


@bp.get("/jarjestot/<int:organisation_id>")
def organisation(organisation_id: int):
    """Every field, admin figures and contacts included, with the moderation actions."""
    return _detail_page(db.get_or_404(Organisation, organisation_id))


def _detail_page(organisation: Organisation, *, reject_form=None, pause_form=None, status: int = 200):
    if pause_form is None:
        pause_form = PauseForm(data={
            "until": organisation.paused_until.isoformat() if organisation.paused_until else "",
            "note": organisation.paused_note,
        })
    return render_template(
        "directory/staff/organisation.html",
        organisation=organisation,
        fields=record_fields(staff_record(organisation)),
        status_labels=STATUS_LABELS,
        action_form=ActionForm(),
        reject_form=reject_form or RejectForm(),
        pause_form=pause_form,
        ended=ended_report(organisation),
        merges=[] if organisation.deleted_at else [
            (duplicate, *suggested_merge(organisation, duplicate))
            for duplicate in possible_duplicates(organisation.name, organisation.business_id, exclude_id=organisation.id)
        ],
    ), status


@bp.post("/jarjestot/<int:organisation_id>/<any('hyvaksy', 'piilota', 'nayta', 'poista', 'peru-poisto'):action>")
def moderate(organisation_id: int, action: str):
    """Approve, hide, show again, delete or take a deletion back."""
    organisation = db.get_or_404(Organisation, organisation_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".organisation", organisation_id=organisation.id), code=303)
    perform, done = SIMPLE_ACTIONS[action]
    try:
        perform(organisation, actor())
    except moderation.ModerationError as problem:
        db.session.rollback()
        flash(problem.message)
    else:
        db.session.commit()
        flash(str(done) % {"name": organisation.name})
    return redirect(url_for(".organisation", organisation_id=organisation.id), code=303)


@bp.post("/jarjestot/<int:organisation_id>/hylkaa")
def reject(organisation_id: int):
    """Turn a waiting organisation down; the reason is required and mailed."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _detail_page(organisation, reject_form=form, status=422)
    try:
        moderation.reject(organisation, actor(), form.reason.data)
    except moderation.ModerationError as problem:
        db.session.rollback()
        flash(problem.message)
    else:
        db.session.commit()
        flash(_("Järjestöä %(name)s ei julkaistu. Perustelu lähti yhteyshenkilöille.", name=organisation.name))
    return redirect(url_for(".organisation", organisation_id=organisation.id), code=303)


@bp.post("/jarjestot/<int:organisation_id>/tauko")
def pause(organisation_id: int):
    """Mark the activity paused until a date, with a public note; an empty date ends the pause."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = PauseForm()
    if not form.validate_on_submit():
        return _detail_page(organisation, pause_form=form, status=422)
    try:
        moderation.pause(organisation, actor(), form.until.date, form.note.data)
    except moderation.ModerationError as problem:
        db.session.rollback()
        form.until.errors = [problem.message]
        return _detail_page(db.get_or_404(Organisation, organisation_id), pause_form=form, status=422)
    db.session.commit()
    flash(_("Tauon tiedot tallennettu."))
    return redirect(url_for(".organisation", organisation_id=organisation.id), code=303)


@bp.route("/jarjestot/<int:organisation_id>/muokkaa", methods=["GET", "POST"])
def edit_organisation(organisation_id: int):
    """Every field with the contacts' form, plus the status."""
    stepped = staff_stepped_form(organisation_id)
    organisation = stepped.organisation
    form = one_page_form(stepped)
    if not form.validate_on_submit():
        return _form_page(form, organisation, 422 if form.is_submitted() else 200)
    return save_staff_edit(form, organisation)


@bp.get("/jarjestot/<int:organisation_id>/vaiheet")
def organisation_form_steps(organisation_id: int):
    """The form in steps, where this staff member left off (the staff-only figures are a step)."""
    return redirect(continue_url(staff_stepped_form(organisation_id)), code=303)


@bp.route("/jarjestot/<int:organisation_id>/vaihe/<slug>", methods=["GET", "POST"])
def organisation_form_step(organisation_id: int, slug: str):
    """One step of the form, or its preview."""
    return step_page(staff_stepped_form(organisation_id), slug)


def staff_stepped_form(organisation_id: int) -> SteppedForm:
    organisation = db.get_or_404(Organisation, organisation_id)
    return SteppedForm(
        email=actor(), organisation=organisation, staff=True,
        step_url=partial(url_for, ".organisation_form_step", organisation_id=organisation.id),
        one_page_url=url_for(".edit_organisation", organisation_id=organisation.id),
        send=partial(save_staff_edit, organisation=organisation),
        page={
            "layout": "admin/stepped_layout.html",
            "back_url": url_for(".organisation", organisation_id=organisation.id),
            "back_label": _("Takaisin järjestön tietoihin"),
            "form_name": _("Muokkaa: %(name)s", name=organisation.name),
            "submit_label": _("Tallenna muutokset"),
        },
    )


def save_staff_edit(form: OrganisationForm, organisation: Organisation):
    """Save a valid form with the version check and audit it; the staff member's draft goes."""
    organisation_id = organisation.id
    data = form.to_data()
    try:
        changed = update_organisation(
            organisation, data, actor(), base_version=form.base_version, base_record=form.started_from,
            choices=form.conflict_choices,
        ).changed
        if changed:
            record_audit(actor(), "edit", "organisation", organisation.id, name=organisation.name)
        discard_draft(actor(), organisation_id)
        db.session.commit()
    except VersionConflict:
        db.session.rollback()
        organisation = db.get_or_404(Organisation, organisation_id)
        return _form_page(form, organisation, 409, conflicts=show_conflict(form, organisation, data))
    flash(_("Tiedot tallennettu.") if changed else _("Tietoihin ei tehty muutoksia, joten mitään ei tallennettu."))
    return redirect(url_for(".organisation", organisation_id=organisation.id), code=303)


def _form_page(form: OrganisationForm, organisation: Organisation, status: int, conflicts=None):
    return render_template(
        "directory/staff/organisation_form.html", form=form, organisation=organisation, conflicts=conflicts
    ), status
