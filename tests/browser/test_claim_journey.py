"""A secretary on a phone (375 px) claims her association's existing entry, and its
contact approves through the mailed link; JavaScript off and on.  axe checks the
search, the request, the "what happens next" page and the contact's answer page."""
import re

import pytest
from sqlalchemy import select
from tests.browser.test_self_service_journey import axe_violations, sign_in

from app.extensions import db

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
LINK = re.compile(r"https?://[^/\s]+(/jarjestoille/liittymispyynto/\d+/[A-Za-z0-9_\-]+)")


def claim_link_sent_to(live_server, organisation_name: str) -> tuple[str, str]:
    """(address, path) of the link queued to a contact of the organisation (the live server keeps mail queued)."""
    from app.models import OutboxMessage

    with live_server.app.app_context():
        message = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.subject == f"Pyyntö muokata järjestön {organisation_name} tietoja")
            .order_by(OutboxMessage.id.desc())
        ).first()
        found = (message.to, LINK.search(message.text_body).group(1))
        db.session.remove()
    return found


def contacts_of(live_server, organisation_name: str) -> list[str]:
    from app.models import Organisation

    with live_server.app.app_context():
        organisation = db.session.scalar(select(Organisation).filter_by(name=organisation_name))
        emails = sorted(contact.email for contact in organisation.contacts)
        db.session.remove()
    return emails


@pytest.mark.parametrize(("javascript", "organisation_name", "typed"), [
    (False, "Mielenterveysyhdistys Tuulikello ry", "tuulikello"),
    (True, "Aivovammayhdistys Suunnanmuutos ry", "suunnanmuutos"),
], ids=["js-off", "js-on"])
def test_secretary_claims_an_entry_and_a_contact_approves(new_page, live_server, expect, javascript,
                                                           organisation_name, typed):
    newcomer = f"uusi-{'js' if javascript else 'nojs'}@example.fi"
    page = new_page(javascript=javascript, bypass_csp=True)
    page.set_viewport_size(PHONE)
    problems: dict[str, list[str]] = {}

    def check(name: str, on) -> None:
        # axe runs in the page's JavaScript: the run without it checks the same pages with it.
        if javascript:
            problems[name] = axe_violations(on)
    sign_in(page, live_server, newcomer)
    expect(page.get_by_role("heading", level=2, name="Onko järjestösi jo tarjottimella?")).to_be_visible()
    check("own organisations, none yet", page)

    page.get_by_role("link", name="Lisää järjestö tai liity mukaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Onko järjestösi jo tarjottimella?")
    page.get_by_label("Järjestön nimi tai Y-tunnus").fill(typed)
    page.get_by_role("button", name="Etsi").click()
    expect(page.get_by_role("heading", name=organisation_name)).to_be_visible()
    check("find", page)
    page.get_by_role("link", name=re.compile("^Tämä on meidän.*" + re.escape(organisation_name))).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(organisation_name)
    page.get_by_label("Viesti järjestön yhteyshenkilöille").fill("Olen yhdistyksen uusi sihteeri.")
    check("claim", page)
    page.get_by_role("button", name="Lähetä pyyntö").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pyyntö on lähetetty")
    check("sent", page)
    page.get_by_role("link", name="Siirry omiin järjestöihin").click()
    expect(page.locator("main")).to_contain_text(f"Pyysit oikeutta muokata järjestön {organisation_name} tietoja")

    contact_email, path = claim_link_sent_to(live_server, organisation_name)
    assert contact_email in contacts_of(live_server, organisation_name)
    contact = new_page(javascript=javascript, bypass_csp=True)
    contact.set_viewport_size(PHONE)
    contact.goto(path)
    expect(contact.locator("main")).to_contain_text(newcomer)
    expect(contact.locator("main")).to_contain_text("Olen yhdistyksen uusi sihteeri.")
    check("answer", contact)
    for button in (contact.get_by_role("button", name="Hyväksy"), contact.get_by_role("button", name="Hylkää")):
        box = button.bounding_box()
        assert box["height"] >= 44, box
    contact.get_by_role("button", name="Hyväksy").click()
    expect(contact.get_by_role("heading", level=1)).to_have_text("Pyyntö hyväksytty")
    check("answered", contact)

    assert newcomer in contacts_of(live_server, organisation_name)
    page.reload()
    expect(page.get_by_role("heading", name=organisation_name)).to_be_visible()

    # Adding a look-alike shows the entry first; "Eri järjestö, jatka" (outside the form) saves what was typed.
    page.goto("/jarjestoille/omat/uusi")
    page.get_by_label("Järjestön tai ryhmän nimi").fill(organisation_name.removesuffix(" ry"))
    page.get_by_label("Kokoontumisajat").fill("Joka torstai klo 17.")
    page.get_by_role("button", name="Lähetä hyväksyttäväksi").click()
    expect(page.get_by_role("heading", name="Onko järjestö jo tarjottimella?")).to_be_visible()
    expect(page.get_by_label("Kokoontumisajat")).to_have_value("Joka torstai klo 17.")
    check("duplicates", page)
    page.get_by_role("button", name="Eri järjestö, jatka").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiitos, järjestö on lähetetty")
    assert not any(problems.values()), problems


