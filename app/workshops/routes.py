"""/tyopajat: what the workshops are, the order form, the private status page, feedback."""
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup

from app.extensions import db, limiter
from app.models import WorkshopOrder, utcnow
from app.platform.ratelimit import counted_submissions
from app.platform.submissions import earlier_answer, submit_once
from app.workshops.display import format_date, format_workshop_time, helsinki_time, history_label, template_labels
from app.workshops.feedback import feedback_link, record_response, survey_for_token, survey_is_open
from app.workshops.booking import MIN_DAYS_AHEAD, free_slots
from app.workshops.themes import active_themes
from app.workshops.forms import CancelOrderForm, ChangeRequestForm, FeedbackForm, WorkshopOrderForm
from app.workshops.services import (
    SlotTaken,
    WorkshopError,
    cancel_by_orderer,
    handler_email,
    order_for_status_token,
    orderer_may_change,
    place_order,
    request_change,
    same_order_placed,
    suggest_organisations,
)

bp = Blueprint("workshops", __name__)

ORDERS_PER_IP = "10 per hour"
# A whole group may answer from one office network: 60 participants at most.
FEEDBACK_PER_IP = "80 per hour"
ORDERED_KEY = "workshop_ordered"
ANSWERED_KEY = "workshop_feedback_answered"


@bp.app_template_filter("workshop_date")
def workshop_date_filter(value) -> str:
    return format_date(value)


@bp.app_template_filter("workshop_time")
def workshop_time_filter(value) -> str:
    return format_workshop_time(value)


@bp.get("")
def index():
    """The workshops in plain Finnish, and the themes to choose from."""
    return render_template("workshops/index.html", themes=active_themes())


def _order_form() -> WorkshopOrderForm:
    form = WorkshopOrderForm(themes=active_themes(), slots=_offered_slots())
    form.consent.description = Markup(_('Lue <a href="%(url)s">tietosuojaseloste</a>: siinä kerrotaan, miten '
                                        'käsittelemme tilauksen tietoja.', url=url_for("pages.privacy")))
    return form


def _order_form_again(wait: str) -> str:
    """A refused order: the form with what was typed, and how long to wait."""
    return render_template("workshops/order.html", form=_order_form(), rate_limit_wait=wait)


@bp.route("/tilaa", methods=["GET", "POST"])
# Only orders that went through count: a few typos must not lock out an office's network.
@counted_submissions(ORDERS_PER_IP, rerender=_order_form_again)
def order():
    """The order form; an invalid form comes back with every problem marked (422)."""
    if (earlier := earlier_answer()) is not None:
        return earlier
    form = _order_form()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("workshops/order.html", form=form), status

    def place():
        details = form.order_details()
        placed = same_order_placed(details)
        if placed is None:
            placed, _token = place_order(details)
        else:
            flash(_("Sama tilaus lähetettiin jo hetki sitten, joten sitä ei lähetetty uudelleen."))
        session[ORDERED_KEY] = placed.id
        return url_for(".ordered")

    try:
        return submit_once(form, place)
    except SlotTaken as problem:
        # Another order took the slot a moment earlier: everything typed stays, the slot list is fresh.
        db.session.rollback()
        form.offer_slots(_offered_slots())
        form.slot.errors = [problem.message]
        return render_template("workshops/order.html", form=form), 409


def _offered_slots():
    today = helsinki_time().date()
    return free_slots(today + timedelta(days=MIN_DAYS_AHEAD), today)


@bp.get("/tilattu")
def ordered():
    """The reference code of the order this browser just sent."""
    placed = db.session.get(WorkshopOrder, session[ORDERED_KEY]) if ORDERED_KEY in session else None
    if placed is None:
        return redirect(url_for(".order"), code=303)
    return render_template("workshops/ordered.html", order=placed)


@bp.get("/jarjestoehdotukset")
def organisation_suggestions():
    """Published organisation names for the order form's suggestion list."""
    names = suggest_organisations(request.args.get("organisation_name", ""))
    return render_template("workshops/_organisation_suggestions.html", names=names)


