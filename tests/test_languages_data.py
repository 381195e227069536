"""Data in the reader's language: taxonomy names on Swedish and English pages (public and staff),
the calendar files, mail sent later (by a link or a scheduled command) in the recipient's
language, and the app's own stored Finnish texts (revision summaries) on translated pages.

tests/test_languages_render.py checks the interface text and takes stored data out first; these
tests check the data it leaves out.
"""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.admin_support import STAFF_EMAIL, add_contacts, make_staff, sign_in_staff
from tests.clients import once
from tests.events_support import make_event

from app.accounts.claims import request_access
from app.contact.followup import send_reminders
from app.contact.requests import ContactDetails, mark_handled, send_contact_request
from app.directory.records import record_revision
from app.extensions import db
from app.models import ContactRequest, Municipality, OutboxMessage, utcnow
from app.platform.i18n import app_text, in_language
from flask_babel import lazy_gettext as _l

HANDLED_LINK = re.compile(r"/yhteydenotto/kasitelty/([A-Za-z0-9_\-]+)")


def iisalmi_id() -> int:
    return db.session.scalar(select(Municipality.id).where(Municipality.name_fi == "Iisalmi"))


def mail_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to == address).order_by(OutboxMessage.id)))


def test_the_a_to_z_list_names_municipalities_in_the_pages_language(client, make_organisation):
    make_organisation("Idensalmen förening rf", municipalities=["Iisalmi"])
    page = client.get(f"/sv/jarjestot?kunta={iisalmi_id()}").text
    assert f'<option value="{iisalmi_id()}" selected>Idensalmi</option>' in page
    assert "Iisalmi" not in page


def test_an_events_place_is_named_in_the_pages_language_also_in_its_calendar_file(client, taxonomy):
    event = make_event(town="Iisalmi")
    assert "Kirkkokatu 9, Idensalmi" in client.get(f"/sv/tapahtumat/{event.id}").text
    calendar = client.get(f"/sv/tapahtumat/{event.id}/tapahtuma.ics").text
    assert "Idensalmi" in calendar and "Iisalmi" not in calendar.replace("Iisalmessa", "")


def test_staff_municipality_selects_are_in_the_pages_language(client, taxonomy):
    make_staff()
    sign_in_staff(client)
    for path in ("/sv/yllapito/jarjestot", "/sv/yllapito/tapahtumat/uusi"):
        page = client.get(path).text
        assert f'<option value="{iisalmi_id()}">Idensalmi</option>' in page, path
    # A–Z by the Swedish names: Idensalmi before Juankoski, though Iisalmi and Idensalmi sort alike.
    options = re.findall(r'<option value="\d+">([^<]+)</option>', client.get("/sv/yllapito/jarjestot").text)
    names = [name for name in options if name in ("Idensalmi", "Kuopio", "Varkaus")]
    assert names == ["Idensalmi", "Kuopio", "Varkaus"]


def test_the_handled_notice_is_in_the_requesters_language(make_organisation, mailbox):
    organisation = make_organisation("Esimerkki ry", email="info@esimerkki.example")
    send_contact_request(ContactDetails(name="Anna", email="anna@example.se", preferred_channel="sahkoposti",
                                        language="sv"), [organisation.id])
    db.session.commit()
    [to_organisation] = mail_to("info@esimerkki.example")
    assert mark_handled(HANDLED_LINK.search(to_organisation.text_body).group(1)) is not None
    db.session.commit()
    notice = mail_to("anna@example.se")[-1]
    assert notice.subject != "Järjestö on ollut yhteydessä" and "Hej" in notice.text_body


def test_the_reminder_is_in_the_organisations_language(make_organisation):
    organisation = make_organisation("Svenska föreningen rf", email="info@forening.example", language="sv")
    send_contact_request(ContactDetails(name="Matti", phone="+358401112222"), [organisation.id])
    db.session.commit()
    for request in db.session.scalars(select(ContactRequest)):
        request.created_at = utcnow() - timedelta(days=10)
    assert send_reminders() == 1
    db.session.commit()
    reminder = mail_to("info@forening.example")[-1]
    assert not reminder.subject.startswith("Muistutus") and "Hej" in reminder.text_body
    # It names the first mail by the subject that mail had, and its footer links to the Swedish site.
    [first] = mail_to("info@forening.example")[:1]
    assert f"”{first.subject}”" in reminder.text_body and first.subject != "Yhteydenottopyyntö Hyvinvointitarjottimen kautta"
    assert reminder.text_body.rstrip().endswith("http://portal.test/sv/haku")


def test_an_error_report_reaches_the_organisation_in_its_language(client, make_organisation):
    organisation = make_organisation("Svenska föreningen rf", email="info@forening.example", language="sv")
    add_contacts(organisation, "sekreterare@forening.example")
    sent = client.post(f"/jarjestot/{organisation.id}/virheilmoitus",
                       data=once(report_text="Puhelinnumero ei ole enää käytössä."))
    assert sent.status_code == 303
    [report] = mail_to("sekreterare@forening.example")
    assert not report.subject.startswith("Virheilmoitus") and "Hej" in report.text_body


