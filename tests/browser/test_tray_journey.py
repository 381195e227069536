"""A nurse's journey in a real browser, JavaScript on and off: search → add two
organisations to the tray → the tray → one contact request to both."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxMessage
from app.models.contact import ContactRequest

pytestmark = pytest.mark.browser


def counts(live_server) -> tuple[int, int]:
    with live_server.app.app_context():
        requests = db.session.scalar(select(func.count()).select_from(ContactRequest))
        messages = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        db.session.remove()
    return requests, messages


def add_from_search(page, expect, count: int) -> list[str]:
    """The names of the first `count` results for "muisti", each added to the tray."""
    page.goto("/haku?q=muisti")
    results = page.locator("article.tulos")
    names = [results.nth(i).locator("h3").inner_text() for i in range(count)]
    for i in range(count):
        results.nth(i).get_by_role("button", name="Lisää tarjottimelle").click()
        expect(results.nth(i).get_by_role("button", name="Poista tarjottimelta")).to_be_visible()
    return names


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_search_add_two_to_the_tray_and_send_one_request(new_page, live_server, expect, javascript):
    page = new_page(javascript=javascript)
    names = add_from_search(page, expect, 2)
    if javascript:
        # htmx swapped only the buttons: the page and the search input stayed.
        expect(page.locator("#q")).to_have_value("muisti")
    expect(page.locator("#tarjotin-maara")).to_contain_text("(2)")

    page.get_by_role("link", name=re.compile(r"^Tarjotin")).click()
    for name in names:
        expect(page.get_by_role("heading", name=name)).to_be_visible()

    before = counts(live_server)
    page.get_by_role("link", name="Lähetä yhteydenottopyyntö kaikille").click()
    page.get_by_role("button", name="Lähetä yhteydenottopyyntö").click()
    expect(page.locator(".virheyhteenveto")).to_be_visible()  # nothing filled in: errors, nothing sent
    assert counts(live_server) == before

    # A person of their own in each run: the same person's same request to the same organisations
    # within half an hour would be answered with the first one.
    page.get_by_label("Nimi", exact=True).fill("Maija Meikäläinen" if javascript else "Matti Meikäläinen")
    page.get_by_label("Puhelinnumero", exact=True).fill("040 123 4567")
    page.get_by_label("Annan luvan").check()
    page.get_by_role("button", name="Lähetä yhteydenottopyyntö").click()

    expect(page.get_by_role("heading", name="Yhteydenottopyyntö on lähetetty")).to_be_visible()
    for name in names:
        expect(page.get_by_role("listitem").filter(has_text=name)).to_be_visible()
    requests, messages = counts(live_server)
    assert requests == before[0] + 2
    assert messages == before[1] + 2  # one per organisation; no copy without an e-mail address


def test_tray_and_request_pages_pass_axe(axe, new_page, live_server):
    page = new_page(javascript=False)
    page.goto("/haku?q=diabetes")
    page.locator("article.tulos").first.get_by_role("button", name="Lisää tarjottimelle").click()
    # axe runs in a context of its own: it gets this page's session, and so the tray.
    cookies = page.context.cookies()
    violations = [problem for path in ["/tarjotin", "/tarjotin/yhteydenotto"] for problem in axe(path, cookies)]
    assert violations == []


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_removing_from_the_tray_keeps_the_keyboard_where_the_card_was(new_page, live_server, expect, javascript):
    page = new_page(javascript=javascript)
    names = add_from_search(page, expect, 3)
    page.goto("/tarjotin")

    def remove_then_tab(name: str):
        card = page.locator(".kortti-kehys").filter(has=page.get_by_role("heading", name=name, exact=True))
        card.get_by_role("button", name="Poista tarjottimelta").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=name, exact=True)).to_have_count(0)
        page.keyboard.press("Tab")
        return page.locator(":focus")

    # The next card, the one before when the last went, the tray's own page when none is left.
    expect(remove_then_tab(names[1])).to_have_text(names[2])
    expect(remove_then_tab(names[2])).to_have_text(names[0])
    expect(remove_then_tab(names[0])).to_have_text("Siirry hakuun")


def test_a_shared_list_mailed_again_after_back_goes_once(new_page, live_server, expect):
    page = new_page(javascript=False)
    add_from_search(page, expect, 1)
    page.goto("/tarjotin")
    page.get_by_role("button", name="Jaa lista").click()
    address = page.get_by_label("Sähköpostiosoite, johon lista lähetetään")
    send = page.get_by_role("button", name="Lähetä sähköpostilla")
    sent = page.get_by_text("Lista on lähetetty sähköpostilla.")
    before = counts(live_server)
    address.fill("asiakas@example.fi")
    send.click()
    expect(sent).to_be_visible()

    # Back restores the sent form (its one-time key with it) and Send: the same confirmation.
    page.go_back()
    expect(sent).to_have_count(0)
    address.fill("asiakas@example.fi")
    send.click()
    expect(sent).to_be_visible()
    # A browser that fetches the page again gives the form a new key: the list is known as sent.
    page.go_back()
    page.reload()
    address.fill("asiakas@example.fi")
    send.click()
    expect(sent).to_be_visible()
    expect(page.get_by_text("Sama lista lähetettiin tähän osoitteeseen jo hetki sitten")).to_be_visible()
    assert counts(live_server)[1] == before[1] + 1
