"""The contact's side of an edit request: the 7-day link in the e-mail.

These two views belong to the organisation contacts' URL space (/jarjestoille)
and attach to the account blueprint, which must not have been registered yet:
app/admin is imported by setup_blueprints before any registration.
"""
from flask import redirect, url_for

from app.account.routes import bp as account_bp
from app.admin.access import token_page
from app.extensions import db
from app.services.access import contact_can_edit
from app.services.edit_requests import EDIT_LINK_DAYS
from app.services.sessions import start_session
from app.services.tokens import consume_token, peek_token


@account_bp.get("/muokkaa/<token>")
def open_edit_link(token: str):
    """Opening the link changes nothing: mail scanners fetch links too."""
    return token_page(peek_token(token, "edit_request"), "admin/edit_link_problem.html", days=EDIT_LINK_DAYS)


@account_bp.post("/muokkaa/<token>")
def use_edit_link(token: str):
    """"Jatka": spend the link, sign the contact in, open the organisation's form."""
    used = consume_token(token, "edit_request")
    if used is None:
        return token_page(peek_token(token, "edit_request"), "admin/edit_link_problem.html", days=EDIT_LINK_DAYS)
    start_session(used.email, "contact")
    db.session.commit()
    if used.organisation_id is not None and contact_can_edit(used.email, used.organisation_id):
        return redirect(url_for("account.edit_organisation", organisation_id=used.organisation_id), code=303)
    # The address was removed from the contacts after the request was sent.
    return redirect(url_for("account.my_organisations"), code=303)
