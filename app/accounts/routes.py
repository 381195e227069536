"""/jarjestoille: join or sign in with an e-mailed link, add and edit your own organisations."""
from datetime import date
from functools import partial

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.accounts.access import contact_can_edit, organisations_of_contact
from app.accounts.claims import claims_waiting_for
from app.accounts.link_pages import (
    SIGN_IN_LINK,
    fresh_link_page,
    link_request_page,
    link_sent_page,
    opened_link_page,
    use_contact_link,
)
from app.accounts.services import NEW_ENTRIES_PER_DAY, SIGN_IN_LINK_MINUTES, entries_added_today, send_sign_in_link
from app.accounts.sessions import current_user, end_session, sign_in_required
from app.directory.conflicts import show_conflict
from app.directory.contacts import add_sender
from app.directory.drafts import discard_draft, drafts_of
from app.directory.duplicates import different_organisation_confirmed, possible_duplicates
from app.directory.ending import ended_report
from app.directory.filters import STATUS_LABELS
from app.directory.forms import OrganisationForm
from app.directory.organisations import (
    NotConfirmable,
    VersionConflict,
    confirm_organisation,
    create_organisation,
    update_organisation,
)
from app.directory.moderation import rejection_reasons
from app.directory.form_steps import PREVIEW
from app.directory.stepped_pages import SteppedForm, keep_posted_as_draft, one_page_form, preview_page
from app.extensions import db, limiter
from app.models import Organisation
from app.platform.form_fields import ActionForm
from app.platform.ratelimit import LINKS_PER_IP, link_request_limits, per_token
from app.platform.submissions import earlier_answer, submit_once

bp = Blueprint("accounts", __name__)

# Limits hold across worker processes when RATELIMIT_STORAGE_URI names a shared store.
LINKS_PER_TOKEN = "3 per hour"
LINK_SENT_KEY = "link_sent"


@bp.route("/", methods=["GET", "POST"])
@link_request_limits("address")
def request_link():
    """What organisations can do here, and the e-mail field that sends a sign-in link."""
    return link_request_page(
        "accounts/start.html", send_sign_in_link, LINK_SENT_KEY, ".link_sent", sign_out_form=ActionForm()
    )


@bp.get("/linkki-lahetetty")
def link_sent():
    """The same answer for every address: a link is on its way if it can be used."""
    return link_sent_page("accounts/link_sent.html", LINK_SENT_KEY, SIGN_IN_LINK_MINUTES, ".request_link")


@bp.get("/kirjaudu/<token>")
def open_link(token: str):
    """Opening the link changes nothing: mail scanners fetch links too."""
    return opened_link_page(token, SIGN_IN_LINK, _sign_in_destination)


@bp.post("/kirjaudu/<token>")
def use_link(token: str):
    """"Jatka": spend the link, start a new session, leave the token's URL."""
    return use_contact_link(token, SIGN_IN_LINK, _sign_in_destination)


def _sign_in_destination(_used) -> str:
    return url_for(".my_organisations")


@bp.post("/kirjaudu/<token>/uusi")
@limiter.limit(LINKS_PER_IP)
@limiter.limit(LINKS_PER_TOKEN, key_func=per_token("fresh"))
def fresh_sign_in_link(token: str):
    """A used or expired link's "send a new link to the same address"."""
    return fresh_link_page(token, SIGN_IN_LINK, LINK_SENT_KEY, ".link_sent")


@bp.get("/omat")
@sign_in_required("contact")
def my_organisations():
    """The organisations the signed-in address may edit."""
    user = current_user()
    organisations = organisations_of_contact(user.email)
    return render_template(
        "accounts/my_organisations.html",
        email=user.email,
        organisations=organisations,
        # A draft left unsent: "Muokkaa" continues it, and it can be thrown away.
        drafts=drafts_of(user.email),
        discard_form=ActionForm(),
        claims=claims_waiting_for(user.email),
        rejection_reasons=rejection_reasons([o.id for o in organisations if o.status == "rejected"]),
        # Hidden by a contact's "Toimintamme on päättynyt": the note says so and links to the undo.
        ended={o.id for o in organisations if ended_report(o) is not None},
        sign_out_form=ActionForm(),
        confirm_form=ActionForm(),
    )


