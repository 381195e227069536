"""Staff in a real browser: sign in by link, approve a waiting organisation, send a bulk
edit request; axe-core on the dashboard and the organisation edit page."""
import pytest
from sqlalchemy import select
from tests.browser.conftest import AXE_SCRIPT, AXE_TAGS, skip_or_fail

from app.extensions import db

pytestmark = pytest.mark.browser

STAFF_EMAIL = "selain@keskus.example"


@pytest.fixture
def staff_link(live_server):
    """A fresh one-time staff sign-in path, issued in the live server's own database."""
    from app.admin.staff import add_staff
    from app.platform.tokens import issue_link_token

    with live_server.app.app_context():
        add_staff(STAFF_EMAIL, "Selain Testaaja")
        token = issue_link_token(STAFF_EMAIL, "staff_sign_in")
        db.session.commit()
        db.session.remove()
    return f"/yllapito/kirjaudu/{token}"


def sign_in(page, staff_link, expect):
    page.goto(staff_link)
    page.get_by_role("button", name="Jatka").click()
    expect(page.get_by_role("heading", level=1, name="Ylläpito")).to_be_visible()


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_staff_approve_a_waiting_organisation(new_page, live_server, staff_link, expect, javascript):
    from app.models import Organisation, OrganisationContact, OutboxMessage

    name = f"Odottava {'Jyväskylän' if javascript else 'Joensuun'} selainyhdistys ry"
    with live_server.app.app_context():
        organisation = Organisation(name=name, status="pending", description="Odottaa ylläpidon hyväksyntää.")
        organisation.contacts = [OrganisationContact(email="odottava@yhdistys.example")]
        db.session.add(organisation)
        db.session.commit()
        organisation_id = organisation.id
        db.session.remove()

    page = new_page(javascript=javascript)
    sign_in(page, staff_link, expect)
    page.get_by_role("link", name=name).click()
    expect(page.get_by_text("odottava@yhdistys.example")).to_be_visible()
    page.get_by_role("button", name="Hyväksy ja julkaise").click()
    expect(page.get_by_role("status").filter(has_text="on julkaistu")).to_be_visible()

    page.goto(f"/jarjestot/{organisation_id}")
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    with live_server.app.app_context():
        assert db.session.get(Organisation, organisation_id).status == "published"
        assert db.session.scalars(
            select(OutboxMessage.to).where(OutboxMessage.subject.contains(name))
        ).all() == ["odottava@yhdistys.example"]
        db.session.remove()


def test_staff_send_a_bulk_edit_request(new_page, live_server, staff_link, expect):
    from app.models import AuditEvent, Municipality, Organisation

    with live_server.app.app_context():
        municipality = db.session.scalar(select(Municipality).where(Municipality.name_fi == "Tervo"))
        expected = db.session.scalars(
            select(Organisation.name).join(Organisation.municipalities)
            .where(Municipality.id == municipality.id, Organisation.deleted_at.is_(None))
            .order_by(Organisation.sort_name).limit(2)
        ).all()
        municipality_id = municipality.id
        db.session.remove()
    assert len(expected) == 2, "the demo data has two organisations in Tervo"

    page = new_page(javascript=False)
    sign_in(page, staff_link, expect)
    page.goto(f"/yllapito/jarjestot?kunta={municipality_id}")
    for name in expected:
        page.get_by_role("checkbox", name=f"Valitse {name}").check()
    page.get_by_role("button", name="Lähetä muokkauspyyntö valituille").click()
    expect(page.get_by_role("heading", level=2, name="Vastaanottajat (2)")).to_be_visible()
    page.get_by_label("Viesti").fill("Tarkistattehan tiedot ennen syksyn kautta.")
    page.get_by_role("button", name="Lähetä 2 järjestölle").click()

    expect(page.get_by_role("heading", level=1, name="Muokkauspyyntö")).to_be_visible()
    rows = page.get_by_role("row")
    for name in expected:
        expect(rows.filter(has_text=name)).to_have_count(1)
    with live_server.app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "edit_request").order_by(AuditEvent.id.desc())
        ).first()
        assert sorted(result["name"] for result in event.detail["results"]) == sorted(expected)
        db.session.remove()


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at " + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"])
        for v in result["violations"]
    ]


def restore_question(live_server, organisation_id: int) -> list[str]:
    """The "Palautetaanko?" page of the organisation's first revision, once it has one to go back to."""
    from app.directory.records import record_revision
    from app.models import Organisation, Revision

    with live_server.app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        first = db.session.scalar(select(Revision.id).where(Revision.organisation_id == organisation_id).order_by(Revision.id))
        if first is None:
            first = record_revision(organisation, "import", "Tuotu").id
        record_revision(organisation, "import", "Tuotu uudelleen")
        db.session.commit()
        db.session.remove()
    return [f"/yllapito/jarjestot/{organisation_id}/historia/{first}/palautetaanko"]


