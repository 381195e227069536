"""/jarjestoille: join or sign in with an e-mailed link, see your own organisations."""
from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app.account.forms import ContinueForm, LinkRequestForm, SignOutForm
from app.account.services import SIGN_IN_LINK_MINUTES, send_sign_in_link
from app.extensions import db, limiter
from app.services.access import organisations_of_contact
from app.services.sessions import current_user, end_session, sign_in_required, start_session
from app.services.tokens import TokenState, consume_token, peek_token

bp = Blueprint("account", __name__)

# Limits hold across worker processes when RATELIMIT_STORAGE_URI names a shared store.
LINKS_PER_IP = "10 per hour"
LINKS_PER_ADDRESS = "5 per hour"
# A page that holds a token loads nothing from another origin.
TOKEN_PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
LINK_SENT_KEY = "link_sent_to"


def _address_key() -> str:
    return "address:" + (request.form.get("email") or "").strip().lower()


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(LINKS_PER_IP, methods=["POST"])
@limiter.limit(LINKS_PER_ADDRESS, methods=["POST"], key_func=_address_key)
def request_link():
    """What organisations can do here, and the e-mail field that sends a sign-in link."""
    form = LinkRequestForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("account/start.html", form=form, sign_out_form=SignOutForm()), status
    send_sign_in_link(form.email.data, created_ip=request.remote_addr)
    db.session.commit()
    session[LINK_SENT_KEY] = form.email.data
    return redirect(url_for(".link_sent"), code=303)


@bp.get("/linkki-lahetetty")
def link_sent():
    """The same answer for every address: a link is on its way if it can be used."""
    email = session.get(LINK_SENT_KEY)
    if not email:
        return redirect(url_for(".request_link"), code=303)
    return render_template("account/link_sent.html", email=email, minutes=SIGN_IN_LINK_MINUTES)


@bp.get("/kirjaudu/<token>")
def open_link(token: str):
    """Opening the link changes nothing: mail scanners fetch links too."""
    return _token_page(peek_token(token, "sign_in"))


@bp.post("/kirjaudu/<token>")
def use_link(token: str):
    """"Jatka": spend the link, start a new session, leave the token's URL."""
    used = consume_token(token, "sign_in")
    if used is None:
        return _token_page(peek_token(token, "sign_in"))
    start_session(used.email, "contact")
    db.session.commit()
    return redirect(url_for(".my_organisations"), code=303)


def _token_page(state: TokenState):
    if state.is_valid:
        body, status = render_template("account/confirm.html", email=state.email, form=ContinueForm()), 200
    else:
        form = LinkRequestForm(data={"email": state.email})
        body = render_template("account/link_problem.html", problem=state.status, form=form)
        status = 404 if state.status == "unknown" else 410
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = TOKEN_PAGE_CSP
    return response


@bp.get("/omat")
@sign_in_required("contact")
def my_organisations():
    """The organisations the signed-in address may edit."""
    user = current_user()
    return render_template(
        "account/my_organisations.html",
        email=user.email,
        organisations=organisations_of_contact(user.email),
        sign_out_form=SignOutForm(),
    )


@bp.post("/kirjaudu-ulos")
def sign_out():
    """Delete this browser's session row."""
    end_session()
    db.session.commit()
    flash(_("Olet kirjautunut ulos."))
    return redirect(url_for(".request_link"), code=303)
