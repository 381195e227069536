"""Public pages: search, organisation pages, the A–Z list and the info pages."""
from datetime import date

from flask import Blueprint, current_app, render_template, request, url_for

from app.public.contact_forms import ContactRequestForm, contact_form_html
from app.public.page_cache import kept_response, render_kept
from app.public.search_page import search_page
from app.public.services import (
    organisations_by_letter,
    published_members,
    published_organisation_or_404,
    published_parent,
)
from app.public.tray_session import tray_ids
from app.services.contact_requests import recipients
from app.services.search import SearchQuery, find
from app.services.search_query import index_state
from app.templating import wants_partial

bp = Blueprint("public", __name__)
bp.add_app_template_global(contact_form_html)


@bp.get("/")
@bp.get("/haku")
def search():
    """Search by need, activity, area and words; without any, list everything A–Z."""
    query = SearchQuery.from_args(request.args, page_size=current_app.config["SEARCH_PAGE_SIZE"])
    state = index_state()
    found = find(query, state)
    tray = set(tray_ids())
    on_tray = tuple(i for i in found.ids if i in tray)
    response = search_page(query, found, state, on_tray, date.today(), partial=wants_partial())
    # The same address answers htmx with the results alone: caches must keep the two apart.
    response.vary.add("HX-Request")
    return response


@bp.get("/jarjestot/<int:organisation_id>")
def organisation(organisation_id: int):
    """Everything public about one organisation."""
    state, today = index_state(), date.today()
    # The page follows from these (the state names one version of the directory, its
    # contacts and its taxonomy); an unpublished organisation's 404 is not kept.
    key = (state, organisation_id, organisation_id in tray_ids(), today)
    page = render_kept("public/organisation.html", key, lambda: organisation_page_context(organisation_id, today))
    return kept_response(page, {}, packed=False)


def organisation_page_context(organisation_id: int, today: date) -> dict:
    found = published_organisation_or_404(organisation_id)
    return dict(
        organisation=found,
        parent=published_parent(found),
        members=published_members(found),
        today=today,
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
