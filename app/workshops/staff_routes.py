"""Staff views: workshop orders from new to held (or cancelled), and the feedback they collect.

The steps themselves live in app/workshops/services.py: they write the status
history and queue the orderer's mail in the outbox, so a change and its mail
are committed together and nothing is lost when the mail server is down.
"""
from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.admin.access import actor
from app.admin.blueprint import bp
from app.admin.downloads import audited_csv
from app.extensions import db
from app.models import WorkshopOrder, WorkshopTheme
from app.models.workshop import WORKSHOP_STATUSES
from app.platform.audit import record_audit
from app.platform.form_fields import ActionForm
from app.platform.validation import contains_pattern, database_id
from app.workshops import services
from app.platform.submissions import earlier_answer, submit_once
from app.platform.surveys import SCALE
from app.workshops.booking import BookingError
from app.workshops.display import helsinki_time, history_label, history_note, template_labels
from app.workshops.feedback import feedback_csv, feedback_link, feedback_summary, survey_is_open
from app.workshops.staff_forms import (
    OWN_PROPOSAL,
    FeedbackLinkForm,
    NotesForm,
    ScheduleForm,
    StaffCancelForm,
    WorkshopOrderFilter,
)

PAGE_SIZE = 30
# URL part → (service step, audit action, what the staff member is told).
SCHEDULE_STEPS = {
    "vahvista": (
        services.confirm, "workshop_confirm",
        _l("Työpaja on vahvistettu. Tilaaja saa vahvistuksen ja kalenterikutsun sähköpostiin."),
    ),
    "siirra": (
        services.reschedule, "workshop_reschedule",
        _l("Uusi aika ja paikka on tallennettu. Tilaaja saa päivitetyn kalenterikutsun sähköpostiin."),
    ),
}


def order_page(selection: WorkshopOrderFilter, per_page: int = PAGE_SIZE) -> Pagination:
    """The matching orders, newest first, one page of them."""
    query = (
        select(WorkshopOrder)
        .options(selectinload(WorkshopOrder.theme))
        .order_by(WorkshopOrder.created_at.desc(), WorkshopOrder.id.desc())
    )
    if selection.status:
        query = query.where(WorkshopOrder.status == selection.status)
    if selection.theme == OWN_PROPOSAL:
        query = query.where(WorkshopOrder.theme_id.is_(None))
    elif selection.theme:
        query = query.where(WorkshopOrder.theme_id == database_id(selection.theme))
    if selection.text:
        pattern = contains_pattern(selection.text)
        query = query.where(
            WorkshopOrder.organisation_name.ilike(pattern, escape="\\")
            | WorkshopOrder.reference.ilike(pattern, escape="\\")
        )
    return db.paginate(query, page=selection.page, per_page=per_page, error_out=False, count=True)


def status_counts() -> dict[str, int]:
    """Orders in each status, every status present."""
    counts = dict(db.session.execute(select(WorkshopOrder.status, func.count()).group_by(WorkshopOrder.status)).all())
    return {status: counts.get(status, 0) for status in WORKSHOP_STATUSES}


def all_themes() -> list[WorkshopTheme]:
    """Every theme, retired ones too: old orders and their feedback still name them."""
    return list(db.session.scalars(select(WorkshopTheme).order_by(WorkshopTheme.position, WorkshopTheme.name)))


@bp.get("/tyopajat")
def workshop_orders():
    """Workshop orders by status, theme and organisation or reference, newest first."""
    selection = WorkshopOrderFilter.from_args(request.args)
    return render_template(
        "workshops/staff/orders.html",
        selection=selection,
        page=order_page(selection),
        counts=status_counts(),
        theme_choices=[(theme.id, theme.label) for theme in all_themes()] + [(OWN_PROPOSAL, _("Oma ehdotus"))],
        **template_labels(),
    )


@bp.get("/tyopajat/<int:order_id>")
def workshop_order(order_id: int):
    """Everything about one order: its details, the next steps, notes, history and feedback."""
    return _order_page(db.get_or_404(WorkshopOrder, order_id))


