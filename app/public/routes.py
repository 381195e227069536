"""Public pages: search, organisation pages, the A–Z list and the info pages."""
from datetime import date

from flask import Blueprint, current_app, render_template, request, url_for

from app.public.contact_forms import ContactRequestForm
from app.public.search_page import search_page_context
from app.public.services import (
    organisations_by_letter,
    published_members,
    published_organisation_or_404,
    published_parent,
)
from app.services.contact_requests import recipients
from app.services.search import SearchQuery, search as run_search
from app.templating import render_page

bp = Blueprint("public", __name__)


@bp.get("/")
@bp.get("/haku")
def search():
    """Search by need, activity, area and words; without any, list everything A–Z."""
    query = SearchQuery.from_args(request.args, page_size=current_app.config["SEARCH_PAGE_SIZE"])
    context = search_page_context(run_search(query))
    return render_page("public/search.html", "public/_search_partial.html", today=date.today(), **context)


@bp.get("/jarjestot/<int:organisation_id>")
def organisation(organisation_id: int):
    """Everything public about one organisation."""
    found = published_organisation_or_404(organisation_id)
    return render_template(
        "public/organisation.html",
        organisation=found,
        parent=published_parent(found),
        members=published_members(found),
        today=date.today(),
        can_receive_requests=bool(recipients(found)),
        form=ContactRequestForm(),
        organisations=[found],
        action=url_for("public.contact_organisation", organisation_id=found.id),
    )


@bp.get("/jarjestot")
def organisations():
    """All published organisations A–Z, grouped by letter."""
    return render_template("public/organisations.html", letters=organisations_by_letter())


@bp.get("/ohjeet")
def instructions():
    """How to search, how organisations join, how to reach us."""
    return render_template("public/instructions.html", staff_email=current_app.config["STAFF_NOTIFY_EMAIL"])


@bp.get("/ohjeet/selkokieli")
def instructions_plain():
    """The instructions in plain language (selkokieli)."""
    return render_template("public/instructions_plain.html", staff_email=current_app.config["STAFF_NOTIFY_EMAIL"])


@bp.get("/saavutettavuusseloste")
def accessibility():
    """Accessibility statement (saavutettavuusseloste)."""
    return render_template("public/accessibility.html", staff_email=current_app.config["STAFF_NOTIFY_EMAIL"])


@bp.get("/tietosuojaseloste")
def privacy():
    """Privacy notice (tietosuojaseloste)."""
    return render_template("public/privacy.html", staff_email=current_app.config["STAFF_NOTIFY_EMAIL"])