def keep_organisation_form(email: str) -> bool:
    """sign_in_required's keep for the organisation form (one page or a step): what was sent
    becomes the person's draft of their organisation, continued where it was sent from."""
    organisation_id = request.view_args.get("organisation_id")
    if organisation_id is not None and not contact_can_edit(email, organisation_id):
        return False
    organisation = db.session.get(Organisation, organisation_id) if organisation_id is not None else None
    keep_posted_as_draft(email, organisation, request.view_args.get("slug") or PREVIEW.slug)
    return True


@bp.route("/omat/uusi", methods=["GET", "POST"])
@sign_in_required("contact", keep=keep_organisation_form)
def add_organisation():
    """A new organisation: it waits for staff approval, and staff are told by mail."""
    if (earlier := earlier_answer()) is not None:
        return earlier
    user = current_user()
    form = one_page_form(contact_stepped_form(None))
    if not form.validate_on_submit():
        return _form_page(form, None, 422 if form.is_submitted() else 200)
    return send_new_organisation(
        form, user.email, lambda duplicates: _form_page(form, None, 200, duplicates=duplicates)
    )


def send_new_organisation(form: OrganisationForm, email: str, show_duplicates):
    """Create the organisation of a valid form once, drop the person's draft, show what happens next.

    Entries with the same Y-tunnus or a similar name are first shown with `show_duplicates`
    (the page the form was sent from) until the person presses "Eri järjestö, jatka".
    Past NEW_ENTRIES_PER_DAY the same page says why (429), with everything typed kept.
    """
    if entries_added_today(email) >= NEW_ENTRIES_PER_DAY:
        form.form_errors.append(_(
            "Olet lisännyt vuorokauden aikana jo %(count)d järjestöä, joten tätä ei tallennettu. Voit lähettää "
            "sen huomenna, tai pyydä ylläpitoa lisäämään se.", count=NEW_ENTRIES_PER_DAY,
        ))
        page, _status = show_duplicates(())
        return page, 429
    data = form.to_data()
    add_sender(data.contacts, email)
    if not different_organisation_confirmed(request.form):
        duplicates = possible_duplicates(data.name, data.business_id, contact_email=email)
        if duplicates:
            return show_duplicates(duplicates)

    def create():
        organisation = create_organisation(data, email)
        discard_draft(email, None)
        return url_for(".organisation_added", organisation_id=organisation.id)

    return submit_once(form, create)


@bp.get("/omat/<int:organisation_id>/lisatty")
@sign_in_required("contact")
def organisation_added(organisation_id: int):
    """What happens next to a new organisation."""
    organisation = own_organisation_or_404(organisation_id)
    return render_template("accounts/organisation_added.html", organisation=organisation)


@bp.route("/omat/<int:organisation_id>/muokkaa", methods=["GET", "POST"])
@sign_in_required("contact", keep=keep_organisation_form)
def edit_organisation(organisation_id: int):
    """Every detail of an organisation; a published one changes at once."""
    user = current_user()
    stepped = contact_stepped_form(organisation_id)
    organisation = stepped.organisation
    form = one_page_form(stepped)
    if not form.validate_on_submit():
        return _form_page(form, organisation, 422 if form.is_submitted() else 200)
    return save_own_organisation(form, organisation, user.email)


def save_own_organisation(form: OrganisationForm, organisation: Organisation, email: str):
    """Save a valid form over the organisation with the version check, drop the person's draft."""
    organisation_id = organisation.id
    data = form.to_data()
    try:
        saved = update_organisation(
            organisation, data, email, base_version=form.base_version, base_record=form.started_from,
            choices=form.conflict_choices,
        )
        if not saved.changed and organisation.status != "rejected":
            # The button says so: saving the form unchanged confirms the details are current.
            confirm_organisation(organisation, email)
        discard_draft(email, organisation_id)
        db.session.commit()
    except VersionConflict:
        db.session.rollback()
        organisation = own_organisation_or_404(organisation_id)
        return _form_page(form, organisation, 409, conflicts=show_conflict(form, organisation, data))
    if not saved.changed and organisation.status == "rejected":
        flash(_("Et muuttanut tietoja. Korjaa ne perustelun mukaan, niin ne lähtevät ylläpidolle uudelleen "
                "hyväksyttäviksi."))
    elif not saved.changed:
        flash(_("Tietoihin ei tehty muutoksia. Järjestön %(name)s tiedot on merkitty ajan tasalla oleviksi.",
                name=organisation.name))
    elif email not in {person.email for person in organisation.contacts}:
        flash(_("Tiedot tallennettu. Poistit oman osoitteesi yhteyshenkilöistä, joten et voi enää muokata "
                "järjestön %(name)s tietoja.", name=organisation.name))
    elif saved.merged:
        flash(_("Järjestön %(name)s tiedot tallennettu. Joku muu oli tallentanut tietoja sillä välin: "
                "vain muuttamasi kohdat tallennettiin, muiden muutokset säilyivät.", name=organisation.name))
    elif saved.resubmitted:
        flash(_("Korjatut tiedot on lähetetty ylläpidolle. Järjestö %(name)s julkaistaan, kun ylläpito on "
                "hyväksynyt sen.", name=organisation.name))
    elif organisation.is_published:
        flash(_("Järjestön %(name)s tiedot tallennettu. Muutokset näkyvät palvelussa heti.", name=organisation.name))
    else:
        flash(_("Järjestön %(name)s tiedot tallennettu. Järjestö julkaistaan, kun ylläpito on hyväksynyt sen.",
                name=organisation.name))
    return redirect(url_for(".my_organisations"), code=303)