def test_axe_finds_nothing_on_the_staff_pages(new_page, live_server, staff_link, expect):
    from app.models import Organisation

    if not AXE_SCRIPT.exists():
        skip_or_fail(f"axe-core is missing at {AXE_SCRIPT}; `make test` installs it")
    with live_server.app.app_context():
        organisation_id = db.session.scalar(select(Organisation.id).order_by(Organisation.id).limit(1))
        db.session.remove()
    page = new_page(javascript=True, bypass_csp=True)
    sign_in(page, staff_link, expect)
    for path in ("/yllapito/", f"/yllapito/jarjestot/{organisation_id}/muokkaa", "/yllapito/jarjestot",
                 f"/yllapito/jarjestot/{organisation_id}", f"/yllapito/jarjestot/{organisation_id}/historia",
                 "/yllapito/muutokset", "/yllapito/loki", "/yllapito/tilastot", "/yllapito/tilastot?vuosi=2026",
                 "/yllapito/luokitukset/tarpeet", "/yllapito/profiili", *restore_question(live_server, organisation_id),
                 f"/yllapito/jarjestot/{organisation_id}/vaihe/yllapito",
                 f"/yllapito/jarjestot/{organisation_id}/vaihe/esikatselu"):
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert axe_violations(page) == [], path
    # The question before merging two terms (a POST, then nothing changes until it is answered).
    page.goto("/yllapito/luokitukset/tarpeet")
    page.locator("table a").first.click()
    page.get_by_label("Yhdistä luokkaan").select_option(index=1)
    page.get_by_role("button", name="Yhdistä").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Yhdistetäänkö")
    assert axe_violations(page) == [], "taxonomy merge question"


def test_staff_lists_keep_their_words_whole_on_a_phone(new_page, live_server, staff_link, expect):
    # A list too wide for 375 px scrolls in its own region; its cells no longer break a word
    # letter by letter ("4 / 0" for a capacity of 40).
    from tests.events_support import make_event

    with live_server.app.app_context():
        make_event(title="Puhelintesti", capacity=40)
        db.session.commit()
        db.session.remove()
    page = new_page(javascript=False)
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, staff_link, expect)
    page.goto("/yllapito/tapahtumat")
    header = page.get_by_role("columnheader", name="Varasijalla").first
    box = header.bounding_box()
    assert box is not None and box["height"] < 2 * 24, "the header breaks inside the word"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    region = page.locator(".vierita", has=header)
    expect(region).to_have_attribute("role", "region")


def test_the_character_counter_speaks_the_pages_language(new_page, live_server, staff_link, expect):
    from app.models import Organisation

    with live_server.app.app_context():
        organisation_id = db.session.scalar(select(Organisation.id).order_by(Organisation.id).limit(1))
        db.session.remove()
    page = new_page(javascript=True)
    sign_in(page, staff_link, expect)
    page.goto(f"/sv/yllapito/jarjestot/{organisation_id}/muokkaa")
    page.locator("#description").fill("x" * 601)
    expect(page.locator("#description-ohje")).to_contain_text("Texten är ett tecken för lång (högst 600).")
    page.locator("#description").fill("Kort.")
    expect(page.locator("#description-ohje")).to_contain_text("Skrivet 5 / 600 tecken.")
    expect(page.locator("#description-ohje")).not_to_contain_text("merkkiä")


def test_the_staff_pages_fit_a_phone_with_double_text(new_page, live_server, staff_link, expect):
    # The week calendar kept each day's date on one line, wider than the phone with the text
    # twice as large; it scrolls in a region of its own, as the month does.
    from tests.browser.test_large_text import DOUBLE_TEXT, PHONE, wider_than_the_screen

    page = new_page(javascript=True, bypass_csp=True)
    page.set_viewport_size(PHONE)
    sign_in(page, staff_link, expect)
    for path in ["/yllapito/", "/yllapito/jarjestot", "/yllapito/kalenteri", "/yllapito/kalenteri?nakyma=kuukausi",
                 "/yllapito/tapahtumat", "/yllapito/tyopajat", "/yllapito/tilastot", "/yllapito/luokitukset"]:
        page.goto(path)
        page.add_style_tag(content=DOUBLE_TEXT)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (path, wider_than_the_screen(page))
