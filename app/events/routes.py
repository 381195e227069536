"""/tapahtumat: the events list and calendar, each event's page and .ics, sign-up, and the private link."""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from app.events.calendar_files import location, public_calendar
from app.events.display import KIND_LABELS, format_moment, format_session, template_labels
from app.events.events import event_municipalities, list_events
from app.events.forms import CancelSignupForm, SignupChangeForm, SignupForm
from app.events.signups import (
    SignupError,
    cancel_signup,
    change_signup,
    has_ended,
    locked_event,
    places_left,
    sign_up,
    signup_for_token,
    signup_is_open,
    waiting_position,
)
from app.directory.reads import published_organisation_names
from app.extensions import db
from app.models import Event, utcnow
from app.platform.ratelimit import counted_submissions
from app.platform.submissions import earlier_answer, submit_once
from app.platform.templating import render_page
from app.platform.validation import database_id

bp = Blueprint("events", __name__)

# The same as the workshop order form: a whole office may sign up from one address.
SIGNUPS_PER_IP = "10 per hour"
SIGNED_UP_KEY = "event_signed_up"
ICS_MIMETYPE = "text/calendar; charset=utf-8"


@bp.app_template_filter("event_session")
def event_session_filter(session_row) -> str:
    return format_session(session_row.starts_at, session_row.ends_at)


@bp.app_template_filter("event_moment")
def event_moment_filter(value) -> str:
    return format_moment(value)


@bp.get("")
def index():
    """Upcoming (or past) events, filtered by kind and municipality; htmx swaps only the list."""
    past = request.args.get("nayta") == "menneet"
    kind = request.args.get("laji", "")
    kind = kind if kind in KIND_LABELS else ""
    municipality_id = database_id(request.args.get("kunta"))
    events = list_events(past=past, kind=kind, municipality_id=municipality_id)
    return render_page(
        "events/index.html", "events/_list.html",
        events=events, past=past, kind=kind, municipality_id=municipality_id,
        municipality_choices=[(m.id, m.label) for m in event_municipalities()], **template_labels(),
    )


@bp.get("/kalenteri.ics")
def feed():
    """Every event as one calendar to subscribe to; remote links are never in it."""
    body = public_calendar(list_events(past=True) + list_events(past=False), stamp=utcnow(), name=_("Tapahtumat"))
    response = make_response(body)
    response.content_type = ICS_MIMETYPE
    return response


