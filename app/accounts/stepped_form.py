"""The organisation form in steps, for contacts: /jarjestoille/omat/…/vaihe/<step>.

Perustiedot → Mitä tarjoatte → Yhteystiedot ja saavutettavuus → Esikatselu; the
pages themselves are app/directory/stepped_pages.py.  A draft is keyed by the
address, so signing in again days later continues where the person left off.
A new organisation waits for approval; an edit is saved with the version check,
both by the one-page form's own functions.
"""
from flask import flash, redirect, url_for
from flask_babel import gettext as _

from app.accounts.routes import bp, contact_stepped_form, keep_organisation_form
from app.accounts.sessions import sign_in_required
from app.directory.drafts import discard_draft
from app.directory.stepped_pages import continue_url, step_page
from app.extensions import db
from app.platform.form_fields import ActionForm


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


@bp.post("/omat/uusi/luonnos/hylkaa", defaults={"organisation_id": None})
@bp.post("/omat/<int:organisation_id>/luonnos/hylkaa")
@sign_in_required("contact")
def discard_own_draft(organisation_id: int | None):
    """Throw the person's unsent draft away: "Muokkaa" then starts from the saved details."""
    stepped = contact_stepped_form(organisation_id)  # 404 for someone else's organisation
    if ActionForm().validate_on_submit():
        discard_draft(stepped.email, stepped.organisation_id)
        db.session.commit()
        flash(_("Luonnos hylätty."))
    return redirect(url_for(".my_organisations"), code=303)
