"""The pages of e-mailed links, for contacts and staff alike: asking for a link,
"a link is on its way", and the page behind the link.

Opening a link changes nothing (mail scanners fetch links too): a valid link
shows one "Jatka" button, a spent or expired one says why and offers a new
link (the e-mail field blank: the page does not tell whose link it was), unless
the browser is already signed in as the link's own address: then it goes on.
The page holds the token, so it is never cached and loads nothing from another
origin.
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import make_response, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l, ngettext

from app.accounts.forms import ContinueForm, LinkRequestForm
from app.accounts.services import send_sign_in_link
from app.accounts.sessions import current_user, start_session
from app.extensions import db
from app.platform.submissions import earlier_answer, submit_once
from app.platform.tokens import TOKEN_LIFETIMES, TokenState, consume_token, peek_token

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
    # A used or expired link offers a new sign-in link to the same address in one click.
    fresh_link_endpoint: str | None = None

    @property
    def lifetime(self) -> str:
        """"60 minuuttia", "7 päivää": read from the token service, never written twice."""
        lifetime = TOKEN_LIFETIMES[self.purpose]
        if lifetime.days:
            return ngettext("%(num)d päivän", "%(num)d päivää", lifetime.days)
        return ngettext("%(num)d minuutin", "%(num)d minuuttia", lifetime.seconds // 60)


SIGN_IN_LINK = LinkKind(_l("Kirjautumislinkki"), "sign_in", "accounts.request_link",
                        fresh_link_endpoint="accounts.fresh_sign_in_link")
STAFF_SIGN_IN_LINK = LinkKind(_l("Ylläpidon kirjautumislinkki"), "staff_sign_in", "admin.sign_in")
EDIT_LINK = LinkKind(
    _l("Muokkauslinkki"),
    "edit_request",
    "accounts.request_link",
    submit_label=_l("Lähetä kirjautumislinkki"),
    advice=_l("Voit silti päivittää tiedot: pyydä kirjautumislinkki sähköpostiisi."),
    fresh_link_endpoint="accounts.fresh_edit_sign_in_link",
)
FRESH_LINK_STATES = ("used", "expired")


def token_page(state: TokenState, kind: LinkKind, destination: Callable[[TokenState], str] | None = None):
    """The page behind a link: "Jatka" while it is valid, else why not.

    A contact's link that can no longer be used, opened in the browser already signed in
    as its address (the mail's link clicked again, Back and "Jatka" again), goes on to
    `destination`: that person needs no new link, and learns nothing they do not know.
    """
    if state.is_valid:
        return token_response(render_template("accounts/confirm.html", email=state.email, form=ContinueForm()))
    if destination is not None and _signed_in_as(state.email):
        return redirect(destination(state), code=303)
    return link_problem_page(state, kind)


def _signed_in_as(email: str | None) -> bool:
    user = current_user()
    return email is not None and user is not None and user.role == "contact" and user.email == email


def link_problem_page(state: TokenState, kind: LinkKind):
    """A link that can no longer be used: why, a form for a new sign-in link, and for a used
    or expired link whose kind allows it, a fresh link to the same address in one click."""
    # Blank: whoever opens a forwarded or leaked link must not learn whose it was.
    form = LinkRequestForm(formdata=None)
    fresh = ContinueForm() if kind.fresh_link_endpoint and state.status in FRESH_LINK_STATES else None
    body = render_template("accounts/link_problem.html", problem=state.status, form=form, kind=kind,
                           fresh_form=fresh)
    return token_response(body, 404 if state.status == "unknown" else 410)


def token_response(body: str, status: int = 200):
    """A page whose URL holds a token: never cached, nothing loaded from another origin."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = TOKEN_PAGE_CSP
    return response


def link_request_page(template: str, send_link: Callable[..., object], sent_key: str, sent_endpoint: str, **context):
    """The e-mail field that asks for a link: the same answer whether a link was sent or not.

    The "link sent" page learns only that a link was asked for: the address is in
    neither its URL nor the session cookie, which is signed but readable.
    """
    if (earlier := earlier_answer()) is not None:
        return earlier
    form = LinkRequestForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template(template, form=form, **context), status

    def send():
        send_link(form.email.data, created_ip=request.remote_addr)
        session[sent_key] = True
        return url_for(sent_endpoint)

    return submit_once(form, send)


def link_sent_page(template: str, sent_key: str, minutes: int, request_endpoint: str):
    """"Check your mail" after link_request_page; without one, back to the e-mail field."""
    if not session.get(sent_key):
        return redirect(url_for(request_endpoint), code=303)
    return render_template(template, minutes=minutes)


def opened_link_page(token: str, kind: LinkKind, destination: Callable[[TokenState], str] | None = None):
    """Opening the link changes nothing: mail scanners fetch links too.

    `destination` is where a contact's link leads (token_page).
    """
    return token_page(peek_token(token, kind.purpose), kind, destination)


def fresh_link_page(token: str, kind: LinkKind, sent_key: str, sent_endpoint: str):
    """"Lähetä uusi linkki samaan osoitteeseen": one POST from a used or expired link's page.

    The answer is the same "link sent" page whatever the token is, so it tells
    nothing about the address (which the page never shows either).
    """
    if ContinueForm().validate_on_submit():
        state = peek_token(token, kind.purpose)
        if state.status in FRESH_LINK_STATES and state.email:
            send_sign_in_link(state.email, created_ip=request.remote_addr)
            db.session.commit()
    session[sent_key] = True
    return redirect(url_for(sent_endpoint), code=303)


def use_contact_link(token: str, kind: LinkKind, destination: Callable[[TokenState], str]):
    """"Jatka" on a contact's link: spend it, start a contact session, leave the token's URL."""
    used = consume_token(token, kind.purpose)
    if used is None:
        return token_page(peek_token(token, kind.purpose), kind, destination)
    start_session(used.email, "contact")
    db.session.commit()
    return redirect(destination(used), code=303)
