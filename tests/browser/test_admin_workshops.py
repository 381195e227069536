"""Staff handle a workshop order in a real browser, JavaScript on and off; axe-core on the
order list, the order page with its forms (also with errors shown) and the feedback page."""
from datetime import timedelta

import pytest
from tests.browser.conftest import AXE_SCRIPT, skip_or_fail
from tests.browser.test_admin_journey import axe_violations, sign_in
from tests.test_workshops_helpers import good_dates, today, weekday_from

from app.extensions import db

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_link(live_server):
    from app.admin.staff import add_staff
    from app.platform.tokens import issue_link_token

    with live_server.app.app_context():
        add_staff("tyopajat@keskus.example", "Työpajojen Ylläpitäjä")
        token = issue_link_token("tyopajat@keskus.example", "staff_sign_in")
        db.session.commit()
        db.session.remove()
    return f"/yllapito/kirjaudu/{token}"


def place_an_order(live_server, organisation_name: str) -> tuple[int, str]:
    from app.workshops.services import OrderDetails, PreferredTime, place_order

    first, second, _third = good_dates()
    with live_server.app.app_context():
        order, _token = place_order(OrderDetails(
            organisation_name=organisation_name, contact_person="Maija Meikäläinen", email="maija@example.fi",
            phone="+358401234567", audience=["volunteers"], participants=12, theme_id=None,
            own_proposal="Vapaaehtoisten perehdytys", goal="Yhteinen tapa perehdyttää uudet vapaaehtoiset.",
            preferred_times=[PreferredTime(first, "iltapäivä"), PreferredTime(second, "ilta")],
            place_kind="own_premises", address="Kauppakatu 5", municipality="Kuopio",
        ))
        db.session.commit()
        identity = (order.id, order.reference)
        db.session.remove()
    return identity


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_staff_confirm_an_order_after_fixing_the_form(new_page, live_server, staff_link, expect, javascript):
    from app.models import WorkshopOrder

    name = f"Selainten {'Kiuruveden' if javascript else 'Varkauden'} työpajayhdistys ry"
    order_id, reference = place_an_order(live_server, name)
    page = new_page(javascript=javascript)
    sign_in(page, staff_link, expect)
    page.get_by_role("navigation", name="Ylläpito").get_by_role("link", name="Työpajat").click()
    page.get_by_label("Järjestö tai tilausnumero").fill(name)
    page.get_by_role("button", name="Suodata").click()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1, name=f"Työpajatilaus {reference}")).to_be_visible()

    # The two runs confirm on different days: the calendar refuses two workshops at once.
    day = weekday_from(today() + timedelta(days=30 + 3 * int(javascript)))
    page.get_by_label("Päivä", exact=True).fill(day.isoformat())
    page.get_by_role("button", name="Vahvista ja lähetä kalenterikutsu").click()
    expect(page.get_by_text("Anna alkamisaika muodossa tt:mm").first).to_be_visible()
    expect(page.get_by_label("Osoite")).to_have_value("Kauppakatu 5, Kuopio")

    page.get_by_label("Alkamisaika").fill("13:00")
    page.get_by_label("Ohjaaja").fill("Outi Ohjaaja")
    page.get_by_role("button", name="Vahvista ja lähetä kalenterikutsu").click()
    expect(page.get_by_role("status").filter(has_text="Työpaja on vahvistettu")).to_be_visible()
    expect(page.get_by_role("heading", name="Muuta aikaa tai paikkaa")).to_be_visible()
    with live_server.app.app_context():
        order = db.session.get(WorkshopOrder, order_id)
        assert (order.status, order.facilitator, order.scheduled_start.hour) == ("confirmed", "Outi Ohjaaja", 13)
        db.session.remove()


def test_axe_finds_nothing_on_the_workshop_staff_pages(new_page, live_server, staff_link, expect):
    if not AXE_SCRIPT.exists():
        skip_or_fail(f"axe-core is missing at {AXE_SCRIPT}; `make test` installs it")
    order_id, _reference = place_an_order(live_server, "Saavutettavuuden työpajayhdistys ry")
    page = new_page(javascript=True, bypass_csp=True)
    sign_in(page, staff_link, expect)
    for path in ("/yllapito/tyopajat", f"/yllapito/tyopajat/{order_id}", "/yllapito/tyopajat/palaute",
                 "/yllapito/tyopajat/ajat", "/yllapito/kalenteri", "/yllapito/kalenteri?nakyma=kuukausi"):
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert axe_violations(page) == [], path

    page.goto(f"/yllapito/tyopajat/{order_id}")
    page.get_by_role("button", name="Vahvista ja lähetä kalenterikutsu").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(page) == [], "the order page with the confirm form's errors"


def test_axe_finds_nothing_on_the_slot_form_with_errors_and_the_order_form_with_slots(new_page, live_server,
                                                                                      staff_link, expect):
    if not AXE_SCRIPT.exists():
        skip_or_fail(f"axe-core is missing at {AXE_SCRIPT}; `make test` installs it")
    from datetime import datetime, time

    from app.workshops.booking import publish_slots

    day = weekday_from(today() + timedelta(days=50))
    with live_server.app.app_context():
        publish_slots("Axe Ohjaaja", [datetime.combine(day, time(9))], "Kuopio", True, "staff")
        db.session.commit()
        db.session.remove()
    page = new_page(javascript=True, bypass_csp=True)
    sign_in(page, staff_link, expect)
    page.goto("/yllapito/tyopajat/ajat")
    page.get_by_label("Alkamisajat").fill("aamulla")
    page.get_by_role("button", name="Julkaise ajat").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(page) == [], "the slot form with errors"
    page.goto("/yllapito/kalenteri?paiva=" + day.isoformat())
    assert axe_violations(page) == [], "the week with a free slot"
    page.goto("/tyopajat/tilaa")
    assert axe_violations(page) == [], "the order form offering slots"


def test_the_week_on_a_phone_keeps_each_day_on_one_line(new_page, live_server, staff_link, expect):
    from datetime import datetime, time

    from app.workshops.booking import publish_slots

    day = weekday_from(today() + timedelta(days=50))
    with live_server.app.app_context():
        publish_slots("Puhelin Ohjaaja", [datetime.combine(day, time(9))], "Kuopio, Siilinjärvi ja Suonenjoki", True,
                      "staff")
        db.session.commit()
        db.session.remove()
    page = new_page(javascript=False)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, staff_link, expect)
    page.goto("/yllapito/kalenteri?paiva=" + day.isoformat())
    days = page.locator(".kalenteri-viikko th .kalenteri-paiva")
    assert days.count() == 7
    # One line box per day: the cell's wrapping used to break "14.12.2026" into "14.12.2" and "026".
    assert days.evaluate_all("spans => spans.map(span => span.getClientRects().length)") == [1] * 7
    assert days.nth(day.weekday()).inner_text() == f"{['ma', 'ti', 'ke', 'to', 'pe'][day.weekday()]} {day:%-d.%-m.%Y}"


def test_the_start_time_field_is_drawn_like_the_other_fields(new_page, live_server, staff_link, expect):
    # The time input had the browser's own small look: 22 px high in a smaller font, beside 44 px fields.
    order_id, _reference = place_an_order(live_server, "Kellonajan työpajayhdistys ry")
    page = new_page(javascript=False)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, staff_link, expect)
    page.goto(f"/yllapito/tyopajat/{order_id}")
    size = "input => [input.getBoundingClientRect().height, getComputedStyle(input).fontSize]"
    assert page.get_by_label("Alkamisaika").evaluate(size) == page.get_by_label("Päivä", exact=True).evaluate(size)
