"""Staff views under /yllapito/tapahtumat: create, edit, copy and cancel events; participants,
CSV, the printable sign-in sheet, a message to everyone signed up; attendance and feedback.

The admin blueprint's before_request lets only signed-in staff in; every
write is a POST with the CSRF token (FlaskForm).
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.admin.access import actor
from app.admin.blueprint import bp
from app.admin.downloads import audited_csv
from app.directory.reads import all_municipalities
from app.events import events as service
from app.events import feedback
from app.events.display import KIND_LABELS, template_labels
from app.events.feedback import DEFAULT_STATEMENTS
from app.events.feedback_forms import AttendanceForm
from app.events.signups import SignupError, locked_event, places_left
from app.events.staff_forms import CancelEventForm, EventForm, MessageForm
from app.extensions import db
from app.models import Event
from app.platform.audit import record_audit
from app.platform.calendar import helsinki_time
from app.platform.submissions import earlier_answer, submit_once
from app.platform.surveys import SCALE
from app.platform.validation import clean_text, database_id


@bp.get("/tapahtumat")
def events():
    """Upcoming and past events with their sign-up counts."""
    upcoming, past = service.staff_event_list()
    return render_template("events/staff/events.html", upcoming=upcoming, past=past,
                           counts=service.signup_counts(), **template_labels())


def _form_page(form: EventForm, event: Event | None, status: int = 200):
    return render_template("events/staff/event_form.html", form=form, event=event, **template_labels()), status


@bp.route("/tapahtumat/uusi", methods=["GET", "POST"])
def new_event():
    """A new event, empty or copied from another (`pohja`): everything but the times."""
    if (earlier := earlier_answer()) is not None:
        return earlier
    form = EventForm(municipalities=all_municipalities(), new_event=True)
    if not form.is_submitted():
        template_id = database_id(request.args.get("pohja"))
        template = db.session.get(Event, template_id) if template_id else None
        if template is not None:
            form.fill_from(service.copy_details(template))
        else:
            form.place_kind.data, form.several_per_organisation.data = "paikka", True
            form.feedback_statements.data = "\n".join(DEFAULT_STATEMENTS)
        return _form_page(form, None)
    if not form.validate():
        return _form_page(form, None, 422)

    def create():
        event = service.create_event(form.details())
        record_audit(actor(), "event_create", "event", event.id, title=event.title)
        flash(_("Tapahtuma on julkaistu."))
        return url_for(".event", event_id=event.id)

    return submit_once(form, create)


@bp.route("/tapahtumat/<int:event_id>/muokkaa", methods=["GET", "POST"])
def edit_event(event_id: int):
    """Edit; when time or place changes, those with a place get the updated invitation."""
    event = db.get_or_404(Event, event_id)
    form = EventForm(municipalities=all_municipalities())
    if not form.is_submitted():
        form.fill_from(service.event_details(event))
        return _form_page(form, event)
    if not form.validate():
        return _form_page(form, event, 422)
    event = locked_event(event_id)
    try:
        told = service.update_event(event, form.details())
    except SignupError as problem:
        db.session.rollback()
        (form[problem.field].errors if problem.field else form.form_errors).append(problem.message)
        return _form_page(form, db.get_or_404(Event, event_id), 409)
    record_audit(actor(), "event_update", "event", event.id, told=told)
    db.session.commit()
    flash(_("Muutokset on tallennettu.") + (" " + _("Päivitetty kalenterikutsu lähetettiin %(count)d osallistujalle.",
                                                     count=told) if told else ""))
    return redirect(url_for(".event", event_id=event.id), code=303)


def _event_page(event: Event, *, cancel_form=None, message_form=None, attendance_form=None, status: int = 200):
    summary = service.participant_summary(event)
    return render_template(
        "events/staff/event.html", event=event, summary=summary,
        places_left=places_left(event), municipality_of=service.participant_municipality,
        cancel_form=cancel_form or CancelEventForm(formdata=None),
        message_form=message_form or MessageForm(formdata=None),
        attendance_form=attendance_form or AttendanceForm(formdata=None, signups=summary.confirmed),
        can_mark_attendance=feedback.attendance_can_be_marked(event),
        progress=feedback.feedback_progress(event), feedback_summary=feedback.feedback_summary(event), scale=SCALE,
        feedback_closes_at=feedback.feedback_closes_at(event),
        has_started=event.starts_at <= helsinki_time(), **template_labels(),
    ), status


@bp.get("/tapahtumat/<int:event_id>")
def event(event_id: int):
    """The event, its participants with counts per organisation and municipality, and the actions."""
    return _event_page(db.get_or_404(Event, event_id))


@bp.post("/tapahtumat/<int:event_id>/peru")
def cancel_event(event_id: int):
    """Cancel the event: everyone signed up is told, with a calendar cancellation."""
    event = locked_event(event_id) or db.get_or_404(Event, event_id)
    form = CancelEventForm()
    if not form.validate_on_submit():
        return _event_page(event, cancel_form=form, status=422)
    try:
        told = service.cancel_event(event, clean_text(form.reason.data, 1000, multiline=True))
    except SignupError as problem:
        db.session.rollback()
        flash(problem.message)
        return redirect(url_for(".event", event_id=event_id), code=303)
    record_audit(actor(), "event_cancel", "event", event.id, told=told)
    db.session.commit()
    flash(_("Tapahtuma on peruttu. Tieto lähetettiin %(count)d ilmoittautuneelle.", count=told))
    return redirect(url_for(".event", event_id=event_id), code=303)


@bp.post("/tapahtumat/<int:event_id>/viesti")
def message_event_participants(event_id: int):
    """One message to everyone with a place (and the waiting list when chosen), through the outbox, once."""
    if (earlier := earlier_answer()) is not None:
        return earlier
    event = db.get_or_404(Event, event_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _event_page(event, message_form=form, status=422)

    def send():
        sent = service.message_participants(
            event, clean_text(form.subject.data, 150), clean_text(form.message.data, 5000, multiline=True),
            include_waiting=form.include_waiting.data,
        )
        if sent is None:
            flash(_("Sama viesti lähetettiin jo hetki sitten, joten sitä ei lähetetty uudelleen."))
            return url_for(".event", event_id=event_id)
        if not sent:
            return None
        record_audit(actor(), "event_message", "event", event.id, recipients=sent)
        flash(_("Viesti lähetettiin %(count)d osallistujalle.", count=sent))
        return url_for(".event", event_id=event_id)

    answer = submit_once(form, send)
    if answer is None:
        # "Sent to 0 participants" would read as done: say that nobody would get it.
        form.form_errors.append(_("Viesti ei lähtisi kenellekään: tapahtumalla ei ole ilmoittautuneita, joille "
                                  "valintasi mukaan viesti lähtee. Viestiä ei lähetetty."))
        return _event_page(db.get_or_404(Event, event_id), message_form=form, status=422)
    return answer


@bp.get("/tapahtumat/<int:event_id>/osallistujat.csv")
def event_participants_csv(event_id: int):
    """Those with a place, then the waiting list, as CSV."""
    return _event_csv(event_id, "osallistujat", service.participants_csv)


@bp.get("/tapahtumat/<int:event_id>/nimilista")
def event_sign_in_sheet(event_id: int):
    """A printable sign-in sheet: those with a place in name order, with an empty signature column."""
    event = db.get_or_404(Event, event_id)
    return render_template("events/staff/sign_in_sheet.html", event=event,
                           summary=service.participant_summary(event), **template_labels())


@bp.post("/tapahtumat/<int:event_id>/osallistuneet")
def mark_event_attendance(event_id: int):
    """Who came, from the participants list in one POST; they get the feedback link the day after."""
    event = locked_event(event_id) or db.get_or_404(Event, event_id)
    form = AttendanceForm(signups=service.participant_summary(event).confirmed)
    if not form.validate_on_submit():
        return _event_page(event, attendance_form=form, status=422)
    try:
        came, absent = feedback.mark_attendance(event, set(form.came.ids))
    except SignupError as problem:
        db.session.rollback()
        flash(problem.message)
        return redirect(url_for(".event", event_id=event_id), code=303)
    record_audit(actor(), "event_attendance", "event", event.id, came=came, absent=absent)
    db.session.commit()
    # The page shows what was saved in the section the answer lands at.
    return redirect(url_for(".event", event_id=event_id, _anchor="osallistuneet"), code=303)


@bp.get("/tapahtumat/<int:event_id>/palaute.csv")
def event_feedback_csv(event_id: int):
    """One event's feedback as CSV: the same numbers as the table on its page."""
    return _event_csv(event_id, "palaute", feedback.feedback_csv)


def _event_csv(event_id: int, prefix: str, build) -> object:
    """An event's CSV download named "<prefix>-tapahtuma-<id>.csv"; every export is audited."""
    event = db.get_or_404(Event, event_id)
    filename = f"{prefix}-tapahtuma-{event.id}.csv"
    return audited_csv(build(event), filename, "event", event.id)


def _chosen_kind() -> str:
    kind = request.args.get("laji", "")
    return kind if kind in KIND_LABELS else ""


@bp.get("/tapahtumat/palaute")
def event_feedback():
    """Feedback of every event, or of one kind of event: charts, table, open answers."""
    kind = _chosen_kind()
    return render_template("events/staff/feedback.html", kind=kind, summary=feedback.feedback_summary(kind=kind),
                           scale=SCALE, **template_labels())


@bp.get("/tapahtumat/palaute.csv")
def all_event_feedback_csv():
    """The feedback table of every event (or of one kind, `laji`) as CSV."""
    kind = _chosen_kind()
    filename = f"palaute-tapahtumat-{kind or 'kaikki'}.csv"
    return audited_csv(feedback.feedback_csv(kind=kind), filename, "event_feedback")
