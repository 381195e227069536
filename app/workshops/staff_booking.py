"""Staff views: the facilitators' free slots and the centre's calendar (week and month).

The calendar is drawn on the server as a table, so it works without
JavaScript; the rules a time must meet live in app/workshops/booking.py.
"""
import calendar
from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from app.admin.access import actor
from app.admin.blueprint import bp
from app.extensions import db
from app.platform.audit import record_audit
from app.platform.form_fields import ActionForm
from app.workshops import booking
from app.workshops.display import helsinki_time
from app.workshops.staff_forms import AvailabilityForm

VIEWS = ("viikko", "kuukausi")
KIND_LABELS = {
    "workshop": _l("Työpaja"), "held": _l("Pidetty työpaja"), "event": _l("Tapahtuma"),
    "slot": _l("Vapaa aika"), "reserved": _l("Varattu, odottaa vahvistusta"),
}


@bp.route("/tyopajat/ajat", methods=["GET", "POST"])
def workshop_slots():
    """Publish a facilitator's free slots; the upcoming slots, free ones removable."""
    form = AvailabilityForm()
    if form.validate_on_submit():
        starts = booking.slot_times(form.first_day.date, form.last_day.date, form.weekday_numbers(),
                                    form.start_clock_times())
        try:
            added = booking.publish_slots(form.facilitator.data, starts, form.towns.data, form.remote.data, actor(),
                                          form.override_reason.data)
        except booking.BookingError as problem:
            db.session.rollback()
            form.override_reason.errors = [problem.message]
        else:
            record_audit(actor(), "workshop_slots_published", facilitator=form.facilitator.data, count=added)
            db.session.commit()
            flash(ngettext("%(num)d vapaa aika julkaistu.", "%(num)d vapaata aikaa julkaistu.", added))
            return redirect(url_for(".workshop_slots"), code=303)
    status = 422 if form.is_submitted() else 200
    return render_template("workshops/staff/slots.html", form=form, slots=booking.upcoming_slots(),
                           action_form=ActionForm(), slot_label=booking.slot_label), status


@bp.post("/tyopajat/ajat/<int:slot_id>/poista")
def delete_workshop_slot(slot_id: int):
    """Withdraw a free slot; a slot an order holds stays until that order is cancelled."""
    if ActionForm().validate_on_submit():
        if booking.delete_free_slot(slot_id):
            record_audit(actor(), "workshop_slot_deleted", "workshop_slot", slot_id)
            db.session.commit()
            flash(_("Vapaa aika poistettu."))
        else:
            db.session.rollback()
            flash(_("Aikaa ei voi poistaa: tilaus on jo varannut sen, tai se on poistettu."))
    return redirect(url_for(".workshop_slots"), code=303)


@bp.get("/kalenteri")
def calendar_view():
    """The centre's calendar: confirmed workshops, events and slots, a week or a month at a time."""
    view = request.args.get("nakyma", "viikko")
    view = view if view in VIEWS else "viikko"
    day = _day_argument(request.args.get("paiva", ""))
    if view == "viikko":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
        previous, following = first - timedelta(days=7), first + timedelta(days=7)
        weeks = [[first + timedelta(days=n) for n in range(7)]]
    else:
        first = day.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        previous, following = (first - timedelta(days=1)).replace(day=1), last + timedelta(days=1)
        weeks = [week for week in calendar.Calendar().monthdatescalendar(first.year, first.month)]
    return render_template(
        "workshops/staff/calendar.html", view=view, first=first, last=last, weeks=weeks,
        entries=booking.calendar_entries(weeks[0][0], weeks[-1][-1]), kind_labels=KIND_LABELS,
        previous=previous, following=following, today=helsinki_time().date(),
    )


def _day_argument(text: str) -> date:
    """?paiva=2026-12-07; anything else means today."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return helsinki_time().date()
