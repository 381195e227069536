"""Contact requests: from one organisation's page or to everyone on the tray."""
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_wtf import FlaskForm

from app.contact import tray
from app.contact.forms import ContactRequestForm
from app.contact.requests import (
    mark_handled,
    organisations_in_batch,
    request_for_handled_link,
    send_contact_request,
)
from app.contact.tray_session import tray_ids
from app.directory.reads import published_organisation_or_404
from app.extensions import db
from app.platform.ratelimit import submission_limits
from app.platform.submissions import earlier_answer, submit_once

bp = Blueprint("contact", __name__)


def _form_again(organisations, wait: str = "") -> str:
    """The contact form with what was posted; `wait` says how long a refused visitor waits."""
    return render_template(
        "contact/contact.html", form=ContactRequestForm(), organisations=organisations, action=request.path,
        rate_limit_wait=wait,
    )


def _organisation_form_again(wait: str) -> str:
    return _form_again([published_organisation_or_404(request.view_args["organisation_id"])], wait)


def _tray_form_again(wait: str) -> str:
    return _form_again(tray.published_on_tray(tray_ids()), wait)


def _send(form: ContactRequestForm, organisation_ids: list[int]):
    """Store and queue the request once; answer with the confirmation page, or None
    when it could go to none of the organisations."""
    if form.is_spam:
        # Answer as if sent, so the bot learns nothing; nothing is stored.
        return redirect(url_for("contact.contact_sent", batch="-"), code=303)
    if (earlier := earlier_answer()) is not None:
        return earlier

    def send():
        outcome = send_contact_request(form.details(), organisation_ids)
        if outcome.repeated:
            flash(_("Sama pyyntö lähetettiin jo hetki sitten, joten sitä ei lähetetty uudelleen."))
        missing = len(outcome.unavailable_ids)
        if missing:
            flash(
                ngettext(
                    "%(num)d valitsemistasi järjestöistä ei ole enää mukana palvelussa tai ei voi vastaanottaa "
                    "pyyntöjä, joten pyyntöä ei lähetetty sille.",
                    "%(num)d valitsemistasi järjestöistä ei ole enää mukana palvelussa tai ei voi vastaanottaa "
                    "pyyntöjä, joten pyyntöä ei lähetetty niille.",
                    missing,
                )
            )
        if not outcome.sent_to:
            return None
        return url_for("contact.contact_sent", batch=outcome.batch)

    return submit_once(form, send)


@bp.post("/jarjestot/<int:organisation_id>/yhteydenotto")
@submission_limits("contact", rerender=_organisation_form_again)
def contact_organisation(organisation_id: int):
    """Ask one organisation to contact you."""
    form = ContactRequestForm()
    # Checked before the first query: on SQLite that query takes the write lock for the
    # rest of the request, and the form needs no database.
    if form.validate_on_submit():
        answer = _send(form, [organisation_id])
        if answer is not None:
            return answer
    organisation = tray.published_organisation(organisation_id)
    if organisation is None:
        # Hidden or removed while the form was being filled in: _send has said so, and what
        # was typed stays on the page to be copied rather than vanishing behind a 404.
        return _form_without_organisations(form)
    return render_template("contact/contact.html", form=form, organisations=[organisation], action=url_for(request.endpoint, **request.view_args)), 422


@bp.get("/jarjestot/<int:organisation_id>/yhteydenotto")
def contact_organisation_form(organisation_id: int):
    """The contact form of one organisation on a page of its own."""
    organisation = published_organisation_or_404(organisation_id)
    return render_template("contact/contact.html", form=ContactRequestForm(), organisations=[organisation], action=url_for(request.endpoint, **request.view_args))


@bp.route("/tarjotin/yhteydenotto", methods=["GET", "POST"])
@submission_limits("contact", rerender=_tray_form_again)
def contact_tray():
    """One contact request to every organisation on the tray."""
    organisations = tray.published_on_tray(tray_ids())
    form = ContactRequestForm()
    if not organisations and request.method == "POST":
        # Emptied in another tab, or its organisations left the service while the form was
        # being filled in: what was typed stays on the page to be copied.
        form.validate()
        form.form_errors.append(_("Pyyntöä ei lähetetty, koska tarjottimella ei ole enää järjestöjä, joille sen "
                                  "voisi lähettää. Kirjoittamasi tiedot ovat tallella alla."))
        return _form_without_organisations(form)
    if not organisations:
        flash(_("Tarjotin on tyhjä. Lisää järjestöjä tarjottimelle hakutuloksista."))
        return redirect(url_for("contact.tray_page"), code=303)
    if form.validate_on_submit():
        answer = _send(form, [o.id for o in organisations])
        if answer is not None:
            return answer
        status = 422
    else:
        status = 422 if request.method == "POST" else 200
    return render_template("contact/contact.html", form=form, organisations=organisations, action=url_for(request.endpoint, **request.view_args)), status


def _form_without_organisations(form: ContactRequestForm):
    """The form with what was typed when none of its organisations can be sent to any more (409)."""
    return render_template("contact/contact.html", form=form, organisations=[], action=request.path), 409


@bp.get("/yhteydenotto/lahetetty/<batch>")
def contact_sent(batch: str):
    """Where the request went. Lists organisation names only: the link holds no personal data."""
    response = make_response(render_template("contact/contact_sent.html", names=organisations_in_batch(batch)))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/yhteydenotto/kasitelty/<token>", methods=["GET", "HEAD"])
def contact_handled(token: str):
    """The organisation's "Olemme olleet yhteydessä" link: opening it changes nothing."""
    status, contact_request = request_for_handled_link(token)
    if contact_request is None:
        abort(404)
    response = make_response(
        render_template("contact/contact_handled.html", status=status, contact_request=contact_request, form=FlaskForm())
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/yhteydenotto/kasitelty/<token>")
def contact_handled_confirm(token: str):
    """Mark the request handled: only this deliberate POST spends the link."""
    contact_request = mark_handled(token)
    if contact_request is None:
        return contact_handled(token)
    db.session.commit()
    response = make_response(render_template("contact/contact_handled.html", status="done", contact_request=contact_request, form=None))
    response.headers["Cache-Control"] = "no-store"
    return response
