"""Staff kept informed by default, and the staff pages' small promises (issue 17, points 9 and 10)."""
import re
from datetime import datetime

import pytest
from sqlalchemy import select
from tests.admin_support import STAFF_EMAIL, add_contacts, make_staff, sign_in_contact, sign_in_staff
from tests.clients import once
from tests.test_self_service import form_data
from tests.test_workshops_helpers import order_form, seed_themes

from app.admin.staff import add_staff, deactivate_staff
from app.admin.statistics import chosen_period
from app.extensions import db
from app.models import ContactRequest, StaffUser, WorkshopOrder
from app.platform.email_typos import suggest_email
from app.platform.staff_notices import notice_recipients


@pytest.fixture
def staff_team(app):
    app.config["STAFF_NOTIFY_EMAIL"] = "toimisto@keskus.example"
    make_staff()
    add_staff("lomalla@keskus.example").receives_notices = False
    deactivate_staff(add_staff("lahtenyt@keskus.example").email)
    db.session.commit()


def test_notices_reach_every_active_staff_member_who_has_not_opted_out(staff_team):
    assert notice_recipients() == [STAFF_EMAIL, "toimisto@keskus.example"]


def test_the_shared_address_gets_one_copy_when_it_is_also_a_staff_account(app):
    app.config["STAFF_NOTIFY_EMAIL"] = "Yllapito@Keskus.example"
    make_staff()
    assert notice_recipients() == [STAFF_EMAIL]


def test_a_workshop_order_is_announced_to_staff_and_receipted(app, client, mailbox, staff_team):
    theme = seed_themes(app)[0]
    assert client.post("/tyopajat/tilaa", data=order_form(theme.id)).status_code == 303
    recipients = sorted(message["To"] for message in mailbox.messages)
    assert recipients == ["maija@example.fi", "toimisto@keskus.example", STAFF_EMAIL]


def test_the_profile_turns_notices_off_and_on(client, mailbox, staff_team):
    sign_in_staff(client)
    page = client.get("/yllapito/profiili")
    assert page.status_code == 200 and 'name="receives_notices"' in page.text and "checked" in page.text
    data = form_data(page, css_class=None, action="/yllapito/profiili")
    data.pop("receives_notices")
    assert client.post("/yllapito/profiili", data=data).status_code == 303
    off = client.get("/yllapito/profiili")
    assert "Et saa enää ilmoituksia" in off.text, off.text
    assert notice_recipients() == ["toimisto@keskus.example"]
    data["receives_notices"] = "y"
    client.post("/yllapito/profiili", data=data)
    assert notice_recipients() == [STAFF_EMAIL, "toimisto@keskus.example"]


def test_sign_out_and_profile_sit_in_the_header_outside_main(client):
    make_staff()
    sign_in_staff(client)
    page = client.get("/yllapito/").text
    header, main = page.split("<main", 1)
    assert 'action="/yllapito/kirjaudu-ulos"' in header and "Kirjaudu ulos" in header
    assert 'href="/yllapito/profiili"' in header
    assert "Kirjaudu ulos" not in main


def test_edit_requests_show_which_organisations_have_answered(client, mailbox, make_organisation):
    make_staff()
    sign_in_staff(client)
    answering, silent = make_organisation("Vastaava ry"), make_organisation("Hiljainen ry")
    add_contacts(answering, "a@vastaava.example")
    add_contacts(silent, "b@hiljainen.example")
    compose = client.get(f"/yllapito/muokkauspyynto?jarjesto={answering.id}&jarjesto={silent.id}")
    assert "1 yhteyshenkilö<" in compose.text  # not "1 yhteyshenkilöä"
    sent = client.post("/yllapito/muokkauspyynto", data=once(
        message="Tarkistakaa tiedot.", organisation_ids=f"{answering.id},{silent.id}"))
    results_path = sent.headers["Location"]
    assert client.get(results_path).text.count("Ei vielä vastattu") == 2
    assert "Lähetetty 1 yhteyshenkilölle" in client.get(results_path).text

    # Staff editing the entry is not an answer …
    client.post(f"/yllapito/jarjestot/{silent.id}/muokkaa", data=form_data(
        client.get(f"/yllapito/jarjestot/{silent.id}/muokkaa")) | {"meeting_times": "Keskiviikkoisin."})
    # … a contact confirming it is.
    contact = client.application.test_client()
    sign_in_contact(contact, "a@vastaava.example")
    check = contact.get(f"/jarjestoille/omat/{answering.id}/tarkista")
    action = f"/jarjestoille/omat/{answering.id}/ajan-tasalla"
    assert contact.post(action, data=form_data(check, action=action)).status_code == 303
    results = client.get(results_path).text
    assert results.count("Ei vielä vastattu") == 1 and results.count("Vastattu: tiedot tallennettu tai vahvistettu") == 1
    answered_row = results.split("Vastaava ry", 1)[1].split("</tr>", 1)[0]
    assert "Vastattu:" in answered_row


