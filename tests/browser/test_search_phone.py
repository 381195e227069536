"""The search on a 375 px phone, with JavaScript off and on: the filters wait in a closed
panel, several municipalities, needs, a language and an accessibility feature are
ticked, and the first result is on the first screen once the results are asked for."""
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from tests.browser.conftest import AXE_SCRIPT, AXE_TAGS

from app.extensions import db

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
QUERY = "vertaistuki"


@dataclass(frozen=True)
class Choice:
    municipality_ids: list[int]
    municipality_names: list[str]
    need_ids: list[int]  # one from each of two need groups
    total: int  # what the search service finds for QUERY with these filters (and the Swedish-language filter)
    first_name: str
    total_without_language: int


@pytest.fixture(scope="module")
def choice(live_server) -> Choice:
    """Two municipalities and two needs for which the demo data has results, and the service's answer."""
    from app.models import Municipality, Need
    from app.search.engine import SearchQuery, search

    with live_server.app.app_context():
        municipalities = list(db.session.scalars(
            select(Municipality).where(Municipality.name_fi.in_(["Kuopio", "Iisalmi"])).order_by(Municipality.name_fi)))
        needs = [db.session.scalar(select(Need).where(Need.name == name)) for name in ("Yksinäisyys", "Muistisairaus")]
        assert needs[0].group != needs[1].group
        chosen = dict(text=QUERY, municipality_ids=[m.id for m in municipalities])
        with_language = search(SearchQuery(**chosen, languages=["sv"]))
        without_language = search(SearchQuery(**chosen))
        db.session.remove()
    assert with_language.total >= 1 and without_language.total > with_language.total
    return Choice(
        municipality_ids=[m.id for m in municipalities],
        municipality_names=[m.name_fi for m in municipalities],
        need_ids=[n.id for n in needs],
        total=with_language.total,
        first_name=with_language.organisations[0].name,
        total_without_language=without_language.total,
    )


def phone_page(new_page, javascript: bool):
    page = new_page(javascript=javascript)
    page.set_viewport_size(PHONE)
    return page


def tick(page, checkbox, javascript: bool) -> None:
    """Tick a box; with JavaScript, wait for its update (a newer one would cancel it, which htmx logs)."""
    if not javascript:
        checkbox.check()
        return
    with page.expect_response(lambda response: "/haku?" in response.url):
        checkbox.check()


def tick_municipalities(page, choice: Choice, javascript: bool) -> None:
    page.get_by_text("Rajaa hakua").click()
    page.locator("summary", has_text="Kunnat").click()
    for name in choice.municipality_names:
        tick(page, page.get_by_label(name, exact=True), javascript)


def assert_first_result_on_first_screen(page, expect, choice: Choice) -> None:
    first = page.locator("#tulokset article.tulos h3 a").first
    expect(first).to_have_text(choice.first_name)
    box = first.bounding_box()
    assert box is not None
    top = box["y"]
    assert 0 <= top and top + box["height"] <= PHONE["height"], f"first result at y={top} of the screen"


def test_without_javascript_the_panel_button_shows_the_results(new_page, expect, choice):
    page = phone_page(new_page, javascript=False)
    page.goto("/")
    filters = page.locator("#suodattimet")
    expect(page.get_by_label("Ruotsi")).to_be_hidden()  # the panel starts closed
    page.get_by_label("Hakusana").fill(QUERY)
    tick_municipalities(page, choice, javascript=False)
    page.get_by_label("Ruotsi").check()
    page.get_by_role("button", name="Näytä tulokset").click()

    expect(page).to_have_url(re.compile(r"/haku\?"))
    params = parse_qs(urlsplit(page.url).query)
    assert params["q"] == [QUERY] and params["kieli"] == ["sv"]
    assert sorted(params["kunta"]) == sorted(str(i) for i in choice.municipality_ids)
    expect(filters.locator("> summary")).to_have_text("Rajaa hakua (3 valintaa)")
    expect(page.get_by_label("Ruotsi")).to_be_hidden()  # closed again: the results come first
    expect(page.locator("#tulosmaara")).to_have_text(re.compile(rf"^{choice.total} järjestö"))
    assert_first_result_on_first_screen(page, expect, choice)


