"""A phone with its text set twice as large (WCAG 1.4.4): every page still fits the screen's width.

Long Finnish words ("Hyvinvointitarjotin", "yhteydenottopyyntö", "Kaksisuuntainen
mielialahäiriö" in a filter's grid cell) did not break, so nearly every page scrolled
sideways.  The root font size is doubled by a style sheet, as a browser's text size does.
"""
import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
DOUBLE_TEXT = "html { font-size: 200% !important; }"
PAGES = [
    "/", "/haku?q=muisti", "/haku?q=ei-tuloksia-tallaisella", "/jarjestot", "/tarjotin", "/tapahtumat", "/tyopajat",
    "/tilastot", "/ohjeet", "/jarjestoille", "/sv/", "/en/tapahtumat",
]


def wider_than_the_screen(page) -> list[str]:
    """What sticks out past the right edge, outside the regions that scroll on their own (wide tables)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const scrolls = element => {
            for (let parent = element.parentElement; parent; parent = parent.parentElement) {
                if (['auto', 'scroll'].includes(getComputedStyle(parent).overflowX)) return true;
            }
            return false;
        };
        return [...document.querySelectorAll('body *')]
            .filter(element => element.getBoundingClientRect().right > width + 1 && !scrolls(element))
            .map(element => `${element.tagName.toLowerCase()} "${element.textContent.trim().slice(0, 40)}"`);
    }""")


def large_text_page(new_page):
    page = new_page(javascript=True, bypass_csp=True)
    page.set_viewport_size(PHONE)
    return page


def show(page, path: str) -> None:
    page.goto(path)
    page.add_style_tag(content=DOUBLE_TEXT)
    # Open the search filters and their need groups: their labels are the longest words.
    page.evaluate("document.querySelectorAll('details').forEach(panel => { panel.open = true; })")


@pytest.mark.parametrize("path", PAGES)
def test_a_page_fits_the_phone_with_double_text(new_page, path):
    page = large_text_page(new_page)
    show(page, path)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wider_than_the_screen(page)


def test_an_organisation_and_an_event_fit_the_phone_with_double_text(new_page, live_server):
    from app.extensions import db
    from tests.events_support import make_event

    with live_server.app.app_context():
        event_id = make_event(title="Vammaisneuvostojen yhteistyöfoorumi").id
        db.session.remove()
    page = large_text_page(new_page)
    page.goto("/haku?q=muisti")
    organisation_path = page.locator("article.tulos h3 a").first.get_attribute("href")
    for path in [organisation_path, f"/tapahtumat/{event_id}", f"/sv/tapahtumat/{event_id}/ilmoittaudu"]:
        show(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (path, wider_than_the_screen(page))