def test_the_apps_own_revision_summaries_read_in_the_pages_language(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    organisation = make_organisation("Historia ry")
    record_revision(organisation, "import", _l("Tuotu tiedostosta"))
    db.session.commit()
    for path in (f"/en/yllapito/jarjestot/{organisation.id}/historia", "/en/yllapito/muutokset", "/en/yllapito/"):
        page = client.get(path).text
        assert "Imported from file" in page and "Tuotu tiedostosta" not in page, path
    assert "Tuotu tiedostosta" in client.get(f"/yllapito/jarjestot/{organisation.id}/historia").text


@pytest.mark.parametrize(("language", "stored", "shown"), [
    ("fi", "Tiedot päivitetty", "Tiedot päivitetty"),
    ("en", "Tiedot päivitetty", "Details updated"),
    # With values: the values found in the Finnish text stay as they are.
    ("sv", "Toiminta tauolla 1.9.2026 asti", "Verksamheten har paus till och med 1.9.2026"),
    ("en", "Yhdistetty järjestöön Jyväskylän (Keski-Suomen) omaiset ry (nro 12)",
     "Merged into the organisation Jyväskylän (Keski-Suomen) omaiset ry (no. 12)"),
    ("en", "Yhdistetty: A ry (nro 7) yhdistettiin tähän", "Merged: A ry (no. 7) was merged into this one"),
    ("sv", "Luokitus yhdistetty: Dementoituminen → Muistisairaus",
     "Klassificering sammanslagen: Dementoituminen → Muistisairaus"),
    ("en", "Hylätty: Kuvaus puuttuu.\nLisätkää kuvaus.", "Rejected: Kuvaus puuttuu.\nLisätkää kuvaus."),
    ("en", "Palautettu versioon 3 (2.6.2026)", "Restored to version 3 (2.6.2026)"),
    # Not the app's text (a number that is not one), or what staff wrote: as stored.
    ("en", "Yhdistetty järjestöön X (nro kolme)", "Yhdistetty järjestöön X (nro kolme)"),
    ("en", "Oma merkintä", "Oma merkintä"),
    ("en", "", ""),
])
def test_a_stored_summary_with_values_reads_in_the_pages_language(app, language, stored, shown):
    # The features register their texts when the app is created (the `app` fixture).
    with app.test_request_context(), in_language(language):
        assert app_text(stored) == shown


def test_an_error_report_links_each_reader_to_their_own_page(client, make_organisation):
    make_staff()
    organisation = make_organisation("Esimerkki ry", email="info@esimerkki.example")
    add_contacts(organisation, "sihteeri@esimerkki.example")
    sent = client.post(f"/en/jarjestot/{organisation.id}/virheilmoitus", data=once(report_text="Väärä numero."))
    assert sent.status_code == 303
    # A Finnish organisation: its contacts get a Finnish mail with the way to sign in, not a reply
    # to a no-reply sender; staff get the organisation's staff page.
    [to_contact] = mail_to("sihteeri@esimerkki.example")
    assert "http://portal.test/jarjestoille/" in to_contact.text_body and "/en/" not in to_contact.text_body
    assert "vastaa tähän viestiin" not in to_contact.text_body
    [to_staff] = mail_to(STAFF_EMAIL)
    assert f"http://portal.test/yllapito/jarjestot/{organisation.id}" in to_staff.text_body
    assert "/en/" not in to_staff.text_body and "Merkitse se korjatuksi" in to_staff.text_body


def test_a_claims_staff_notice_links_to_the_finnish_staff_pages(make_organisation):
    make_staff()
    organisation = make_organisation("Esimerkki ry", email="info@esimerkki.example")
    add_contacts(organisation, "sihteeri@esimerkki.example")
    with in_language("sv"):
        request_access(organisation, "uusi@esimerkki.example", "Jag är ny sekreterare.", language="sv")
    db.session.commit()
    [notice] = mail_to(STAFF_EMAIL)
    assert "http://portal.test/yllapito/#" in notice.text_body and "/sv/" not in notice.text_body
    # The sentences before the requester's message end their paragraph.
    assert re.search(r"vastaa\.\r?\n\r?\nPyytäjän viesti:", notice.text_body)


def test_an_organisations_needs_are_listed_a_to_z_in_the_pages_language(client, make_organisation):
    # Mielenterveys before Muistisairaus in Finnish; Minnessjukdom before Psykisk hälsa in Swedish.
    organisation = make_organisation("Esimerkki ry", needs=["Muistisairaus", "Mielenterveys"],
                                     municipalities=["Kuopio", "Iisalmi"])
    assert "Mielenterveys, Muistisairaus" in client.get(f"/jarjestot/{organisation.id}").text
    assert "Minnessjukdom, Psykisk hälsa" in client.get(f"/sv/jarjestot/{organisation.id}").text
    assert "Memory disorders, Mental health" in client.get(f"/en/jarjestot/{organisation.id}").text
    assert "Idensalmi, Kuopio" in client.get(f"/sv/jarjestot/{organisation.id}").text
