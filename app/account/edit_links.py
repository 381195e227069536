"""The contact's side of a staff edit request: the 7-day link in the e-mail."""
from flask import redirect, url_for

from app.account.link_pages import EDIT_LINK, token_page
from app.account.routes import bp as account_bp
from app.extensions import db
from app.services.access import contact_can_edit
from app.services.sessions import start_session
from app.services.tokens import consume_token, peek_token


@account_bp.get("/muokkaa/<token>")
def open_edit_link(token: str):
    """Opening the link changes nothing: mail scanners fetch links too."""
    return token_page(peek_token(token, "edit_request"), EDIT_LINK)


@account_bp.post("/muokkaa/<token>")
def use_edit_link(token: str):
    """"Jatka": spend the link, sign the contact in, open the organisation's form."""
    used = consume_token(token, "edit_request")
    if used is None:
        return token_page(peek_token(token, "edit_request"), EDIT_LINK)
    start_session(used.email, "contact")
    db.session.commit()
    if used.organisation_id is not None and contact_can_edit(used.email, used.organisation_id):
        return redirect(url_for("account.edit_organisation", organisation_id=used.organisation_id), code=303)
    # The address was removed from the contacts after the request was sent.
    return redirect(url_for("account.my_organisations"), code=303)
