"""Public directory pages: one organisation, all organisations A–Z."""
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _

from app.contact.forms import ContactRequestForm
from app.contact.requests import recipients
from app.directory.error_reports import report_error
from app.directory.freshness import STALE_AFTER
from app.directory.forms import ErrorReportForm
from app.directory.reads import (
    filter_choices,
    organisations_a_to_z,
    published_members,
    published_organisation_or_404,
    published_parent,
)
from app.models import utcnow
from app.platform.i18n import current_language
from app.platform.ratelimit import submission_limits
from app.platform.submissions import submit_once
from app.platform.validation import database_ids
from app.search.index import directory_version
from app.search.page import search_to_return_to, search_url

bp = Blueprint("directory", __name__)


def _search_came_from() -> list[tuple[str, str]]:
    """The search this organisation page was opened from (its `haku` or the Referer), [] for none."""
    return search_to_return_to(request.args.get("haku"), request.referrer, request.host)


def _keep(search_args: list[tuple[str, str]]) -> dict[str, str]:
    """The `haku` parameter with which a link or form of the page keeps the search it came from."""
    return {"haku": urlencode(search_args)} if search_args else {}


def _organisation_page(found, error_form: ErrorReportForm, rate_limit_wait: str = "") -> str:
    search_args = _search_came_from()
    # The tray button and the error report return here without JavaScript, still knowing the search.
    keep_search = _keep(search_args)
    return render_template(
        "directory/organisation.html",
        organisation=found,
        back_url=search_url(search_args),
        this_page_url=url_for("directory.organisation", organisation_id=found.id, **keep_search),
        error_report_action=url_for("directory.report_organisation_error", organisation_id=found.id, **keep_search),
        rate_limit_wait=rate_limit_wait,
        parent=published_parent(found),
        members=published_members(found),
        today=date.today(),
        details_stale=found.confirmed_at is None or found.confirmed_at < utcnow() - STALE_AFTER,
        can_receive_requests=bool(recipients(found)),
        form=ContactRequestForm(),
        error_form=error_form,
        organisations=[found],
        action=url_for("contact.contact_organisation", organisation_id=found.id),
    )


@bp.get("/jarjestot/<int:organisation_id>")
def organisation(organisation_id: int):
    """Everything public about one organisation."""
    return _organisation_page(published_organisation_or_404(organisation_id), ErrorReportForm(formdata=None))


def _error_report_again(wait: str) -> str:
    """The page again with the report as typed, when the limit refused it."""
    found = published_organisation_or_404(request.view_args["organisation_id"])
    return _organisation_page(found, ErrorReportForm(), rate_limit_wait=wait)


@bp.post("/jarjestot/<int:organisation_id>/virheilmoitus")
@submission_limits("error-report", rerender=_error_report_again)
def report_organisation_error(organisation_id: int):
    """"Ilmoita virheestä": a task for staff and a mail to the organisation's contacts."""
    found = published_organisation_or_404(organisation_id)
    form = ErrorReportForm()
    if not form.validate_on_submit():
        return _organisation_page(found, form), 422
    description, email = form.cleaned()

    def report():
        filed = report_error(found, description, email)
        flash(_("Kiitos! Ilmoitus on välitetty ylläpidolle ja järjestölle."))
        if filed is None:
            flash(_("Sama ilmoitus lähetettiin jo hetki sitten, joten sitä ei lähetetty uudelleen."))
        # organisation_id, not found.id: reading an expired attribute after the commit would begin
        # a write transaction that the limiter's count after the answer waits for on SQLite.
        return _report_form_url(organisation_id)

    return submit_once(form, report)


def _report_form_url(organisation_id: int) -> str:
    return url_for("directory.organisation", organisation_id=organisation_id,
                   **_keep(_search_came_from())) + "#virheilmoitus"


@bp.get("/jarjestot")
def organisations():
    """All published organisations A–Z, grouped by letter; `kirjain` and `kunta` narrow the list."""
    municipalities = filter_choices(directory_version(), current_language()).municipalities
    known = dict(municipalities)
    municipality_id = next((i for i in database_ids(request.args.getlist("kunta")) if i in known), None)
    listing = organisations_a_to_z(municipality_id, request.args.get("kirjain"))
    return render_template(
        "directory/organisations.html",
        listing=listing,
        municipality_id=municipality_id,
        municipality_name=known.get(municipality_id),
        municipality_choices=municipalities,
    )
