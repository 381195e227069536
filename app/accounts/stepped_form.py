"""The organisation form in steps, for contacts: /jarjestoille/omat/…/vaihe/<step>.

Perustiedot → Mitä tarjoatte → Yhteystiedot ja saavutettavuus → Esikatselu; the
pages themselves are app/directory/stepped_pages.py.  A draft is keyed by the
address, so signing in again days later continues where the person left off.
A new organisation waits for approval; an edit is saved with the version check,
both by the one-page form's own functions.
"""
from flask import redirect

from app.accounts.routes import bp, contact_stepped_form, keep_organisation_form
from app.accounts.sessions import sign_in_required
from app.directory.stepped_pages import continue_url, step_page


@bp.get("/omat/uusi/vaiheet", defaults={"organisation_id": None})
@bp.get("/omat/<int:organisation_id>/vaiheet")
@sign_in_required("contact")
def continue_form(organisation_id: int | None):
    """Where the person left off: the step of their draft, or the first step."""
    return redirect(continue_url(contact_stepped_form(organisation_id)), code=303)


@bp.route("/omat/uusi/vaihe/<slug>", methods=["GET", "POST"], defaults={"organisation_id": None})
@bp.route("/omat/<int:organisation_id>/vaihe/<slug>", methods=["GET", "POST"])
@sign_in_required("contact", keep=keep_organisation_form)
def form_step(organisation_id: int | None, slug: str):
    """One step of the form, or its preview."""
    return step_page(contact_stepped_form(organisation_id), slug)