@bp.get("/tila/<token>")
def status(token: str):
    """Read-only status of the order this private link belongs to."""
    found = _order_or_404(token)
    return _status_page(found, token)


@bp.post("/tila/<token>/muutos")
def ask_for_change(token: str):
    """The orderer asks for another time or place for a confirmed workshop."""
    return _orderer_step(token, ChangeRequestForm(), "change_form", lambda order, form: request_change(
        order, form.message.data), _("Muutospyyntö on lähetetty. Työpajan järjestäjä ottaa sinuun yhteyttä."))


@bp.post("/tila/<token>/peru")
def cancel(token: str):
    """The orderer cancels, until the workshop starts."""
    return _orderer_step(token, CancelOrderForm(), "cancel_form", lambda order, form: cancel_by_orderer(
        order, form.reason.data), _("Tilaus on peruttu. Lähetimme vahvistuksen sähköpostiisi."))


def _orderer_step(token: str, form, form_name: str, step, done: str):
    """One of the orderer's forms on the status page, once per key: invalid → 422, not possible now → 409,
    done → back; a repeat (a double click) gets the first answer."""
    if (earlier := earlier_answer()) is not None:
        return earlier
    found = _order_or_404(token)
    if not form.validate_on_submit():
        return _status_page(found, token, status_code=422, **{form_name: form})

    def take_step():
        step(found, form)
        flash(done)
        return url_for(".status", token=token)

    try:
        return submit_once(form, take_step)
    except WorkshopError as problem:
        db.session.rollback()
        form.form_errors.append(problem.message)
        return _status_page(found, token, status_code=409, **{form_name: form})


def _order_or_404(token: str) -> WorkshopOrder:
    found = order_for_status_token(token)
    if found is None:
        abort(404)
    return found


def _status_page(found: WorkshopOrder, token: str, *, cancel_form: CancelOrderForm | None = None,
                 change_form: ChangeRequestForm | None = None, status_code: int = 200):
    survey_url = ""
    if found.survey is not None and survey_is_open(found.survey):
        survey_url = feedback_link(found.survey)
    body = render_template(
        "workshops/status.html", order=found, token=token, survey_url=survey_url,
        form=cancel_form or CancelOrderForm(formdata=None), change_form=change_form or ChangeRequestForm(formdata=None),
        may_change=orderer_may_change(found, utcnow()), handler=handler_email(found),
        staff_email=current_app.config["STAFF_NOTIFY_EMAIL"],
        history=[(helsinki_time(change.changed_at), history_label(change), change) for change in found.history],
        **template_labels(),
    )
    return _private(make_response(body, status_code))


@bp.route("/palaute/<token>", methods=["GET", "POST"])
@limiter.limit(FEEDBACK_PER_IP, methods=["POST"])
def feedback(token: str):
    """The anonymous survey: one answer per browser session while the survey is open."""
    if (earlier := earlier_answer()) is not None:
        return earlier
    survey = survey_for_token(token)
    if survey is None:
        abort(404)
    if survey.id in session.get(ANSWERED_KEY, []):
        return _private(make_response(render_template("workshops/feedback_done.html", order=survey.order)))
    if not survey_is_open(survey):
        return _private(make_response(render_template("workshops/feedback_closed.html", order=survey.order), 410))
    form = FeedbackForm()
    if not form.validate_on_submit():
        status_code = 422 if form.is_submitted() else 200
        body = render_template("workshops/feedback.html", form=form, token=token)
        return _private(make_response(body, status_code))

    def answer():
        record_response(survey, form.answers(), form.open_answer.data)
        session[ANSWERED_KEY] = [*session.get(ANSWERED_KEY, []), survey.id]
        return url_for(".feedback", token=token)

    return submit_once(form, answer)


def _private(response):
    # The URL holds a private token: no shared cache or browser history copy may keep the page.
    response.headers["Cache-Control"] = "no-store"
    return response
