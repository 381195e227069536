"""The pages of the stepped organisation form, for contacts and staff alike.

Like app/accounts/link_pages.py this module serves views, so it reads `request`;
the feature's routes say who is editing what (a SteppedForm) and how a valid
form is sent, and call `step_page`.  Every POST keeps the step's input in the
person's draft (app/directory/drafts.py) and answers 303: "Seuraava" goes on when
the step is valid, "Edellinen" goes back and "Tallenna luonnos" stays, both
without validating, and "Näytä koko lomake yhdellä sivulla" saves the step and
opens the one-page form, which starts from the draft.  The last step shows the
entry as the public will see it and sends it with the one-page form's functions.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _

from app.directory.contacts import add_sender
from app.directory.drafts import find_draft, save_draft
from app.directory.filters import STATUS_LABELS
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
from app.directory.forms import OrganisationForm
from app.directory.organisations import preview_organisation
from app.extensions import db
from app.models import Organisation
from app.platform.form_fields import EmailAddressField
from app.platform.submissions import KEY_FIELD, earlier_answer

ACTION = "toiminto"
NEXT, PREVIOUS, SAVE, ONE_PAGE = "seuraava", "edellinen", "luonnos", "yksi-sivu"


@dataclass(frozen=True)
class SteppedForm:
    """Who fills in which organisation's form, where its pages are, and how it is sent."""

    email: str
    organisation: Organisation | None
    staff: bool
    step_url: Callable[..., str]  # step_url(slug=…) → the step's URL
    one_page_url: str
    send: Callable[[OrganisationForm], object]  # a valid whole form → the answer
    page: dict = field(default_factory=dict)  # layout, back_url, back_label, form_name, editor_email, submit_label

    @property
    def organisation_id(self) -> int | None:
        return self.organisation.id if self.organisation is not None else None

    @property
    def steps(self) -> tuple[FormStep, ...]:
        return steps_for(staff=self.staff)

    @property
    def contacts(self) -> list[str]:
        # A contact starting a new organisation is its first contact.
        return [] if self.staff else [self.email]


def continue_url(stepped: SteppedForm) -> str:
    """Where the person left off: the step of their draft, or the first step."""
    draft = find_draft(stepped.email, stepped.organisation_id)
    step = (step_by_slug(stepped.steps, draft.step) if draft else None) or stepped.steps[0]
    return stepped.step_url(slug=step.slug)


def step_page(stepped: SteppedForm, slug: str):
    """One step: its fields on GET; on POST the step kept in the draft, then on, back or stay."""
    step = step_by_slug(stepped.steps, slug)
    if step is None:
        abort(404)
    if step is PREVIEW:
        return _preview(stepped)
    draft = find_draft(stepped.email, stepped.organisation_id)
    values = draft.values if draft else start_values(stepped.organisation)
    if request.method == "GET":
        return _step_page(stepped, _form(stepped, values), step, 200)
    # CSRFProtect has already refused a request that is not the person's own.
    form = _form(stepped, values, step=step, posted=request.form)
    action = request.form.get(ACTION, NEXT)
    index = stepped.steps.index(step)
    if action == PREVIOUS:
        target = stepped.steps[max(index - 1, 0)]
    elif action in (SAVE, ONE_PAGE):
        target = step
    else:
        target = stepped.steps[index + 1] if validate_step(form, step) else None
    kept = posted_values(step, request.form, form)
    save_draft(stepped.email, stepped.organisation_id, (target or step).slug, kept if draft else {**values, **kept})
    db.session.commit()
    if target is None:
        return _step_page(stepped, form, step, 422)
    if action == ONE_PAGE:
        return redirect(stepped.one_page_url, code=303)
    if action == SAVE:
        flash(_("Luonnos tallennettu. Voit jatkaa myöhemmin: kirjaudu sisään ja valitse Omat järjestöt.")
              if not stepped.staff else _("Luonnos tallennettu."))
    return redirect(stepped.step_url(slug=target.slug), code=303)


