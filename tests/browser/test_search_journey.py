"""A resident's journey in a real browser, with JavaScript off and on: front page →
"diabetes" in one municipality → the organisation → its phone number as a tel: link →
back to the same search."""
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db

pytestmark = pytest.mark.browser

QUERY = "diabetes"


@dataclass(frozen=True)
class Journey:
    organisation_id: int
    organisation_name: str
    phone: str  # E.164
    municipality_id: int
    total: int  # what the search service finds: the page must announce the same
    shown: int  # results on the first page


@pytest.fixture(scope="module")
def journey(live_server) -> Journey:
    """A local demo organisation for diabetes that has a phone, found on page 1 of
    its municipality, and what the search service answers for that search."""
    from app.models import Need, Organisation
    from app.search.engine import SearchQuery, search

    with live_server.app.app_context():
        candidates = db.session.scalars(
            select(Organisation)
            .join(Organisation.needs)
            .where(Need.name == "Diabetes", Organisation.status == "published", Organisation.nationwide.is_(False))
            .order_by(Organisation.sort_name)
        )
        for organisation in candidates:
            if not (organisation.phones and organisation.municipalities):
                continue
            municipality = organisation.municipalities[0]
            result = search(SearchQuery(text=QUERY, municipality_ids=[municipality.id]))
            if organisation.id in [card.id for card in result.organisations]:
                found = Journey(
                    organisation_id=organisation.id,
                    organisation_name=organisation.name,
                    phone=organisation.phones[0].number,
                    municipality_id=municipality.id,
                    total=result.total,
                    shown=len(result.organisations),
                )
                db.session.remove()
                return found
        db.session.remove()
    pytest.fail("no published local Diabetes organisation with a phone is on page 1 of its own municipality")


def choose_municipality(page, municipality_id: int) -> None:
    """Open the filter panel and its list of municipalities, and tick one."""
    page.get_by_text("Rajaa hakua").click()
    page.locator("summary", has_text="Kunnat").click()
    page.locator(f"#kunta-{municipality_id}").check()


def assert_url_holds_search(page, journey: Journey) -> None:
    params = parse_qs(urlsplit(page.url).query)
    assert params.get("q") == [QUERY], page.url
    assert params.get("kunta") == [str(journey.municipality_id)], page.url


def assert_results_shown(page, journey: Journey, expect) -> None:
    expect(page.locator("#tulosmaara")).to_have_text(re.compile(rf"(^|\D){journey.total}(\D|$)"))
    expect(page.locator("#tulokset article.tulos")).to_have_count(journey.shown)
    link = page.locator(f'#tulokset article.tulos h3 a[href*="/jarjestot/{journey.organisation_id}?haku="]')
    expect(link).to_have_text(journey.organisation_name)


def same_search(url: str, other: str) -> bool:
    """The same search, the default sort (relevance) written out or not."""
    def parameters(address: str) -> dict:
        found = parse_qs(urlsplit(address).query)
        if found.get("jarjestys") == ["osuvuus"]:
            del found["jarjestys"]
        return found
    return parameters(url) == parameters(other)


def open_organisation_and_check_phone(page, journey: Journey, expect) -> None:
    search_url = page.url
    page.locator(f'#tulokset h3 a[href*="/jarjestot/{journey.organisation_id}?"]').click()
    expect(page).to_have_url(re.compile(rf"/jarjestot/{journey.organisation_id}\?haku="))
    expect(page.get_by_role("heading", level=1)).to_have_text(journey.organisation_name)
    tel_links = page.locator('a[href^="tel:"]').evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert f"tel:{journey.phone}" in tel_links
    page.get_by_role("link", name="Takaisin hakuun").click()
    assert same_search(page.url, search_url)
    assert_results_shown(page, journey, expect)


def test_search_journey_without_javascript(new_page, journey, expect):
    page = new_page(javascript=False)
    page.goto("/")
    page.get_by_label("Hakusana").fill(QUERY)
    choose_municipality(page, journey.municipality_id)
    page.get_by_role("button", name="Hae", exact=True).click()

    expect(page).to_have_url(re.compile(r"/haku\?"))
    assert_url_holds_search(page, journey)
    assert_results_shown(page, journey, expect)
    open_organisation_and_check_phone(page, journey, expect)


def test_search_journey_with_javascript_swaps_only_the_results(new_page, journey, expect):
    page = new_page(javascript=True)
    page.goto("/")
    page.wait_for_function("() => window.htmx !== undefined")
    # A full reload or a swap that replaced the form would lose this reference.
    page.evaluate("() => { window.journeyInput = document.getElementById('q'); }")

    choose_municipality(page, journey.municipality_id)
    expect(page).to_have_url(re.compile(rf"kunta={journey.municipality_id}"))

    search_box = page.get_by_label("Hakusana")
    search_box.click()
    with page.expect_response(lambda response: f"q={QUERY}" in response.url) as answer:
        search_box.press_sequentially(QUERY, delay=60)
    partial = answer.value
    assert partial.request.headers.get("hx-request") == "true"
    assert "<html" not in partial.text().lower(), "an htmx request got the full page instead of the partial"
    assert "hx-request" in partial.headers.get("vary", "").lower()

    expect(page).to_have_url(re.compile(rf"q={QUERY}"))
    assert_url_holds_search(page, journey)
    assert_results_shown(page, journey, expect)
    assert page.evaluate("() => window.journeyInput === document.getElementById('q')"), "the input was replaced"
    assert page.evaluate("() => document.activeElement && document.activeElement.id") == "q", "the input lost focus"
    expect(search_box).to_have_value(QUERY)
    # The tab, the history entry and a screen reader's "say the title" name this search, not the first one.
    expect(page).to_have_title(f"Haku: {QUERY} – Hyvinvointitarjotin")

    open_organisation_and_check_phone(page, journey, expect)
