"""Languages in the URL (/sv/…, /en/…, Finnish at the root), the switch, the first visit,
and mail in its recipient's language through a real SMTP server."""
import re
from datetime import datetime, timedelta

import icalendar
import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select
from tests.admin_support import make_staff
from tests.clients import once
from tests.events_support import make_event, signup_form
from tests.test_workshops_helpers import order_form, seed_themes

from app.config import DEFAULT_LANGUAGE, PORTAL_LANGUAGES
from app.directory.moderation import approve
from app.extensions import db
from app.models import ContactRequest, EventSignup, OrganisationContact, WorkshopOrder
from app.platform.mail_delivery import deliver_due
from app.platform.tokens import issue_link_token
from app.workshops.services import confirm

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SWITCH = re.compile(r'<nav class="kielet".*?</nav>', re.S)
SWITCH_LINK = re.compile(r'<a href="([^"]*)" data-juuri="[^"]*" hreflang="(\w+)" lang="(\w+)"( aria-current="true")?>')
ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">')


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "STAFF_NOTIFY_EMAIL": "tyopajat@keskus.example"}


def csrf_of(page) -> str:
    return CSRF.search(page.text).group(1)


def translated(code: str, msgid: str, **values) -> str:
    """`msgid` in the catalogue of `code`, which must have it."""
    with force_locale(code):
        text = gettext(msgid, **values)
    assert text != gettext(msgid, **values) or code == DEFAULT_LANGUAGE, f"{msgid!r} has no {code} text"
    return text


def prefix(language: str) -> str:
    return "" if language == DEFAULT_LANGUAGE else f"/{language}"


@pytest.mark.parametrize("language", PORTAL_LANGUAGES)
def test_each_language_serves_the_same_page_under_its_prefix(client, language):
    page = client.get(f"{prefix(language)}/ohjeet")
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text
    assert page.headers["Content-Language"] == language
    assert f"<h1>{translated(language, 'Ohjeet')}</h1>" in page.text
    # Links the page makes carry the language; static files do not.
    assert f'href="{prefix(language)}/haku"' in page.text
    assert re.search(r'<link rel="stylesheet" href="/static/css/site\.[0-9a-f]{8}\.css">', page.text)


def test_the_switch_and_the_alternates_point_to_this_page_in_every_language(client):
    page = client.get("/sv/haku?q=diabetes&sivu=1")
    links = SWITCH_LINK.findall(SWITCH.search(page.text).group(0))
    assert links == [
        ("/haku?q=diabetes&amp;sivu=1", "fi", "fi", ""),
        ("/sv/haku?q=diabetes&amp;sivu=1", "sv", "sv", ' aria-current="true"'),
        ("/en/haku?q=diabetes&amp;sivu=1", "en", "en", ""),
    ]
    assert [name for name in PORTAL_LANGUAGES.values() if f">{name}</a>" in page.text] == list(PORTAL_LANGUAGES.values())
    assert ALTERNATE.findall(page.text) == [
        ("fi", "http://portal.test/haku?q=diabetes&amp;sivu=1"),
        ("sv", "http://portal.test/sv/haku?q=diabetes&amp;sivu=1"),
        ("en", "http://portal.test/en/haku?q=diabetes&amp;sivu=1"),
        ("x-default", "http://portal.test/haku?q=diabetes&amp;sivu=1"),
    ]


@pytest.mark.parametrize(("path", "target"), [
    ("/sv/static/css/site.css", "/static/css/site.css"),
    ("/en/api/v1/organisations?q=muisti", "/api/v1/organisations?q=muisti"),
    ("/sv/api/hsds/", "/api/hsds/"),
    ("/en/terveys", "/terveys"),
])
def test_static_files_and_apis_have_one_address(client, path, target):
    answer = client.get(path)
    assert answer.status_code == 308
    assert answer.headers["Location"] == target


def test_links_to_the_api_from_a_swedish_page_are_on_the_root(client):
    page = client.get("/sv/avoin-data")
    assert 'href="/api/v1' in page.text or "/api/v1" in page.text
    assert "/sv/api/" not in page.text and "/sv/static/" not in page.text


@pytest.mark.parametrize(("accept", "location"), [
    ("sv-FI,sv;q=0.9,fi;q=0.5", "/sv/"),
    ("en-GB,en;q=0.8", "/en/"),
    ("fi-FI,fi;q=0.9,en;q=0.8", None),
    ("de-DE", None),
    ("", None),
])
def test_a_first_visit_to_the_front_page_follows_accept_language(client, accept, location):
    answer = client.get("/", headers={"Accept-Language": accept} if accept else {})
    assert answer.headers.get("Location") == location
    assert answer.status_code == (302 if location else 200)
    assert {"Accept-Language", "Cookie"} <= set(answer.vary)


