"""The page behind every e-mailed link, for contacts and staff alike.

Opening a link changes nothing (mail scanners fetch links too): a valid link
shows one "Jatka" button, a spent or expired one says why and offers a new
link to the same address.  The page holds the token, so it is never cached and
loads nothing from another origin.
"""
from dataclasses import dataclass

from flask import make_response, render_template
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.account.forms import ContinueForm, LinkRequestForm
from app.services.tokens import TOKEN_LIFETIMES, TokenState

TOKEN_PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class LinkKind:
    """How the page speaks of one kind of link when it can no longer be used."""

    name: str
    purpose: str  # a key of tokens.TOKEN_LIFETIMES
    new_link_endpoint: str
    submit_label: str = _l("Lähetä uusi linkki")
    advice: str = ""

    @property
    def lifetime(self) -> str:
        """"60 minuuttia", "7 päivää": read from the token service, never written twice."""
        lifetime = TOKEN_LIFETIMES[self.purpose]
        if lifetime.days:
            return ngettext("%(num)d päivän", "%(num)d päivää", lifetime.days)
        return ngettext("%(num)d minuutin", "%(num)d minuuttia", lifetime.seconds // 60)


SIGN_IN_LINK = LinkKind(_l("Kirjautumislinkki"), "sign_in", "account.request_link")
STAFF_SIGN_IN_LINK = LinkKind(_l("Ylläpidon kirjautumislinkki"), "staff_sign_in", "admin.sign_in")
EDIT_LINK = LinkKind(
    _l("Muokkauslinkki"),
    "edit_request",
    "account.request_link",
    submit_label=_l("Lähetä kirjautumislinkki"),
    advice=_l("Voit silti päivittää tiedot: pyydä kirjautumislinkki sähköpostiisi."),
)


def token_page(state: TokenState, kind: LinkKind):
    if state.is_valid:
        body, status = render_template("account/confirm.html", email=state.email, form=ContinueForm()), 200
    else:
        form = LinkRequestForm(data={"email": state.email})
        body = render_template("account/link_problem.html", problem=state.status, form=form, kind=kind)
        status = 404 if state.status == "unknown" else 410
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = TOKEN_PAGE_CSP
    return response