def keep_posted_as_draft(email: str, organisation: Organisation | None, slug: str) -> None:
    """A step or the one-page form sent after the person's session ended: what it carried
    becomes their draft, continued at `slug` once they sign in again (flush)."""
    form = draft_form(organisation, {}, staff=False)
    names = {name for name in form._fields if name != CSRF_FIELD}
    names |= {form[name].checked_name for name in names if isinstance(form[name], EmailAddressField)}
    posted = {name: request.form.getlist(name) for name in request.form if name in names}
    organisation_id = organisation.id if organisation is not None else None
    earlier = find_draft(email, organisation_id)
    save_draft(email, organisation_id, slug, posted if earlier else {**start_values(organisation), **posted})


def one_page_form(stepped: SteppedForm) -> OrganisationForm:
    """The one-page form; opened (GET) with a draft of the stepped form, it starts from the draft."""
    draft = find_draft(stepped.email, stepped.organisation_id) if request.method == "GET" else None
    if draft is None:
        return OrganisationForm.for_request(stepped.organisation, staff=stepped.staff, contacts=stepped.contacts)
    return _form(stepped, draft.values)


def _preview(stepped: SteppedForm):
    """The entry as the public will see it; its POST sends the form like the one-page form."""
    posting = request.method == "POST"
    if posting and (earlier := earlier_answer()) is not None:
        return earlier
    draft = find_draft(stepped.email, stepped.organisation_id)
    if draft is None and stepped.organisation is None and not posting:
        # Nothing typed yet, or the entry was just sent and the browser's Back came here:
        # an empty preview would say "name is required" as if what was sent were lost.
        return redirect(stepped.step_url(slug=stepped.steps[0].slug), code=303)
    values = draft.values if draft else start_values(stepped.organisation)
    form = _form(stepped, values, step=PREVIEW, posted=request.form if posting else None)
    if posting:
        valid = form.validate()
    else:
        valid = validate_fields(form, [name for name in form._fields if name not in (CSRF_FIELD, KEY_FIELD)])
    if valid and posting:
        return stepped.send(form)
    return preview_page(stepped, form, status=422 if posting else 200)


def preview_page(stepped: SteppedForm, form: OrganisationForm, *, status: int = 200, duplicates=()):
    """The preview of the form's entry, with possible duplicates of a new one above its send button."""
    # A page too old to send (its token or key) still shows the entry: sending again works.
    fields_valid = not any(field.errors for field in form if field.name not in (CSRF_FIELD, KEY_FIELD))
    data = form.to_data() if fields_valid else None
    if data is not None and stepped.organisation is None and not stepped.staff:
        add_sender(data.contacts, stepped.email)
    return render_template(
        "accounts/organisation_preview.html",
        **_context(stepped, form, PREVIEW),
        preview=preview_organisation(data) if data is not None else None,
        problems=steps_with_errors(form, stepped.steps),
        duplicates=duplicates,
        status_labels=STATUS_LABELS,
        today=date.today(),
    ), status


def _form(stepped: SteppedForm, values, *, step: FormStep | None = None, posted=None) -> OrganisationForm:
    return draft_form(
        stepped.organisation, values, staff=stepped.staff, contacts=stepped.contacts, step=step, posted=posted
    )


def _step_page(stepped: SteppedForm, form: OrganisationForm, step: FormStep, status: int):
    return render_template("accounts/organisation_step.html", **_context(stepped, form, step)), status


def _context(stepped: SteppedForm, form: OrganisationForm, step: FormStep) -> dict:
    steps = stepped.steps
    index = steps.index(step)
    return {
        "form": form,
        "organisation": stepped.organisation,
        "step": step,
        "steps": steps,
        "number": index + 1,
        "previous_url": stepped.step_url(slug=steps[index - 1].slug) if index else None,
        "step_urls": {other.slug: stepped.step_url(slug=other.slug) for other in steps},
        "action": stepped.step_url(slug=step.slug),
        "one_page_url": stepped.one_page_url,
        "conflicts": None,
        "editor_email": None,
        "submit_label": None,  # None: the contacts' label (accounts/_organisation_send_label.html)
        **stepped.page,
    }
