"""The tray (tarjotin): add and remove organisations, view, print, share."""
from datetime import date

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from app.contact import tray
from app.contact.forms import ContactRequestForm, MailListForm
from app.contact.routes import bp
from app.contact.tray_session import cleared_ids, save_tray, tray_ids, tray_template_context
from app.extensions import db
from app.platform.database import reads_only
from app.platform.ratelimit import submission_limits
from app.platform.security import local_path
from app.platform.submissions import submit_once
from app.platform.templating import wants_partial
from app.platform.tokens import link_url
from app.platform.validation import whole_number

bp.app_context_processor(tray_template_context)


# The tray page's heading: where a removal lands when no card is left.
TRAY_HEADING = "tarjotin-otsikko"


def _tray_answer(organisation_id: int, message: str, refused: str = "", anchor: str = ""):
    """The htmx answer (the button and the counter) or a redirect back for a plain POST.

    `refused` is what the pressed button says when the add was refused: the status
    message alone is for screen readers, and the flash is not shown without a reload.
    The redirect lands on `anchor`, by default the organisation's own card.
    """
    if wants_partial():
        return render_template(
            "contact/_tray_update.html",
            organisation=tray.published_organisation(organisation_id),
            message=message, refused=refused,
        )
    flash(message)
    return redirect(f"{_back()}#{anchor or f'tulos-{organisation_id}'}", code=303)


def _back() -> str:
    """Where to go back to after a POST without JavaScript."""
    return local_path(request.form.get("next"), url_for("contact.tray_page"))


def _landing_after_removal(tray_before: list[int], organisation_id: int) -> str:
    """Where the tray page goes on once a card left it: the landing point is where a
    keyboard user's next Tab starts, and a missing one would start them at the top."""
    if _back() != url_for("contact.tray_page"):
        return ""  # a search or organisation page keeps the card, with its button turned
    shown = [organisation.id for organisation in tray.published_on_tray(tray_before)]
    nearby = tray.neighbour(shown, organisation_id)
    return f"tulos-{nearby}" if nearby else TRAY_HEADING


def _organisation_id() -> int:
    return whole_number(request.form.get("organisation_id")) or 0


@bp.post("/tarjotin/lisaa")
@reads_only
def tray_add():
    """Put an organisation on the tray."""
    organisation_id = _organisation_id()
    try:
        ids = tray.add(tray_ids(), organisation_id)
    except tray.TrayFull:
        return _tray_answer(
            organisation_id, _("Tarjottimella on jo %(limit)d järjestöä, joten uutta ei voi lisätä.", limit=tray.TRAY_LIMIT),
            refused=_("Tarjotin on täynnä (%(limit)d)", limit=tray.TRAY_LIMIT),
        )
    if organisation_id not in ids:
        return _tray_answer(organisation_id, _("Järjestöä ei löytynyt, joten sitä ei lisätty tarjottimelle."))
    save_tray(ids)
    return _tray_answer(organisation_id, ngettext("Lisätty tarjottimelle. Tarjottimella on %(num)d järjestö.",
                                                       "Lisätty tarjottimelle. Tarjottimella on %(num)d järjestöä.", len(ids)))


@bp.post("/tarjotin/poista")
@reads_only
def tray_remove():
    """Take an organisation off the tray."""
    organisation_id = _organisation_id()
    before = tray_ids()
    ids = tray.remove(before, organisation_id)
    save_tray(ids)
    return _tray_answer(organisation_id, ngettext("Poistettu tarjottimelta. Tarjottimella on %(num)d järjestö.",
                                                       "Poistettu tarjottimelta. Tarjottimella on %(num)d järjestöä.", len(ids)),
                        anchor=_landing_after_removal(before, organisation_id))


@bp.post("/tarjotin/tyhjenna")
@reads_only
def tray_clear():
    """Empty the tray; the tray page then offers to undo it."""
    # A second press (a double click) keeps what the first took away.
    save_tray([], cleared=tray_ids() or cleared_ids())
    flash(_("Tarjotin on tyhjennetty."))
    return redirect(url_for("contact.tray_page"), code=303)


