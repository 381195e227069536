"""Who may enter /yllapito, and the staff sign-in by e-mailed link.

Every view of the blueprint is for signed-in staff: the check runs before each
request of the blueprint, so a view added later is covered without a decorator.
Only the sign-in pages below are open.
"""
from flask import abort, g, redirect, request, session, url_for

from app.accounts.link_pages import (
    STAFF_SIGN_IN_LINK,
    link_request_page,
    link_sent_page,
    opened_link_page,
    token_page,
)
from app.accounts.sessions import current_user, end_session, ended_session_answer, start_session
from app.admin.blueprint import bp
from app.admin.staff import STAFF_SIGN_IN_MINUTES, active_staff, send_staff_sign_in_link
from app.extensions import db
from app.platform.audit import record_audit
from app.platform.form_fields import ActionForm
from app.platform.ratelimit import link_request_limits
from app.platform.security import local_path
from app.platform.tokens import TokenState, consume_token, peek_token

OPEN_ENDPOINTS = {"admin.sign_in", "admin.link_sent", "admin.open_link", "admin.use_link"}
LINK_SENT_KEY = "staff_link_sent"
NEXT_KEY = "staff_next"


@bp.before_request
def require_staff():
    """Anonymous → the sign-in page; signed in as anyone but active staff → 403."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    user = current_user()
    if user is None:
        if request.method == "GET":
            session[NEXT_KEY] = request.full_path if request.query_string else request.path
        # A form written past the session's end (an hour idle) comes back with what was typed.
        return ended_session_answer("staff") or redirect(url_for("admin.sign_in"), code=303)
    if user.role != "staff":
        abort(403)
    g.staff = active_staff(user.email)
    if g.staff is None:
        # The account was deactivated after this session began.
        end_session()
        db.session.commit()
        return redirect(url_for("admin.sign_in"), code=303)
    return None


def actor() -> str:
    """The signed-in staff member, as audit events and revisions name them."""
    return g.staff.email


@bp.route("/kirjaudu", methods=["GET", "POST"])
@link_request_limits("staff-address")
def sign_in():
    """The e-mail field; a link goes only to active staff, the answer is the same for all."""
    return link_request_page("admin/sign_in.html", send_staff_sign_in_link, LINK_SENT_KEY, ".link_sent")


@bp.get("/kirjaudu/lahetetty")
def link_sent():
    return link_sent_page("admin/link_sent.html", LINK_SENT_KEY, STAFF_SIGN_IN_MINUTES, ".sign_in")


@bp.get("/kirjaudu/<token>")
def open_link(token: str):
    """Opening the link changes nothing: mail scanners fetch links too."""
    return opened_link_page(token, STAFF_SIGN_IN_LINK)


@bp.post("/kirjaudu/<token>")
def use_link(token: str):
    """"Jatka": spend the link and start a staff session."""
    used = consume_token(token, "staff_sign_in")
    staff = active_staff(used.email) if used is not None else None
    if staff is None:
        db.session.rollback()
        state = peek_token(token, "staff_sign_in") if used is None else TokenState("unknown")
        return token_page(state, STAFF_SIGN_IN_LINK)
    next_path = local_path(session.get(NEXT_KEY), "")
    start_session(used.email, "staff")
    # The name: the log's "Kohde" then reads "Ylläpitäjän tili: Outi Ohjaaja", not a bare number.
    record_audit(used.email, "sign_in", "staff_user", staff.id, name=staff.name)
    db.session.commit()
    if not next_path.startswith("/yllapito/"):
        return redirect(url_for(".dashboard"), code=303)
    # The path was kept without the script root, which holds the language (app.platform.languages).
    return redirect(request.script_root + next_path, code=303)


@bp.post("/kirjaudu-ulos")
def sign_out():
    end_session()
    db.session.commit()
    return redirect(url_for(".sign_in"), code=303)


@bp.context_processor
def staff_layout():
    """The staff layout's sign-out button (a POST form) on every staff page."""
    # formdata=None: the button never reads the request, whose body may be the one too large (413).
    return {"sign_out_form": ActionForm(formdata=None), "staff": g.get("staff")}