@bp.get("/omat/<int:organisation_id>/tarkista")
@sign_in_required("contact")
def check_organisation(organisation_id: int):
    """The entry as the public sees it, with "Tiedot ovat ajan tasalla" and "Muokkaa tietoja"."""
    organisation = own_organisation_or_404(organisation_id)
    return render_template(
        "accounts/check.html", organisation=organisation, today=date.today(), confirm_form=ActionForm(),
        rejection_reason=rejection_reasons([organisation.id]).get(organisation.id, ""),
    )


@bp.post("/omat/<int:organisation_id>/ajan-tasalla")
@sign_in_required("contact")
def confirm_current(organisation_id: int):
    """"Tiedot ovat ajan tasalla": records the confirmation, changes nothing else.

    A rejected entry is refused and its form opened, where a correction goes back to staff.
    """
    user = current_user()
    organisation = own_organisation_or_404(organisation_id)
    try:
        confirm_organisation(organisation, user.email)
    except NotConfirmable as refused:
        flash(refused.message)
        return redirect(url_for(".continue_form", organisation_id=organisation.id), code=303)
    db.session.commit()
    flash(_("Kiitos! Järjestön %(name)s tiedot on merkitty ajan tasalla oleviksi.", name=organisation.name))
    return redirect(url_for(".my_organisations"), code=303)


def own_organisation_or_404(organisation_id: int) -> Organisation:
    # 404 rather than 403: someone else's organisation must not even be confirmed to exist.
    if not contact_can_edit(current_user().email, organisation_id):
        abort(404)
    return db.get_or_404(Organisation, organisation_id)


def contact_stepped_form(organisation_id: int | None) -> SteppedForm:
    """The signed-in contact's form of their organisation (404 if not theirs), or of a new one."""
    email = current_user().email
    organisation = None if organisation_id is None else own_organisation_or_404(organisation_id)
    if organisation is None:
        step_url = partial(url_for, ".form_step")
        one_page_url = url_for(".add_organisation")
        form_name = _("Lisää järjestö")
    else:
        step_url = partial(url_for, ".form_step", organisation_id=organisation.id)
        one_page_url = url_for(".edit_organisation", organisation_id=organisation.id)
        form_name = _("Muokkaa järjestön tietoja: %(name)s", name=organisation.name)

    def send(form):
        if organisation is None:
            return send_new_organisation(
                form, email, lambda duplicates: preview_page(stepped, form, duplicates=duplicates)
            )
        return save_own_organisation(form, organisation, email)

    stepped = SteppedForm(
        email=email, organisation=organisation, staff=False, step_url=step_url, one_page_url=one_page_url,
        send=send, page={
            "layout": "accounts/stepped_layout.html",
            "back_url": url_for(".my_organisations"),
            "back_label": _("Takaisin omiin järjestöihin"),
            "form_name": form_name,
            "editor_email": email if organisation else None,
        },
    )
    return stepped


def _form_page(form: OrganisationForm, organisation: Organisation | None, status: int, conflicts=None,
               duplicates=()):
    return render_template(
        "accounts/organisation_form.html",
        form=form,
        organisation=organisation,
        conflicts=conflicts,
        duplicates=duplicates,
        status_labels=STATUS_LABELS,
        editor_email=current_user().email,
    ), status


@bp.post("/kirjaudu-ulos")
def sign_out():
    """Sign this browser out: its session row goes and its cookie is emptied (end_session)."""
    end_session()
    db.session.commit()
    flash(_("Olet kirjautunut ulos."))
    return redirect(url_for(".request_link"), code=303)
