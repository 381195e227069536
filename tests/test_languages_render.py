"""Every public, association, workshop and event page in Swedish and English, and the staff
pages in Swedish, has no Finnish interface text left.

Each page is rendered and its visible text (and the attributes people read: aria-label,
title, placeholder, alt, button values, the description) is searched for common Finnish
interface words.  Data is not interface: the stored texts of organisations, the taxonomy,
themes and events are taken out first, and so is anything marked lang="fi" (the
plain-language page, the "Suomi" of the language switch, Finnish-only organisation texts).
"""
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import String, Text, select
from tests.admin_support import CONTACT_EMAIL, add_contacts, make_staff, sign_in_contact, sign_in_staff
from tests.events_support import make_event

from app.config import DEFAULT_LANGUAGE, PORTAL_LANGUAGES
from app.contact.requests import ContactDetails, send_contact_request
from app.events.feedback import DEFAULT_STATEMENTS
from app.events.signups import SignupDetails, manage_token, sign_up
from app.extensions import db
from app.models import OutboxMessage, utcnow
from app.platform.tokens import issue_link_token
from app.workshops.services import OrderDetails, PreferredTime, confirm, mark_held, place_order
from tests.test_workshops_helpers import good_dates, seed_themes

HANDLED_LINK = re.compile(r"/yhteydenotto/kasitelty/([A-Za-z0-9_\-]+)")
OTHER_LANGUAGES = [code for code in PORTAL_LANGUAGES if code != DEFAULT_LANGUAGE]

# Words of the Finnish interface that no Swedish or English page should show.
FINNISH_UI_WORDS = (
    "Hae", "Haku", "Hakusana", "Takaisin", "Järjestö", "Järjestöt", "Järjestön", "Tallenna", "Lähetä", "Peruuta",
    "Kunta", "Kunnat", "Etusivu", "Tietosuojaseloste", "Saavutettavuusseloste", "Ohjeet", "Tapahtumat",
    "Työpajat", "Tarjotin", "Tarjottimelle", "Sähköposti", "Sähköpostiosoite", "Puhelin", "Puhelinnumero",
    "Nimi", "Kuvaus", "Valitse", "Näytä", "Kirjaudu", "Jatka", "Muokkaa", "Poista", "Lisää", "Seuraava",
    "Edellinen", "Yhteystiedot", "Yhteydenottopyyntö", "Tilastot", "Kyllä", "Ilmoittaudu", "Tilaa",
    "Palaute", "Viesti", "Osoite", "Kokoontumisajat", "Päävalikko", "Kieli", "Tiedot", "Avoin", "sivu",
    "tai", "että", "jos", "kun", "voit", "Voit", "sinun", "olet", "ovat", "tästä", "Tämä", "tämä",
)
WORD = re.compile(r"\b(" + "|".join(map(re.escape, FINNISH_UI_WORDS)) + r")\b")
READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
DATA_TABLES = (
    "organisation", "organisation_phone", "organisation_keyword", "need", "activity", "municipality", "sector",
    "workshop_theme", "workshop_order", "event", "event_signup", "contact_request", "staff_user",
)


