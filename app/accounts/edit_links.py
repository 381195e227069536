"""The contact's side of a staff edit request: the 7-day link in the e-mail."""
from flask import url_for

from app.accounts.access import contact_can_edit
from app.accounts.link_pages import EDIT_LINK, opened_link_page, use_contact_link
from app.accounts.routes import bp as account_bp
from app.platform.tokens import TokenState


@account_bp.get("/muokkaa/<token>")
def open_edit_link(token: str):
    """Opening the link changes nothing: mail scanners fetch links too."""
    return opened_link_page(token, EDIT_LINK)


@account_bp.post("/muokkaa/<token>")
def use_edit_link(token: str):
    """"Jatka": spend the link, sign the contact in, show the entry with its confirm button."""
    return use_contact_link(token, EDIT_LINK, _edit_destination)


def _edit_destination(used: TokenState) -> str:
    if used.organisation_id is not None and contact_can_edit(used.email, used.organisation_id):
        return url_for("accounts.check_organisation", organisation_id=used.organisation_id)
    # The address was removed from the contacts after the request was sent.
    return url_for("accounts.my_organisations")