def _order_page(order: WorkshopOrder, *, schedule_form=None, cancel_form=None, notes_form=None, status: int = 200):
    # formdata=None: a form re-shown next to another form that failed must not read that form's POST.
    survey = order.survey
    return render_template(
        "workshops/staff/order.html",
        order=order,
        schedule_form=schedule_form or ScheduleForm.for_order(order),
        cancel_form=cancel_form or StaffCancelForm(formdata=None),
        notes_form=notes_form or NotesForm(formdata=None, data={"staff_notes": order.staff_notes}),
        action_form=ActionForm(),
        feedback_link_form=FeedbackLinkForm(formdata=None),
        history=[(helsinki_time(change.changed_at), change) for change in order.history],
        created_at=helsinki_time(order.created_at),
        consent_at=helsinki_time(order.consent_at),
        has_started=order.scheduled_start is not None and order.scheduled_start <= helsinki_time(),
        survey_url=feedback_link(survey) if survey else "",
        survey_open=survey is not None and survey_is_open(survey),
        survey_closes_at=helsinki_time(survey.closes_at) if survey else None,
        summary=feedback_summary(order) if survey else None,
        scale=SCALE,
        history_label=history_label,
        history_note=history_note,
        **template_labels(),
    ), status


def _back_to(order: WorkshopOrder):
    return redirect(url_for(".workshop_order", order_id=order.id), code=303)


def _locked_order(order_id: int) -> WorkshopOrder:
    # Two staff members pressing a button at once: the second waits and sees the first one's status.
    return db.get_or_404(WorkshopOrder, order_id, with_for_update=True)


@bp.post("/tyopajat/<int:order_id>/muistiinpanot")
def save_workshop_notes(order_id: int):
    """The staff's own notes on the order; the orderer never sees them."""
    order = _locked_order(order_id)
    form = NotesForm()
    if not form.validate_on_submit():
        return _order_page(order, notes_form=form, status=422)
    if form.staff_notes.data != order.staff_notes:
        order.staff_notes = form.staff_notes.data
        record_audit(actor(), "workshop_notes", "workshop_order", order.id, reference=order.reference)
        db.session.commit()
        flash(_("Muistiinpanot tallennettu."))
    else:
        flash(_("Muistiinpanoihin ei tehty muutoksia."))
    return _back_to(order)


def _take_step(order: WorkshopOrder, step: Callable[[], object], action: str, done: str,
               detail: Callable[[], dict] = dict):
    """Run one service step on the order; when it goes through, audit it, commit and tell `done`.

    `detail` is called after the step, so the audit can name what the step changed.
    """
    try:
        step()
    except services.WorkshopError as problem:
        # Someone else moved the order on meanwhile: the page shows what is possible now.
        db.session.rollback()
        flash(problem.message)
        return _back_to(order)
    record_audit(actor(), action, "workshop_order", order.id, reference=order.reference, **detail())
    db.session.commit()
    flash(done)
    return _back_to(order)


