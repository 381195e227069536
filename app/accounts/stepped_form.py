"""The organisation form in steps, for contacts: /jarjestoille/omat/…/vaihe/<step>.

Perustiedot → Mitä tarjoatte → Yhteystiedot ja saavutettavuus → Esikatselu.
Every POST keeps the step's input in the person's draft (app/directory/drafts.py)
and answers 303: "Seuraava" goes on when the step is valid, "Edellinen" goes
back and "Tallenna luonnos" stays, both without validating.  The draft is keyed
by the address, so signing in again days later continues where the person left
off.  The last step shows the entry as the public will see it and sends it with
the one-page form's own functions (a new one waits for approval; an edit is
saved with the version check).
"""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.accounts.routes import bp, own_organisation_or_404, save_own_organisation, send_new_organisation
from app.accounts.sessions import current_user, sign_in_required
from app.directory.drafts import find_draft, save_draft
from app.directory.form_steps import (
    CSRF_FIELD,
    PREVIEW,
    FormStep,
    draft_form,
    posted_values,
    start_values,
    step_by_slug,
    steps_for,
    steps_with_errors,
    validate_fields,
    validate_step,
)
from app.directory.organisations import preview_organisation
from app.extensions import db
from app.models import Organisation
from app.platform.submissions import KEY_FIELD, earlier_answer

STEPS = steps_for(staff=False)
ACTION = "toiminto"
NEXT, PREVIOUS, SAVE, ONE_PAGE = "seuraava", "edellinen", "luonnos", "yksi-sivu"


@bp.get("/omat/uusi/vaiheet", defaults={"organisation_id": None})
@bp.get("/omat/<int:organisation_id>/vaiheet")
@sign_in_required("contact")
def continue_form(organisation_id: int | None):
    """Where the person left off: the step of their draft, or the first step."""
    _organisation(organisation_id)
    draft = find_draft(current_user().email, organisation_id)
    step = (step_by_slug(STEPS, draft.step) if draft else None) or STEPS[0]
    return redirect(step_url(organisation_id, step), code=303)


@bp.route("/omat/uusi/vaihe/<slug>", methods=["GET", "POST"], defaults={"organisation_id": None})
@bp.route("/omat/<int:organisation_id>/vaihe/<slug>", methods=["GET", "POST"])
@sign_in_required("contact")
def form_step(organisation_id: int | None, slug: str):
    """One step: its fields on GET; on POST the step kept in the draft, then on, back or stay."""
    email = current_user().email
    organisation = _organisation(organisation_id)
    step = step_by_slug(STEPS, slug)
    if step is None:
        abort(404)
    if step is PREVIEW:
        return _preview(organisation, organisation_id, email)
    draft = find_draft(email, organisation_id)
    values = draft.values if draft else start_values(organisation)
    if request.method == "GET":
        form = draft_form(organisation, values, staff=False, contacts=[email])
        return _step_page(form, organisation, step, 200)
    form = draft_form(organisation, values, staff=False, contacts=[email], step=step, posted=request.form)
    if not validate_fields(form, [CSRF_FIELD]):
        # Nothing is kept from a request that may not be the person's own; the input stays on the page.
        return _step_page(form, organisation, step, 422)
    action = request.form.get(ACTION, NEXT)
    index = STEPS.index(step)
    if action == PREVIOUS:
        target = STEPS[max(index - 1, 0)]
    elif action in (SAVE, ONE_PAGE):
        target = step
    else:
        target = STEPS[index + 1] if validate_step(form, step) else None
    kept = posted_values(step, request.form, form)
    save_draft(email, organisation_id, (target or step).slug, kept if draft else {**values, **kept})
    db.session.commit()
    if target is None:
        return _step_page(form, organisation, step, 422)
    if action == ONE_PAGE:
        return redirect(_one_page_url(organisation_id), code=303)
    if action == SAVE:
        flash(_("Luonnos tallennettu. Voit jatkaa myöhemmin: kirjaudu sisään ja valitse Omat järjestöt."))
    return redirect(step_url(organisation_id, target), code=303)


def _preview(organisation: Organisation | None, organisation_id: int | None, email: str):
    """The entry as the public will see it; its POST sends the form like the one-page form."""
    posting = request.method == "POST"
    if posting and (earlier := earlier_answer()) is not None:
        return earlier
    draft = find_draft(email, organisation_id)
    values = draft.values if draft else start_values(organisation)
    form = draft_form(
        organisation, values, staff=False, contacts=[email], step=PREVIEW,
        posted=request.form if posting else None,
    )
    if posting:
        valid = form.validate()
    else:
        valid = validate_fields(form, [name for name in form._fields if name not in (CSRF_FIELD, KEY_FIELD)])
    if valid and posting:
        if organisation is None:
            return send_new_organisation(form, email)
        return save_own_organisation(form, organisation, email)
    # A page too old to send (its token or key) still shows the entry: sending again works.
    fields_valid = not any(field.errors for field in form if field.name not in (CSRF_FIELD, KEY_FIELD))
    return render_template(
        "accounts/organisation_preview.html",
        **_step_context(form, organisation, PREVIEW),
        preview=preview_organisation(form.to_data()) if fields_valid else None,
        problems=steps_with_errors(form, STEPS),
        today=date.today(),
    ), (422 if posting else 200)


def _step_page(form, organisation: Organisation | None, step: FormStep, status: int):
    return render_template("accounts/organisation_step.html", **_step_context(form, organisation, step)), status


def _step_context(form, organisation: Organisation | None, step: FormStep) -> dict:
    organisation_id = organisation.id if organisation else None
    index = STEPS.index(step)
    return {
        "form": form,
        "organisation": organisation,
        "step": step,
        "steps": STEPS,
        "number": index + 1,
        "previous_url": step_url(organisation_id, STEPS[index - 1]) if index else None,
        "step_urls": {other.slug: step_url(organisation_id, other) for other in STEPS},
        "action": step_url(organisation_id, step),
        "one_page_url": _one_page_url(organisation_id),
        "conflicts": None,
        "editor_email": current_user().email if organisation else None,
    }


def step_url(organisation_id: int | None, step: FormStep) -> str:
    if organisation_id is None:
        return url_for(".form_step", slug=step.slug)
    return url_for(".form_step", organisation_id=organisation_id, slug=step.slug)


def _one_page_url(organisation_id: int | None) -> str:
    if organisation_id is None:
        return url_for(".add_organisation")
    return url_for(".edit_organisation", organisation_id=organisation_id)


def _organisation(organisation_id: int | None) -> Organisation | None:
    return None if organisation_id is None else own_organisation_or_404(organisation_id)