def test_after_the_first_visit_the_address_wins(client):
    swedish = {"Accept-Language": "sv"}
    assert client.get("/", headers=swedish).headers["Location"] == "/sv/"
    assert client.get("/sv/", headers=swedish).status_code == 200
    # "Suomi" in the switch leads to the root: the visitor stays Finnish.
    for _visit in range(2):
        finnish = client.get("/", headers=swedish)
        assert finnish.status_code == 200 and '<html lang="fi">' in finnish.text


def test_only_the_bare_front_page_redirects(client):
    for path in ("/?q=muisti", "/haku", "/ohjeet"):
        answer = client.get(path, headers={"Accept-Language": "en"})
        assert answer.status_code == 200, path
        assert '<html lang="fi">' in answer.text


def test_a_language_chosen_on_any_page_counts_as_the_choice(client):
    client.get("/en/ohjeet")
    answer = client.get("/", headers={"Accept-Language": "sv"})
    assert answer.status_code == 200 and '<html lang="fi">' in answer.text


def test_redirects_keep_the_language(client, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry")
    assert client.get("/sv/tarjotin/yhteydenotto").headers["Location"] == "/sv/tarjotin"
    assert client.get("/en/yllapito/").headers["Location"] == "/en/yllapito/kirjaudu"
    page = client.get(f"/sv/jarjestot/{organisation.id}")
    added = client.post("/sv/tarjotin/lisaa", data={
        "organisation_id": organisation.id, "next": f"/sv/jarjestot/{organisation.id}", "csrf_token": csrf_of(page),
    })
    assert added.status_code == 303
    assert added.headers["Location"].startswith(f"/sv/jarjestot/{organisation.id}")


def test_an_htmx_partial_keeps_the_language(client, make_organisation):
    organisation = make_organisation("Diabetesyhdistys ry", needs=("Diabetes",))
    partial = client.get("/en/haku?q=diabetes", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert f'href="/en/jarjestot/{organisation.id}?' in partial.text
    assert "HX-Request" in partial.vary
    assert partial.headers["Content-Language"] == "en"


def test_a_server_sub_path_stays_in_front_of_the_language(client):
    page = client.get("/sv/ohjeet", environ_overrides={"SCRIPT_NAME": "/portaali"})
    assert page.status_code == 200
    assert 'href="/portaali/sv/haku"' in page.text
    assert 'href="/portaali/static/css/site.' in page.text
    assert ("/portaali/ohjeet", "fi", "fi", "") in SWITCH_LINK.findall(page.text)
    moved = client.get("/sv/static/css/site.css", environ_overrides={"SCRIPT_NAME": "/portaali"})
    assert moved.headers["Location"] == "/portaali/static/css/site.css"


def test_the_plain_language_page_stays_finnish_in_a_swedish_frame(client):
    page = client.get("/sv/ohjeet/selkokieli")
    assert '<html lang="sv">' in page.text
    content = re.search(r'<div class="selkokieli" lang="fi">(.*?)</div>', page.text, re.S).group(1)
    assert "Tämä palvelu on Hyvinvointitarjotin." in content
    assert translated("sv", "Tämä sivu on kirjoitettu selkosuomeksi.") in page.text
    assert f">{translated('sv', 'Haku')}<" in page.text


@pytest.mark.parametrize("path", ["/saavutettavuusseloste", "/tietosuojaseloste"])
@pytest.mark.parametrize("language", PORTAL_LANGUAGES)
def test_the_accessibility_statement_and_privacy_notice_exist_in_every_language(client, path, language):
    page = client.get(prefix(language) + path)
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text


# ---- mail in the recipient's language -------------------------------------------------

def test_a_sign_in_link_asked_for_in_swedish_comes_in_swedish(client, mailbox, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry")
    db.session.add(OrganisationContact(organisation_id=organisation.id, email="sihteeri@example.fi"))
    db.session.commit()
    page = client.get("/sv/jarjestoille/")
    assert 'action="/sv/jarjestoille/"' in page.text
    sent = client.post("/sv/jarjestoille/", data=once({"email": "sihteeri@example.fi", "csrf_token": csrf_of(page)}))
    assert sent.headers["Location"].startswith("/sv/jarjestoille/")
    message = mailbox.messages[-1]
    assert message["Subject"] == translated("sv", "Kirjautumislinkki Hyvinvointitarjottimeen")
    text, html = mailbox.bodies(message)
    link = re.search(r"http://portal\.test(/sv/jarjestoille/kirjaudu/[\w-]+)", text).group(1)
    assert '<html lang="sv">' in html
    opened = client.get(link)
    assert '<html lang="sv">' in opened.text
    used = client.post(link, data={"csrf_token": csrf_of(opened)})
    assert used.status_code == 303 and used.headers["Location"].startswith("/sv/jarjestoille/omat")


def test_a_contact_request_in_swedish_goes_to_an_english_organisation_in_english(client, mailbox, make_organisation):
    organisation = make_organisation("Peer Support Kuopio ry", email="info@peer.example", language="en")
    form = client.get(f"/sv/jarjestot/{organisation.id}/yhteydenotto")
    assert f'action="/sv/jarjestot/{organisation.id}/yhteydenotto"' in form.text
    fields = {"name": "Sven", "phone": "040 123 4567", "email": "sven@example.se", "preferred_channel": "puhelin",
              "consent": "y", "csrf_token": csrf_of(form)}
    invalid = client.post(f"/sv/jarjestot/{organisation.id}/yhteydenotto", data=once(fields, name=""))
    assert invalid.status_code == 422 and '<html lang="sv">' in invalid.text
    sent = client.post(f"/sv/jarjestot/{organisation.id}/yhteydenotto", data=once(fields))
    assert sent.status_code == 303, sent.text
    assert sent.headers["Location"].startswith("/sv/yhteydenotto/lahetetty/")
    assert db.session.scalar(select(ContactRequest.language)) == "sv"
    to_organisation = next(m for m in mailbox.messages if m["To"] == "info@peer.example")
    copy = next(m for m in mailbox.messages if m["To"] == "sven@example.se")
    assert to_organisation["Subject"] == translated("en", "Yhteydenottopyyntö Hyvinvointitarjottimen kautta")
    text, _html = mailbox.bodies(to_organisation)
    assert re.search(r"http://portal\.test/en/yhteydenotto/kasitelty/[\w-]+", text)
    assert translated("en", "Henkilö käytti palvelua kielellä: %(language)s.",
                      language=translated("en", "ruotsi")) in text
    assert copy["Subject"] == translated("sv", "Kopio yhteydenottopyynnöstäsi")


def test_a_finnish_organisation_gets_finnish_mail_from_an_english_page(client, mailbox, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry", email="info@muisti.example")
    form = client.get(f"/en/jarjestot/{organisation.id}/yhteydenotto")
    client.post(f"/en/jarjestot/{organisation.id}/yhteydenotto", data=once({
        "name": "Jane", "phone": "040 123 4567", "preferred_channel": "puhelin", "consent": "y",
        "csrf_token": csrf_of(form),
    }))
    message = mailbox.messages[-1]
    assert message["Subject"] == "Yhteydenottopyyntö Hyvinvointitarjottimen kautta"
    assert re.search(r"http://portal\.test/yhteydenotto/kasitelty/[\w-]+", mailbox.bodies(message)[0])


def test_a_workshop_ordered_in_english_is_confirmed_in_english_and_staff_hear_in_finnish(app, client, mailbox):
    themes = seed_themes(app)
    page = client.get("/en/tyopajat/tilaa")
    answer = client.post("/en/tyopajat/tilaa", data=once(order_form(themes[0].id), csrf_token=csrf_of(page)))
    assert answer.headers["Location"] == "/en/tyopajat/tilattu"
    order = db.session.scalars(select(WorkshopOrder)).one()
    assert order.language == "en"
    received = next(m for m in mailbox.messages if m["To"] == order.email)
    staff = next(m for m in mailbox.messages if m["To"] == "tyopajat@keskus.example")
    assert received["Subject"] == translated("en", "Työpajatilaus %(reference)s on vastaanotettu",
                                             reference=order.reference)
    assert re.search(r"http://portal\.test/en/tyopajat/tila/[\w-]+", mailbox.bodies(received)[0])
    assert staff["Subject"].startswith("Uusi työpajatilaus")

    # Staff confirm later, from the Finnish staff pages (here without a request at all).
    start = datetime.combine(datetime.now().date() + timedelta(days=30), datetime.min.time()).replace(hour=13)
    confirm(order, start, "Kulttuurikeskus", "", "Ohjaaja", "staff")
    db.session.commit()
    deliver_due()
    confirmed = mailbox.messages[-1]
    assert confirmed["To"] == order.email
    with force_locale("en"):
        from app.workshops.display import format_workshop_time
        when = format_workshop_time(start)
    assert confirmed["Subject"] == translated("en", "Työpaja on vahvistettu: %(when)s", when=when)
    assert not re.search(r"\b(ma|ti|ke|to|pe|klo)\b", confirmed["Subject"])
    calendar = next(part for part in confirmed.walk() if part.get_content_type() == "text/calendar")
    event = icalendar.Calendar.from_ical(calendar.get_payload(decode=True)).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == translated("en", "Työpaja: %(organisation)s", organisation=order.organisation_name)


def test_an_event_sign_up_in_swedish_gets_its_reminder_in_swedish(app, client, mailbox, taxonomy, runner):
    event = make_event(days_ahead=1, deadline_days_before=0)
    page = client.get(f"/sv/tapahtumat/{event.id}/ilmoittaudu")
    answer = client.post(f"/sv/tapahtumat/{event.id}/ilmoittaudu", data=once(signup_form(), csrf_token=csrf_of(page)))
    assert answer.status_code == 303, answer.text
    assert answer.headers["Location"].startswith("/sv/tapahtumat/")
    signup = db.session.scalars(select(EventSignup)).one()
    assert signup.language == "sv"
    confirmed = mailbox.messages[-1]
    assert confirmed["Subject"] == translated("sv", "Ilmoittautuminen vahvistettu: %(title)s", title=event.title)
    # The reminder is sent by the scheduled command, with no request to take a language from.
    assert "event reminders queued: 1" in runner.invoke(args=["events", "remind"]).output
    deliver_due()
    reminder = mailbox.messages[-1]
    assert reminder["Subject"] == translated("sv", "Muistutus: %(title)s", title=event.title)
    assert re.search(r"http://portal\.test/sv/tapahtumat/ilmoittautuminen/[\w-]+", mailbox.bodies(reminder)[0])


def test_an_organisation_that_chose_swedish_hears_of_its_approval_in_swedish(client, mailbox, make_organisation):
    organisation = make_organisation("Svenska föreningen rf", status="pending", language="sv")
    db.session.add(OrganisationContact(organisation_id=organisation.id, email="ordforande@forening.example"))
    db.session.commit()
    approve(organisation, "yllapito@keskus.example")
    db.session.commit()
    deliver_due()
    message = mailbox.messages[-1]
    assert message["Subject"] == translated("sv", "%(organisation)s on julkaistu Hyvinvointitarjottimessa",
                                            organisation=organisation.name)
    assert f"http://portal.test/sv/jarjestot/{organisation.id}" in mailbox.bodies(message)[0]


def test_staff_signed_in_from_a_swedish_page_return_to_it(client, mailbox):
    make_staff()
    assert client.get("/sv/yllapito/jarjestot").headers["Location"] == "/sv/yllapito/kirjaudu"
    token = issue_link_token("yllapito@keskus.example", "staff_sign_in")
    db.session.commit()
    opened = client.get(f"/sv/yllapito/kirjaudu/{token}")
    used = client.post(f"/sv/yllapito/kirjaudu/{token}", data={"csrf_token": csrf_of(opened)})
    assert used.headers["Location"] == "/sv/yllapito/jarjestot"


def test_a_calendar_feed_sets_no_cookie_for_the_language(client, taxonomy):
    for path in ("/tapahtumat/kalenteri.ics", "/sv/tapahtumat/kalenteri.ics"):
        feed = client.get(path)
        assert feed.status_code == 200
        assert "Set-Cookie" not in feed.headers


def test_absolute_links_under_a_sub_path_name_it_once(app, client, make_organisation):
    # BASE_URL carries the sub-path the server gives (SCRIPT_NAME): links built from it
    # must not add the request's script root a second time.
    app.config["BASE_URL"] = "http://portal.test/portaali"
    organisation = make_organisation("Esimerkki ry")
    sub_path = {"SCRIPT_NAME": "/portaali"}
    api = client.get(f"/api/v1/organisations/{organisation.id}", environ_overrides=sub_path).get_json()
    assert api["url"] == f"http://portal.test/portaali/jarjestot/{organisation.id}"
    page = client.get(f"/sv/jarjestot/{organisation.id}", environ_overrides=sub_path).text
    assert f">http://portal.test/portaali/sv/jarjestot/{organisation.id}<" in page