class ReadableText(HTMLParser):
    """The text a person reads on the page, without scripts and without lang="fi" parts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping: tuple[str, int] | None = None  # (tag, nesting) of the skipped element

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self._skipping:
            skipped_tag, depth = self._skipping
            if tag == skipped_tag and tag not in VOID:
                self._skipping = (skipped_tag, depth + 1)
            return
        if tag in ("script", "style") or attributes.get("lang", "").startswith("fi"):
            if tag not in VOID:
                self._skipping = (tag, 1)
            return
        for name, value in attributes.items():
            if value and (name in READ_ATTRIBUTES or name.startswith("data-") and " " in value):
                self.parts.append(value)
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.parts.append(attributes["value"])
        if tag == "meta" and attributes.get("name") == "description":
            self.parts.append(attributes.get("content") or "")

    def handle_endtag(self, tag):
        if self._skipping:
            skipped_tag, depth = self._skipping
            if tag == skipped_tag:
                self._skipping = None if depth == 1 else (skipped_tag, depth - 1)

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def stored_texts() -> list[str]:
    """Every text stored in the data tables, longest first: data, not interface."""
    texts: set[str] = set()
    for name in DATA_TABLES:
        table = db.metadata.tables[name]
        columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
        for row in db.session.execute(select(*columns)):
            texts.update(value for value in row if value and len(value) > 2)
    # A new event's feedback statements are prefilled data that staff edit, in the language they write in.
    texts.update(DEFAULT_STATEMENTS)
    return sorted(texts, key=len, reverse=True)


def finnish_words(html: str, data: list[str]) -> list[str]:
    parser = ReadableText()
    parser.feed(html)
    text = "\n".join(parser.parts)
    for value in data:
        text = text.replace(value, " ")
    return sorted(set(WORD.findall(text)))


@pytest.fixture
def site(app, client, make_organisation):
    """One of everything the pages show, and the private links that open them."""
    organisation = make_organisation(
        "Esimerkki ry", needs=("Diabetes",), municipalities=("Kuopio",), email="info@esimerkki.example",
        street_address="Kauppakatu 1", postal_code="70100", post_office="Kuopio", languages=["fi", "sv"],
        meeting_times="Tiistaisin 18.", website="https://esimerkki.example", accessibility_notes="Ovella on luiska.",
    )
    add_contacts(organisation, CONTACT_EMAIL)
    themes = seed_themes(app)
    first, second, _third = good_dates()
    order, status_token = place_order(OrderDetails(
        organisation_name="Esimerkki ry", contact_person="Maija Meikäläinen", email="maija@example.fi",
        phone="+358401234567", audience=["volunteers"], participants=12, theme_id=themes[0].id, own_proposal="",
        goal="Uusia vapaaehtoisia.", preferred_times=[PreferredTime(first, "ilta"), PreferredTime(second, "ilta")],
        place_kind="remote",
    ))
    held, _held_token = place_order(OrderDetails(
        organisation_name="Esimerkki ry", contact_person="Maija Meikäläinen", email="maija@example.fi",
        phone="+358401234567", audience=["board"], participants=8, theme_id=themes[1].id, own_proposal="",
        goal="Hallitustyö.", preferred_times=[PreferredTime(first, "ilta"), PreferredTime(second, "ilta")],
        place_kind="remote",
    ))
    # Two days ago at this hour may be a weekend or an evening: the clash rules are not what this tests.
    confirm(held, datetime.now().replace(microsecond=0, second=0) - timedelta(days=2), "", "https://meet.example/x",
            "Ohjaaja", "staff", override_reason="Testin mennyt työpaja", now=utcnow() - timedelta(days=3))
    feedback_path = mark_held(held, "staff").removeprefix("http://portal.test")
    event = make_event()
    signup = sign_up(event, SignupDetails(name="Aino Virtanen", organisation_name="Esimerkki ry",
                                          email="aino@example.fi"))
    outcome = send_contact_request(ContactDetails(name="Matti", phone="+358401112222"), [organisation.id])
    db.session.commit()
    tokens = {
        "sign_in": issue_link_token(CONTACT_EMAIL, "sign_in"),
        "edit": issue_link_token(CONTACT_EMAIL, "edit_request", organisation.id),
        "staff": issue_link_token("yllapito@keskus.example", "staff_sign_in"),
    }
    db.session.commit()
    mail_to_organisation = db.session.scalar(select(OutboxMessage.text_body).where(OutboxMessage.to == organisation.email))
    tokens["handled"] = HANDLED_LINK.search(mail_to_organisation).group(1)
    client.post("/tarjotin/lisaa", data={"organisation_id": organisation.id})
    return {
        "organisation": organisation.id, "order": order.id, "event": event.id, "batch": outcome.batch,
        "status_token": status_token, "feedback_path": feedback_path, "manage_token": manage_token(signup),
        **{f"{name}_token": token for name, token in tokens.items()},
    }


PAGES = {
    "public": [
        "/", "/haku?q=diabetes", "/haku?q=qxzvwk", "/haku?tarve=999999", "/jarjestot", "/jarjestot/{organisation}",
        "/jarjestot/{organisation}/yhteydenotto", "/tarjotin", "/tarjotin/yhteydenotto",
        "/yhteydenotto/lahetetty/{batch}", "/yhteydenotto/kasitelty/{handled_token}", "/ohjeet",
        "/ohjeet/selkokieli", "/saavutettavuusseloste", "/tietosuojaseloste", "/avoin-data", "/tilastot",
        "/ei-tallaista-sivua",
    ],
    "association": [
        "/jarjestoille/", "/jarjestoille/kirjaudu/{sign_in_token}", "/jarjestoille/muokkaa/{edit_token}",
        "/jarjestoille/kirjaudu/vanhentunut", "@contact", "/jarjestoille/omat", "/jarjestoille/omat/uusi",
        "/jarjestoille/omat/{organisation}/muokkaa", "/jarjestoille/omat/{organisation}/lisatty",
    ],
    "workshops": [
        "/tyopajat", "/tyopajat/tilaa", "/tyopajat/tila/{status_token}", "{feedback_path}",
    ],
    "events": [
        "/tapahtumat", "/tapahtumat?menneet=1", "/tapahtumat/{event}", "/tapahtumat/{event}/ilmoittaudu",
        "/tapahtumat/ilmoittautuminen/{manage_token}",
    ],
    "staff": [
        "/yllapito/kirjaudu", "/yllapito/kirjaudu/{staff_token}", "@staff", "/yllapito/", "/yllapito/jarjestot",
        "/yllapito/jarjestot/{organisation}", "/yllapito/jarjestot/{organisation}/muokkaa",
        "/yllapito/jarjestot/{organisation}/historia", "/yllapito/muutokset", "/yllapito/loki",
        "/yllapito/tilastot", "/yllapito/luokitukset", "/yllapito/luokitukset/tarpeet",
        "/yllapito/tyopajat", "/yllapito/tyopajat/{order}", "/yllapito/tyopajat/palaute",
        "/yllapito/tapahtumat", "/yllapito/tapahtumat/{event}", "/yllapito/tapahtumat/uusi",
        "/yllapito/henkilotietojen-poisto",
    ],
}
# The staff pages are required in Swedish; the rest in every language besides the default.
CASES = [(group, language) for group in PAGES for language in OTHER_LANGUAGES if group != "staff" or language == "sv"]


@pytest.mark.parametrize(("group", "language"), CASES, ids=[f"{g}-{lang}" for g, lang in CASES])
def test_pages_show_no_finnish_interface_text(client, site, group, language):
    make_staff()
    data = stored_texts()
    problems = []
    for path in PAGES[group]:
        if path == "@contact":
            sign_in_contact(client)
            continue
        if path == "@staff":
            sign_in_staff(client)
            continue
        url = f"/{language}" + path.format(**site)
        page = client.get(url)
        if page.status_code not in (200, 404, 410):
            problems.append(f"{url}: {page.status_code}")
            continue
        assert f'<html lang="{language}">' in page.text, url
        words = finnish_words(page.text, data)
        if words:
            problems.append(f"{url}: {', '.join(words)}")
    assert not problems, "Finnish left on pages:\n" + "\n".join(problems)



# Pages showing what staff or an organisation wrote in a Finnish-only field, and those texts.
FINNISH_ONLY = {
    "/jarjestot/{organisation}": ["Tiistaisin 18.", "Ovella on luiska."],
    "/haku?q=diabetes": ["Tiistaisin 18."],
    "/tarjotin": ["Tiistaisin 18."],
    "/tapahtumat": ["Aluetilaisuus Iisalmessa"],
    "/tapahtumat/{event}": ["Aluetilaisuus Iisalmessa", "Ajankohtaista järjestöille.", "Järjestöjen väki",
                            "Esteetön sisäänkäynti."],
    "/tapahtumat/{event}/ilmoittaudu": ["Aluetilaisuus Iisalmessa"],
    "/tapahtumat/ilmoittautuminen/{manage_token}": ["Aluetilaisuus Iisalmessa"],
}


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_finnish_only_texts_are_marked_finnish_on_other_language_pages(client, site, language):
    """WCAG 3.1.2: a screen reader reads them with Finnish pronunciation, not as Swedish or English."""
    problems = []
    for path, texts in FINNISH_ONLY.items():
        url = f"/{language}" + path.format(**site)
        page = client.get(url)
        assert page.status_code == 200, url
        parser = ReadableText()
        parser.feed(page.text.partition("</head>")[2])  # a <title> holds no markup
        unmarked = "\n".join(parser.parts)
        problems += [f"{url}: {text}" for text in texts if text not in page.text or text in unmarked]
    assert not problems, "Finnish text without lang=\"fi\":\n" + "\n".join(problems)