@bp.post("/tarjotin/palauta")
@reads_only
def tray_restore():
    """Undo the emptying: the organisations it took away are back (those still published)."""
    ids = [organisation.id for organisation in tray.published_on_tray(cleared_ids())]
    if ids:
        save_tray(ids)
        flash(ngettext("Tarjotin on palautettu. Tarjottimella on %(num)d järjestö.",
                       "Tarjotin on palautettu. Tarjottimella on %(num)d järjestöä.", len(ids)))
    return redirect(url_for("contact.tray_page"), code=303)


@bp.get("/tarjotin")
def tray_page():
    """The chosen organisations with every public contact detail, printable."""
    ids = tray_ids()
    organisations = tray.published_on_tray(ids)
    still_there = [o.id for o in organisations]
    if still_there != ids:
        # Organisations unpublished meanwhile drop off the tray.
        save_tray(still_there)
    response = make_response(
        render_template(
            "contact/tray.html",
            organisations=organisations,
            dropped=len(ids) - len(still_there),
            cleared=len(cleared_ids()),
            heading_id=TRAY_HEADING,
            form=ContactRequestForm(),
            printed_on=date.today(),
        )
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/tarjotin/jaa")
def tray_share():
    """Make a short read-only link to a snapshot of the tray."""
    organisations = tray.published_on_tray(tray_ids())
    if not organisations:
        flash(_("Tarjotin on tyhjä, joten jaettavaa listaa ei tehty."))
        return redirect(url_for("contact.tray_page"), code=303)
    shared = tray.share([o.id for o in organisations])
    db.session.commit()
    return redirect(url_for("contact.shared_tray", code=shared.code, uusi=1), code=303)


def _shared_page(code: str, mail_form: MailListForm, *, just_created: bool = False, just_mailed: bool = False,
                 wait: str = "", status: int = 200) -> tuple[str, int]:
    shared = tray.shared_list(code)
    if shared is None:
        return render_template("contact/shared_tray_missing.html"), 404
    share_url = link_url("contact.shared_tray", code=code)
    return render_template(
        "contact/shared_tray.html",
        shared=shared,
        organisations=tray.published_on_tray(shared.organisation_ids),
        share_url=share_url,
        qr=tray.qr_svg(share_url, _("QR-koodi: %(url)s", url=share_url)),
        mail_form=mail_form,
        just_created=just_created,
        just_mailed=just_mailed,
        printed_on=date.today(),
        rate_limit_wait=wait,
    ), status


@bp.get("/lista/<code>")
def shared_tray(code: str):
    """A list a professional shared with a client: public details only, no personal data."""
    return _shared_page(code, MailListForm(formdata=None), just_created=request.args.get("uusi") == "1",
                        just_mailed=request.args.get("lahetetty") == "1")


def _mail_form_again(wait: str) -> str:
    return _shared_page(request.view_args["code"], MailListForm(), wait=wait)[0]


@bp.post("/lista/<code>/laheta")
@submission_limits("shared-list-mail", rerender=_mail_form_again)
def mail_shared_tray(code: str):
    """"Lähetä sähköpostilla": the list's link and organisations to an address, through the outbox."""
    shared = tray.shared_list(code)
    if shared is None:
        return render_template("contact/shared_tray_missing.html"), 404
    form = MailListForm()
    if not form.validate_on_submit():
        return _shared_page(code, form, status=422)

    def send():
        if not tray.mail_list(form.address(), shared, link_url("contact.shared_tray", code=code)):
            flash(_("Sama lista lähetettiin tähän osoitteeseen jo hetki sitten, joten sitä ei lähetetty uudelleen."))
        # The confirmation is in the address, not a flash: a repeat of this one-time key
        # (a double click, Back to the same form) is answered with the same page.
        return url_for("contact.shared_tray", code=code, lahetetty=1)

    return submit_once(form, send)
