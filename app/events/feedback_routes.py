"""/tapahtumat/palaute/<token>: the feedback survey a participant gets the day after the event.

Opening the link shows the form and changes nothing (mail scanners open
links too); sending it spends the link, so each link gives one answer.
"""
from flask import abort, make_response, redirect, render_template, url_for

from app.events.display import template_labels
from app.events.feedback import (
    AlreadyAnswered,
    FeedbackClosed,
    feedback_closes_at,
    feedback_is_open,
    record_answer,
    signup_for_feedback_token,
)
from app.events.feedback_forms import EventFeedbackForm
from app.events.routes import bp
from app.extensions import db, limiter

# A whole group may answer from one office network.
FEEDBACK_PER_IP = "80 per hour"


@bp.route("/palaute/<token>", methods=["GET", "POST"])
@limiter.limit(FEEDBACK_PER_IP, methods=["POST"])
def feedback(token: str):
    """The event's statements on the four-point scale and an open question; one answer per link."""
    signup = signup_for_feedback_token(token)
    if signup is None:
        abort(404)
    event = signup.event
    if signup.feedback_answered_at is not None:
        return _private("events/feedback_done.html", event)
    if not feedback_is_open(event):
        return _private("events/feedback_closed.html", event, status=410)
    form = EventFeedbackForm.for_statements(event.feedback_statements)
    if not form.validate_on_submit():
        return _private("events/feedback.html", event, status=422 if form.is_submitted() else 200, form=form,
                        token=token, closes_at=feedback_closes_at(event))
    try:
        record_answer(signup, form.answers(), form.open_answer.data or "")
    except (AlreadyAnswered, FeedbackClosed):
        db.session.rollback()
    else:
        db.session.commit()
    return redirect(url_for(".feedback", token=token), code=303)


def _private(template: str, event, *, status: int = 200, **context):
    response = make_response(render_template(template, event=event, **context, **template_labels()), status)
    # The URL holds a private token: no shared cache or browser history copy may keep the page.
    response.headers["Cache-Control"] = "no-store"
    return response
