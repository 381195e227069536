"""/jarjestoille: "Onko järjestösi jo tarjottimella?" — find an entry, ask to join it,
and the existing contact's answer behind a mailed link."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from app.accounts.access import contact_can_edit
from app.accounts.claims import (
    MAX_FOUND,
    ClaimError,
    answer_claim_link,
    claim_link,
    claimable_organisation,
    find_claimable,
    open_claim,
    own_claim,
    request_access,
)
from app.accounts.forms import ClaimAnswerForm, ClaimForm
from app.accounts.link_pages import LinkKind, link_problem_page, token_response
from app.accounts.routes import bp
from app.accounts.sessions import current_user, sign_in_required
from app.extensions import db
from app.platform.i18n import current_language
from app.platform.ratelimit import submission_limits
from app.platform.submissions import earlier_answer, submit_once
from app.search.analysis import words

MAX_QUERY = 200
CLAIM_LINK = LinkKind(
    _l("Linkki liittymispyyntöön"), "access_claim", "accounts.request_link",
    submit_label=_l("Lähetä kirjautumislinkki"),
    advice=_l("Jos vastasit jo pyyntöön, vastauksesi on tallessa. Jos siihen ei ole vastattu, ylläpito käsittelee sen."),
)


@bp.get("/omat/etsi")
@sign_in_required("contact")
def find_organisation():
    """"Onko järjestösi jo tarjottimella?": the public search, or a Y-tunnus, before adding a new entry."""
    text = (request.args.get("q") or "").strip()[:MAX_QUERY]
    if text and not words(text):
        # Only punctuation: the search would list every organisation, none of them this one.
        problem = _("Kirjoita järjestön nimi tai Y-tunnus kirjaimin ja numeroin.")
        return render_template("accounts/find.html", text=text, found=[], problem=problem, max_found=MAX_FOUND)
    found = find_claimable(text, language=current_language()) if text else []
    return render_template("accounts/find.html", text=text, found=found, problem="", max_found=MAX_FOUND)


def _claim_page_again(wait: str) -> str:
    organisation = claimable_organisation(request.view_args["organisation_id"]) or abort(404)
    return render_template("accounts/claim.html", organisation=organisation,
                           form=ClaimForm(to_staff=not organisation.contacts), waiting=None, rate_limit_wait=wait)


@bp.route("/omat/liity/<int:organisation_id>", methods=["GET", "POST"])
@sign_in_required("contact")
@submission_limits("claim", rerender=_claim_page_again)
def claim_organisation(organisation_id: int):
    """"Tämä on meidän": ask the organisation's contacts (or staff) to let this address edit the entry."""
    if (earlier := earlier_answer()) is not None:
        return earlier
    organisation = claimable_organisation(organisation_id)
    if organisation is None:
        abort(404)
    email = current_user().email
    if contact_can_edit(email, organisation.id):
        flash(_("Olet jo järjestön %(name)s yhteyshenkilö.", name=organisation.name))
        return redirect(url_for(".my_organisations"), code=303)
    form = ClaimForm(to_staff=not organisation.contacts)
    waiting = open_claim(organisation, email)
    if waiting is not None or not form.validate_on_submit():
        status = 422 if form.is_submitted() and waiting is None else 200
        return render_template("accounts/claim.html", organisation=organisation, form=form, waiting=waiting), status

    def create():
        try:
            claim = request_access(organisation, email, form.message.data or "", language=current_language())
        except ClaimError as problem:
            flash(problem.message)
            return None
        return url_for(".claim_sent", claim_id=claim.id)

    return submit_once(form, create) or redirect(url_for(".my_organisations"), code=303)


@bp.get("/omat/pyynto/<int:claim_id>")
@sign_in_required("contact")
def claim_sent(claim_id: int):
    """What happens next: who decides, and that the answer comes by mail."""
    claim = own_claim(claim_id, current_user().email)
    if claim is None:
        abort(404)
    return render_template("accounts/claim_sent.html", claim=claim)


@bp.get("/liittymispyynto/<int:claim_id>/<token>")
def open_claim_link(claim_id: int, token: str):
    """Opening the link shows the request and two buttons; it decides nothing (mail scanners fetch links)."""
    link = claim_link(claim_id, token)
    if not link.state.is_valid:
        return link_problem_page(link.state, CLAIM_LINK)
    if link.claim is None:
        return token_response(render_template("accounts/claim_answered.html"), 410)
    return token_response(render_template("accounts/claim_answer.html", claim=link.claim, form=ClaimAnswerForm()))


@bp.post("/liittymispyynto/<int:claim_id>/<token>")
def answer_claim(claim_id: int, token: str):
    """"Hyväksy" or "Hylkää": spends the link, answers the claim, mails the requester."""
    form = ClaimAnswerForm()
    if not form.validate_on_submit() or not (form.approve.data or form.decline.data):
        return redirect(url_for(".open_claim_link", claim_id=claim_id, token=token), code=303)
    try:
        claim = answer_claim_link(claim_id, token, approve=bool(form.approve.data))
    except ClaimError:
        claim = None
    if claim is None:
        db.session.rollback()
        return open_claim_link(claim_id, token)
    db.session.commit()
    return token_response(render_template("accounts/claim_answered.html", claim=claim))