def test_staff_see_the_duplicate_merge_it_and_answer_a_claim(new_page, live_server, expect):
    from app.accounts.claims import request_access
    from app.admin.staff import add_staff
    from app.models import Organisation
    from app.platform.tokens import issue_link_token

    existing = "Kantosiipi Kuopion seudun omaishoitajat ry"
    with live_server.app.app_context(), live_server.app.test_request_context():
        add_staff("kaksoiskappaleet@keskus.example", "Kaksoiskappaleet")
        waiting = db.session.scalar(select(Organisation).filter_by(name="Siilinjärven Sydänystävät ry"))
        request_access(waiting, "odottaja@example.fi", "Olen rahastonhoitaja.", language="fi")
        token = issue_link_token("kaksoiskappaleet@keskus.example", "staff_sign_in")
        db.session.commit()
        db.session.remove()
    page = new_page(javascript=True, bypass_csp=True)
    page.set_viewport_size(PHONE)
    page.goto(f"/yllapito/kirjaudu/{token}")
    page.get_by_role("button", name="Jatka").click()
    problems = {"dashboard": axe_violations(page)}
    claims = page.locator("section", has=page.locator("#liittymispyynnot"))
    expect(claims).to_contain_text("odottaja@example.fi")
    claims.get_by_role("button", name=re.compile("^Hyväksy.*odottaja@example.fi")).click()
    expect(page.locator("body")).to_contain_text("odottaja@example.fi on nyt järjestön Siilinjärven Sydänystävät ry")

    page.goto("/yllapito/jarjestot/uusi")
    page.get_by_label("Järjestön tai ryhmän nimi").fill("Kantosiipi, Kuopion seudun omaishoitajat")
    page.get_by_label("Yhteyshenkilön 1 sähköposti").fill("kantosiipi.uusi@example.fi")
    page.get_by_role("button", name="Lisää järjestö").click()
    expect(page.get_by_role("heading", name="Onko järjestö jo tarjottimella?")).to_be_visible()
    problems["staff add with duplicates"] = axe_violations(page)
    page.get_by_role("button", name="Eri järjestö, jatka").click()
    expect(page.get_by_role("heading", name="Mahdollinen kaksoiskappale")).to_be_visible()
    problems["approval page"] = axe_violations(page)
    page.get_by_role("link", name=re.compile("^Yhdistä.*" + re.escape(existing))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Yhdistä kaksoiskappale")
    problems["merge"] = axe_violations(page)
    expect(page.locator("main")).to_contain_text(f"Säilyy {existing}")
    page.get_by_role("button", name="Yhdistä ja poista kaksoiskappale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(existing)
    with live_server.app.app_context():
        kept = db.session.scalar(select(Organisation).filter_by(name=existing))
        assert "kantosiipi.uusi@example.fi" in [contact.email for contact in kept.contacts]
        db.session.remove()
    assert not any(problems.values()), problems