def test_without_javascript_several_needs_from_two_groups(new_page, expect, choice):
    page = phone_page(new_page, javascript=False)
    page.goto("/")
    page.get_by_text("Rajaa hakua").click()
    for need_id in choice.need_ids:
        checkbox = page.locator(f"#tarve-{need_id}")
        page.locator("details.tarveryhma", has=checkbox).locator("summary").click()
        checkbox.check()
    page.get_by_role("button", name="Näytä tulokset").click()
    params = parse_qs(urlsplit(page.url).query)
    assert sorted(params["tarve"]) == sorted(str(i) for i in choice.need_ids)
    # Both stay ticked, and their groups open, after the page came back.
    page.get_by_text("Rajaa hakua").click()
    for need_id in choice.need_ids:
        expect(page.locator(f"#tarve-{need_id}")).to_be_checked()
        expect(page.locator(f"#tarve-{need_id}")).to_be_visible()


def test_with_javascript_ticking_updates_in_place_and_the_button_brings_the_results(new_page, expect, choice):
    page = phone_page(new_page, javascript=True)
    page.goto(f"/haku?q={QUERY}")
    page.wait_for_function("() => window.htmx !== undefined")
    tick_municipalities(page, choice, javascript=True)
    show = page.locator("#naytamaara")
    expect(show).to_have_text(f"Näytä {choice.total_without_language} tulosta")
    tick(page, page.get_by_label("Ruotsi"), javascript=True)
    # The panel's button and the live count say what ticking did; focus stays on the box.
    expect(show).to_have_text(re.compile(rf"^Näytä {choice.total} tulos"))
    expect(page.locator("#tulosmaara")).to_have_text(re.compile(rf"^{choice.total} järjestö"))
    expect(page.locator("#valintamaara")).to_have_text("(3 valintaa)")
    expect(page).to_have_url(re.compile(r"kieli=sv"))
    assert page.evaluate("() => document.activeElement.id") == "kieli-sv"

    page.get_by_role("button", name=re.compile(r"^Näytä \d+ tulos")).click()
    expect(page.get_by_label("Ruotsi")).to_be_hidden()  # the panel closed
    expect(page.locator("#tulosmaara")).to_be_focused()
    assert_first_result_on_first_screen(page, expect, choice)


def test_with_javascript_enter_in_the_search_box_moves_focus_to_the_count(new_page, expect, choice):
    page = phone_page(new_page, javascript=True)
    page.goto("/")
    page.wait_for_function("() => window.htmx !== undefined")
    box = page.get_by_label("Hakusana")
    with page.expect_response(lambda response: f"q={QUERY}" in response.url):
        box.fill(QUERY)
    # Typing only updated the count: focus stayed in the box.
    expect(box).to_be_focused()
    with page.expect_response(lambda response: f"q={QUERY}" in response.url):
        box.press("Enter")
    expect(page.locator("#tulosmaara")).to_be_focused()


def test_open_filter_panel_has_no_wcag_violations(new_page, expect, choice):
    page = new_page(javascript=True, bypass_csp=True)
    page.set_viewport_size(PHONE)
    page.goto(f"/haku?q={QUERY}&kunta={choice.municipality_ids[0]}&kieli=sv")
    page.get_by_text("Rajaa hakua").click()
    for group in page.locator("details.tarveryhma > summary").all()[:2]:
        group.click()
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    violations = [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}" for v in result["violations"]]
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_removing_a_filter_chip_lands_at_the_results(new_page, expect, choice, javascript):
    page = phone_page(new_page, javascript=javascript)
    kunta = "&".join(f"kunta={i}" for i in choice.municipality_ids)
    page.goto(f"/haku?q={QUERY}&{kunta}")
    page.locator(".chipit a", has_text=choice.municipality_names[0]).click()

    expect(page).to_have_url(re.compile(r"#tulokset-otsikko$"))
    expect(page.locator(".chipit a")).to_have_count(1)
    # The new count and the chip left are on the screen; the search form above them is not.
    expect(page.locator("#tulosmaara")).to_be_in_viewport()
    expect(page.locator(".chipit")).to_be_in_viewport()
    expect(page.get_by_label("Hakusana")).not_to_be_in_viewport()


def test_result_cards_fit_the_phone(new_page, expect):
    page = phone_page(new_page, javascript=False)
    # A long unbroken word in a card ("Kokemusasiantuntijuuskoulutukset") pushed the page sideways.
    page.goto("/haku?q=kuopio")
    expect(page.locator("article.tulos").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_long_address_in_an_organisations_details_wraps_on_the_phone(new_page):
    # A long e-mail or web address (no place to break) widened the page past 375 px.
    page = phone_page(new_page, javascript=True)
    page.goto("/jarjestot/1")
    long_address = "puheenjohtaja.kuopionseudunomaishoitajat@esimerkki-yhdistyksen-pitka-osoite.fi"
    page.evaluate("""address => {
        const link = document.querySelector('.tiedot dd a');
        link.textContent = address;
    }""", long_address)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