@bp.post("/tyopajat/<int:order_id>/<any('vahvista', 'siirra'):step>")
def schedule_workshop(order_id: int, step: str):
    """Confirm a new order, or move a confirmed one: the orderer gets the .ics invitation."""
    order = _locked_order(order_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        return _order_page(order, schedule_form=form, status=422)
    perform, action, done = SCHEDULE_STEPS[step]
    place, remote_link = form.venue()
    try:
        return _take_step(
            order, lambda: perform(order, form.start, place, remote_link, form.facilitator.data, actor(),
                                   override_reason=form.override_reason.data),
            action, str(done),
            detail=lambda: {"start": order.scheduled_start.isoformat(timespec="minutes"),
                            "sequence": order.ics_sequence},
        )
    except BookingError as problem:
        # The calendar's rules: the form comes back as typed, the problem next to the override.
        db.session.rollback()
        form.override_reason.errors = [problem.message]
        return _order_page(db.get_or_404(WorkshopOrder, order_id), schedule_form=form, status=409)


@bp.post("/tyopajat/<int:order_id>/peru")
def cancel_workshop(order_id: int):
    """Cancel a new or confirmed order; the reason goes to the orderer (with a calendar cancellation)."""
    order = _locked_order(order_id)
    form = StaffCancelForm()
    if not form.validate_on_submit():
        return _order_page(order, cancel_form=form, status=422)
    return _take_step(
        order, lambda: services.cancel(order, form.reason.data, actor()), "workshop_cancel",
        _("Tilaus on peruttu. Syy lähetettiin tilaajalle sähköpostilla."),
    )


@bp.post("/tyopajat/<int:order_id>/pidetty")
def mark_workshop_held(order_id: int):
    """The workshop took place: its feedback survey opens."""
    order = _locked_order(order_id)
    if not ActionForm().validate_on_submit():
        return _back_to(order)
    return _take_step(
        order, lambda: services.mark_held(order, actor()), "workshop_held",
        _("Työpaja on merkitty pidetyksi. Palautekysely on nyt auki. Lähetä sen linkki tilaajalle."),
    )


@bp.post("/tyopajat/<int:order_id>/palautelinkki")
def send_workshop_feedback_link(order_id: int):
    """Mail the survey's link to the orderer, who passes it on to the participants; once per press."""
    if (earlier := earlier_answer()) is not None:
        return earlier
    order = _locked_order(order_id)
    form = FeedbackLinkForm()
    if not form.validate_on_submit():
        return _back_to(order)
    if order.survey is not None and not survey_is_open(order.survey):
        flash(_("Palautekysely on jo sulkeutunut, joten linkkiä ei lähetetty."))
        return _back_to(order)

    def send():
        try:
            services.send_feedback_link(order)
        except services.WorkshopError as problem:
            flash(problem.message)
            return None
        record_audit(actor(), "workshop_feedback_link", "workshop_order", order.id, reference=order.reference,
                     to=order.email)
        flash(_("Palautelinkki lähetettiin osoitteeseen %(email)s.", email=order.email))
        return url_for(".workshop_order", order_id=order.id)

    return submit_once(form, send) or _back_to(order)


@bp.get("/tyopajat/<int:order_id>/palaute.csv")
def workshop_feedback_csv(order_id: int):
    """One workshop's feedback as CSV: the same numbers as the table on its page."""
    order = db.get_or_404(WorkshopOrder, order_id)
    filename = f"palaute-{order.reference}.csv"
    return audited_csv(feedback_csv(order), filename, "workshop_order", order.id)


def _chosen_theme() -> tuple[WorkshopTheme | None, bool]:
    """The feedback filter `teema`: (a theme, or None; whether it asks for the own proposals)."""
    value = request.args.get("teema", "")
    if value == OWN_PROPOSAL:
        return None, True
    theme_id = database_id(value)
    return (db.session.get(WorkshopTheme, theme_id) if theme_id is not None else None), False


@bp.get("/tyopajat/palaute")
def workshop_feedback():
    """Feedback of every workshop, of one theme's workshops or of those with an own proposal."""
    theme, own_proposals = _chosen_theme()
    return render_template(
        "workshops/staff/feedback.html",
        theme=theme,
        own_proposals=own_proposals,
        own_proposal=OWN_PROPOSAL,
        themes=all_themes(),
        summary=feedback_summary(theme=theme, own_proposals=own_proposals),
        scale=SCALE,
    )


@bp.get("/tyopajat/palaute.csv")
def all_workshop_feedback_csv():
    """The feedback table of every workshop (or of one theme or the own proposals, `teema`) as CSV."""
    theme, own_proposals = _chosen_theme()
    filename = "palaute-oma-ehdotus.csv" if own_proposals else f"palaute-teema-{theme.id}.csv" if theme else "palaute-kaikki.csv"
    return audited_csv(feedback_csv(theme=theme, own_proposals=own_proposals), filename, "workshop_feedback",
                       theme.id if theme else None)
