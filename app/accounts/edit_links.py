"""The contact's side of a staff edit request: the 7-day link in the e-mail."""
from flask import url_for

from app.accounts.access import contact_can_edit
from app.accounts.link_pages import EDIT_LINK, fresh_link_page, opened_link_page, use_contact_link
from app.accounts.routes import LINK_SENT_KEY, LINKS_PER_TOKEN, bp as account_bp
from app.extensions import limiter
from app.platform.ratelimit import LINKS_PER_IP, per_token
from app.platform.tokens import TokenState


@account_bp.get("/muokkaa/<token>")
def open_edit_link(token: str):
    """Opening the link changes nothing: mail scanners fetch links too."""
    return opened_link_page(token, EDIT_LINK, _edit_destination)


@account_bp.post("/muokkaa/<token>")
def use_edit_link(token: str):
    """"Jatka": spend the link, sign the contact in, show the entry with its confirm button."""
    return use_contact_link(token, EDIT_LINK, _edit_destination)


@account_bp.post("/muokkaa/<token>/uusi")
@limiter.limit(LINKS_PER_IP)
@limiter.limit(LINKS_PER_TOKEN, key_func=per_token("fresh"))
def fresh_edit_sign_in_link(token: str):
    """A used or expired edit link's "send a sign-in link to the same address"."""
    return fresh_link_page(token, EDIT_LINK, LINK_SENT_KEY, "accounts.link_sent")


def _edit_destination(used: TokenState) -> str:
    if used.organisation_id is not None and contact_can_edit(used.email, used.organisation_id):
        return url_for("accounts.check_organisation", organisation_id=used.organisation_id)
    # The address was removed from the contacts after the request was sent.
    return url_for("accounts.my_organisations")