@pytest.mark.parametrize("typed, suggestion", [
    ("maija@gmial.con", "maija@gmail.com"),
    ("maija@hotmial.fi", "maija@hotmail.fi"),
    ("maija@luukku.co", "maija@luukku.com"),
    ("maija@suomi42.fi", "maija@suomi24.fi"),
    ("maija@outlok.com", "maija@outlook.com"),
    ("maija@gmail.com", None),
    ("maija@kuopio.fi", None),
    ("maija@yhdistys.example", None),
    ("maija@mail.com", None),
])
def test_a_mistyped_common_domain_gets_a_suggestion(typed, suggestion):
    assert suggest_email(typed) == suggestion


def test_the_join_form_asks_did_you_mean_once_then_accepts_the_address(client, mailbox):
    data = once({"email": "Maija@Gmial.con"})
    asked = client.post("/jarjestoille/", data=data)
    assert asked.status_code == 422
    assert "Tarkoititko maija@gmail.com?" in asked.text
    assert 'id="email-virhe"' in asked.text and 'name="email-tarkistettu" value="maija@gmial.con"' in asked.text
    assert mailbox.messages == []
    sent = client.post("/jarjestoille/", data=data | {"email-tarkistettu": "maija@gmial.con"})
    assert sent.status_code == 303
    corrected = client.post("/jarjestoille/", data=once({"email": "maija@gmail.com"}))
    assert corrected.status_code == 303


def test_the_same_suggestion_on_every_e_mail_field(app, client, make_organisation):
    seed_themes(app)
    organisation = make_organisation("Kuopion Muisti ry", email="info@muisti.example")
    theme_id = db.session.scalar(select(WorkshopOrder.theme_id)) or 1
    order = client.post("/tyopajat/tilaa", data=order_form(theme_id, email="tilaaja@gmial.com"))
    assert order.status_code == 422 and "Tarkoititko tilaaja@gmail.com?" in order.text
    contact = client.post(f"/jarjestot/{organisation.id}/yhteydenotto", data=once({
        "name": "Maija", "email": "maija@hotmial.com", "preferred_channel": "sahkoposti", "consent": "y"}))
    assert contact.status_code == 422 and "Tarkoititko maija@hotmail.com?" in contact.text
    assert db.session.scalar(select(ContactRequest.id)) is None


def test_statistics_can_be_limited_to_a_year(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    organisation = make_organisation("Tilastoitava ry")
    for year in (2024, 2025):
        db.session.add(ContactRequest(
            batch=f"erä-{year}", organisation_id=organisation.id, organisation_name=organisation.name, requester_name="X",
            preferred_channel="puhelin", consent_at=datetime(year, 3, 1), created_at=datetime(year, 3, 1),
        ))
    db.session.commit()
    page = client.get("/yllapito/tilastot?vuosi=2024")
    assert page.status_code == 200
    assert '<option value="2024" selected>' in page.text and '<option value="2025">' in page.text
    assert "maaliskuu 2024" in page.text and "maaliskuu 2025" not in page.text
    assert 'href="/yllapito/tilastot/yhteydenotot-kuukausittain.csv?vuosi=2024"' in page.text
    csv = client.get("/yllapito/tilastot/yhteydenotot-kuukausittain.csv?vuosi=2024")
    assert "maaliskuu 2024" in csv.get_data(as_text=True)
    assert "2024.csv" in csv.headers["Content-Disposition"]
    # A year with nothing in it, or not a year at all, is the last 12 months.
    assert chosen_period("1999", datetime(2026, 5, 1).date(), [2026, 2025]).year is None
    assert chosen_period("x", datetime(2026, 5, 1).date(), [2026]).year is None


def test_the_activity_matrix_is_a_table_first_with_full_size_labels(client):
    make_staff()
    sign_in_staff(client)
    page = client.get("/yllapito/tilastot").text
    section = page.split('id="toiminta-kunnittain"', 1)[1].split("</section>", 1)[0]
    assert section.index("<table") < section.index("<svg")
    svg = section[section.index("<svg"):]
    assert 'class="kaavio kaavio-taysikokoinen"' in svg and 'width="100%"' not in svg.split(">", 1)[0]
    sizes = {int(size) for size in re.findall(r'font-size="(\d+)"', svg)}
    assert sizes and min(sizes) >= 12


def test_staff_accounts_default_to_notices(app):
    staff = add_staff("uusi@keskus.example")
    db.session.commit()
    assert db.session.get(StaffUser, staff.id).receives_notices is True
