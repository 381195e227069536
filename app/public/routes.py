"""Public pages: search, organisation pages, the A–Z list and the info pages."""
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.models import Municipality
from app.public.contact_forms import ContactRequestForm, contact_form_html
from app.public.forms import build_search_form
from app.public.page_cache import render_shared
from app.public.result_list import result_cards
from app.public.services import (
    FilterChoices,
    filter_choices,
    organisations_by_letter,
    published_members,
    published_organisation_or_404,
    published_parent,
    text_without_municipality,
)
from app.public.tray_session import tray_ids
from app.services.contact_requests import recipients
from app.services.search import Found, SearchQuery, detected_municipalities, find
from app.services.search_query import IndexState, index_state
from app.templating import render_page_or_partial

bp = Blueprint("public", __name__)
bp.add_app_template_global(contact_form_html)


@dataclass
class Chip:
    """An active filter shown as a link that removes it."""

    kind: str
    label: str
    url: str


def search_url(args: list[tuple[str, str]], anchor: str = "") -> str:
    base = url_for("public.search")
    query = urlencode(args)
    return base + ("?" + query if query else "") + (("#" + anchor) if anchor else "")


def active_filters(query: SearchQuery, detected: list[Municipality], choices: FilterChoices) -> list[Chip]:
    """One chip per chosen need, activity and municipality, including those read from the text."""
    needs = choices.need_names
    activities = dict(choices.activities)
    municipalities = dict(choices.municipalities)
    chips = []
    for need_id in query.need_ids:
        if need_id in needs:
            rest = [i for i in query.need_ids if i != need_id]
            chips.append(Chip(_("Aihe"), needs[need_id], search_url(query.to_args(need_ids=rest, page=1))))
    for activity_id in query.activity_ids:
        if activity_id in activities:
            rest = [i for i in query.activity_ids if i != activity_id]
            chips.append(
                Chip(_("Toiminta"), activities[activity_id], search_url(query.to_args(activity_ids=rest, page=1)))
            )
    for municipality_id in query.municipality_ids:
        if municipality_id in municipalities:
            rest = [i for i in query.municipality_ids if i != municipality_id]
            chips.append(
                Chip(_("Alue"), municipalities[municipality_id], search_url(query.to_args(municipality_ids=rest, page=1)))
            )
    for municipality in detected:
        if municipality.id not in query.municipality_ids:
            text = text_without_municipality(query.text, municipality)
            chips.append(Chip(_("Alue hakusanasta"), municipality.name_fi, search_url(query.to_args(text=text, page=1))))
    return chips


def page_numbers(page: int, page_count: int) -> list[int | None]:
    """Pages to link: the first, the last and two either side of the current; None is a gap."""
    shown = sorted({1, page_count, *range(max(1, page - 2), min(page_count, page + 2) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def result_count_text(total: int) -> str:
    if total == 0:
        return _("Yhtään järjestöä ei löytynyt")
    return ngettext("%(num)d järjestö löytyi", "%(num)d järjestöä löytyi", total)


@bp.get("/")
@bp.get("/haku")
def search():
    """Search by need, activity, area and words; without any, list everything A–Z."""
    query = SearchQuery.from_args(request.args, page_size=current_app.config["SEARCH_PAGE_SIZE"])
    state = index_state()
    found = find(query, state)
    tray = set(tray_ids())
    on_tray = tuple(i for i in found.ids if i in tray)
    today = date.today()
    # Everything the page shows follows from these (the state names one version of
    # the directory and its taxonomy): the same key is the same page.
    shown = (state, query.cache_key, on_tray, today)

    def context() -> dict:
        return search_page_context(query, found, state, on_tray, today)

    return render_page_or_partial(
        "public/search.html",
        "public/_search_partial.html",
        render=lambda template: render_shared(template, shown, context),
    )


def search_page_context(
    query: SearchQuery, found: Found, state: IndexState, on_tray: tuple[int, ...], today: date
) -> dict:
    """What the search page shows, made only when the page is rendered (not for a shared copy)."""
    choices = filter_choices(state)
    # Where a tray button without JavaScript returns to: this very search.
    this_search_url = search_url(query.to_args())
    return dict(
        form=build_search_form(query, choices),
        query=query,
        found=found,
        result_cards=result_cards(found.ids, state, on_tray, today, this_search_url),
        chips=active_filters(query, detected_municipalities(found), choices),
        count_text=result_count_text(found.total),
        pages=page_numbers(found.page, found.page_count),
        search_url=search_url,
        extra_need_ids=query.need_ids[1:],
        extra_municipality_ids=query.municipality_ids[1:],
    )


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