def _event_or_404(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


@bp.get("/<int:event_id>")
def event_page(event_id: int):
    """The event, its sessions and place, how many places are left, and the way to sign up."""
    event = _event_or_404(event_id)
    return render_template(
        "events/event.html", event=event, place=location(event, with_link=False),
        places_left=places_left(event), signup_open=signup_is_open(event), ended=has_ended(event),
        **template_labels(),
    )


@bp.get("/<int:event_id>/tapahtuma.ics")
def event_ics(event_id: int):
    """"Lisää kalenteriin": the event's sessions as a file calendar programs open."""
    event = _event_or_404(event_id)
    response = make_response(public_calendar([event], stamp=utcnow(), name=event.title))
    response.content_type = ICS_MIMETYPE
    response.headers["Content-Disposition"] = f'attachment; filename="tapahtuma-{event.id}.ics"'
    return response


def _signup_page(event: Event, form: SignupForm, status: int = 200, rate_limit_wait: str = ""):
    form.consent.description = Markup(_('Lue <a href="%(url)s">tietosuojaseloste</a>: siinä kerrotaan, miten '
                                        'käsittelemme ilmoittautumisen tietoja.', url=url_for("pages.privacy")))
    return render_template(
        "events/signup.html", event=event, form=form, places_left=places_left(event),
        organisation_names=published_organisation_names(), rate_limit_wait=rate_limit_wait, **template_labels(),
    ), status


def _signup_form_again(wait: str) -> str:
    """A refused sign-up: the form with what was typed, and how long to wait."""
    page, _status = _signup_page(_event_or_404(request.view_args["event_id"]), SignupForm(), rate_limit_wait=wait)
    return page


@bp.route("/<int:event_id>/ilmoittaudu", methods=["GET", "POST"])
# Only sign-ups that went through count: a few typos must not lock out an office's network.
@counted_submissions(SIGNUPS_PER_IP, rerender=_signup_form_again)
def signup(event_id: int):
    """The sign-up form; invalid input comes back marked (422), a closed sign-up says so."""
    if (earlier := earlier_answer()) is not None:
        return earlier
    event = _event_or_404(event_id)
    form = SignupForm()
    if not signup_is_open(event):
        return render_template("events/signup_closed.html", event=event, **template_labels()), 410 if form.is_submitted() else 200
    if not form.validate_on_submit():
        return _signup_page(event, form, 422 if form.is_submitted() else 200)

    def sign_up_once():
        made = sign_up(locked_event(event_id), form.details(form.email.data))
        session[SIGNED_UP_KEY] = made.id
        return url_for(".signed_up", event_id=event_id)

    try:
        return submit_once(form, sign_up_once)
    except SignupError as problem:
        db.session.rollback()
        _show_refusal(form, problem)
        return _signup_page(_event_or_404(event_id), form, 409)


def _show_refusal(form, problem: SignupError) -> None:
    """A refused sign-up or change: the message next to the field it concerns, else atop the form."""
    (form[problem.field].errors if problem.field else form.form_errors).append(problem.message)


@bp.get("/<int:event_id>/ilmoittauduttu")
def signed_up(event_id: int):
    """What happened to the sign-up this browser just sent: a place, or a place on the waiting list."""
    event = _event_or_404(event_id)
    made = next((s for s in event.signups if s.id == session.get(SIGNED_UP_KEY)), None)
    if made is None:
        return redirect(url_for(".event_page", event_id=event_id), code=303)
    position = waiting_position(made) if made.status == "waiting" else 0
    return render_template("events/signed_up.html", event=event, signup=made, position=position, **template_labels())


def _signup_or_404(token: str):
    found = signup_for_token(token)
    if found is None or found.anonymised_at is not None:
        abort(404)
    return found


def _manage_page(found, token: str, change_form=None, status: int = 200):
    if change_form is None:
        change_form = SignupChangeForm(formdata=None, obj=found)
    body = render_template(
        "events/manage.html", signup=found, event=found.event, token=token, change_form=change_form,
        cancel_form=CancelSignupForm(formdata=None), place=location(found.event, with_link=found.status == "confirmed"),
        position=waiting_position(found) if found.status == "waiting" else 0,
        can_change=found.status != "cancelled" and found.event.status == "published" and not has_ended(found.event),
        organisation_names=published_organisation_names(), **template_labels(),
    )
    response = make_response(body, status)
    # The URL holds a private token: no shared cache or browser history copy may keep the page.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/ilmoittautuminen/<token>")
def manage(token: str):
    """The private page: opening it changes nothing (mail scanners open links too)."""
    return _manage_page(_signup_or_404(token), token)


@bp.post("/ilmoittautuminen/<token>/muuta")
def change(token: str):
    """Save the person's own changes."""
    found = _signup_or_404(token)
    form = SignupChangeForm()
    if not form.validate_on_submit():
        return _manage_page(found, token, form, 422)
    # The one-per-organisation rule reads the other sign-ups: lock the event as a sign-up does, so both cannot pass.
    locked_event(found.event_id)
    try:
        change_signup(found, form.details())
    except SignupError as problem:
        db.session.rollback()
        _show_refusal(form, problem)
        return _manage_page(_signup_or_404(token), token, form, 409)
    db.session.commit()
    flash(_("Muutokset on tallennettu."))
    return redirect(url_for(".manage", token=token), code=303)


@bp.post("/ilmoittautuminen/<token>/peru")
def cancel(token: str):
    """Cancel the sign-up; a freed place goes to the first on the waiting list."""
    found = _signup_or_404(token)
    if not CancelSignupForm().validate_on_submit():
        return _manage_page(found, token, status=400)
    locked_event(found.event_id)
    # Another tab may have cancelled meanwhile: decide on the row as it is now.
    db.session.refresh(found)
    try:
        cancel_signup(found)
    except SignupError as problem:
        db.session.rollback()
        flash(problem.message)
        return redirect(url_for(".manage", token=token), code=303)
    db.session.commit()
    flash(_("Ilmoittautuminen on peruttu. Lähetimme vahvistuksen sähköpostiisi."))
    return redirect(url_for(".manage", token=token), code=303)
