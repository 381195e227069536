"""Searching in Swedish and English in a real browser, and switching language on the way:
the address keeps the language and the search, with JavaScript off and on."""
import re

import pytest

pytestmark = pytest.mark.browser

QUERY = "diabetes"


def switch_to(page, name: str) -> None:
    page.locator("nav.kielet").get_by_role("link", name=name, exact=True).click()


def test_a_swedish_search_without_javascript_switches_to_english_and_back(new_page, live_server, expect):
    page = new_page(javascript=False)
    page.goto("/sv/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.locator("#q").fill(QUERY)
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(rf"/sv/haku\?q={QUERY}"))
    expect(page.locator("#tulokset article.tulos").first).to_be_visible()
    assert page.locator('#tulokset article.tulos h3 a[href^="/sv/jarjestot/"]').count() > 0

    switch_to(page, "English")
    expect(page).to_have_url(re.compile(rf"/en/haku\?q={QUERY}"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch_to(page, "Suomi")
    expect(page).to_have_url(re.compile(rf"{re.escape(live_server.url)}/haku\?q={QUERY}"))
    expect(page.locator("html")).to_have_attribute("lang", "fi")


def test_the_switch_follows_an_htmx_search(new_page, expect):
    page = new_page(javascript=True)
    page.goto("/en/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("#q").click()
    with page.expect_response(lambda response: f"q={QUERY}" in response.url):
        page.locator("#q").press_sequentially(QUERY, delay=60)
    expect(page).to_have_url(re.compile(rf"/en/haku\?q={QUERY}"))
    expect(page.locator("nav.kielet a[hreflang=sv]")).to_have_attribute("href", re.compile(rf"^/sv/haku\?q={QUERY}"))
    switch_to(page, "Svenska")
    expect(page).to_have_url(re.compile(rf"/sv/haku\?q={QUERY}"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("#q")).to_have_value(QUERY)
