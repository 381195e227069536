"""Every rule of the organisation form: a Finnish message next to the field and in the
summary, the input kept, HTTP 422, nothing saved; and what valid input becomes."""
import html
import re
from datetime import date

import pytest
from sqlalchemy import select
from tests.test_self_service import SECRETARY, changed, edit_path, form_data, fresh, own, sign_in_as

from app.directory.records import organisation_record
from app.extensions import db as _db
from app.models import Activity, Municipality, Need, Organisation, Sector

NEXT_YEAR = date.today().year + 1

LONG_KEYWORD = "k" * 81
CHOICE_FIELDS = {
    "org_type", "step_free_access", "volunteering_supported", "parent_id", "sector_id",
    "languages", "language", "needs", "activities", "municipalities",
}


@pytest.fixture
def editing(client, make_organisation):
    """A signed-in contact on the edit page of their organisation: (organisation, form data)."""
    organisation = own(make_organisation)
    sign_in_as(client, SECRETARY)
    return organisation, form_data(client.get(edit_path(organisation.id)))


INVALID = [
    # field, submitted value, error shown (the id of the element the error belongs to), message part
    ("name", "", "name", "Tämä tieto on pakollinen."),
    ("name", "Yhdistys\r\nBcc: kaikki@example.com", "name", "Kenttään ei voi kirjoittaa rivinvaihtoja."),
    ("name", "n" * 201, "name", "Teksti on liian pitkä: 201 merkkiä, enintään 200."),
    ("org_type", "puolue", "org_type", "Valitse yksi vaihtoehdoista."),
    ("business_id", "1234567-2", "business_id", "Y-tunnuksen tarkistusmerkki ei täsmää."),
    ("business_id", "12345678", "business_id", "Y-tunnuksen muoto on 1234567-8."),
    ("parent_id", "999999", "parent_id", "Valitse yksi vaihtoehdoista."),
    ("description", "x" * 601, "description", "Teksti on liian pitkä: 601 merkkiä, enintään 600."),
    ("description_sv", "x" * 601, "description_sv", "Teksti on liian pitkä: 601 merkkiä, enintään 600."),
    ("street_address", "Katu 1\nBcc: x", "street_address", "Kenttään ei voi kirjoittaa rivinvaihtoja."),
    ("postal_code", "7010", "postal_code", "Postinumerossa on viisi numeroa"),
    ("postal_code", "ABCDE", "postal_code", "Postinumerossa on viisi numeroa"),
    ("post_office", "p" * 81, "post_office", "enintään 80."),
    ("email", "ei-osoite", "email", "Sähköpostiosoite ei ole kelvollinen."),
    ("email", "info@example.fi\r\nBcc: kaikki@example.com", "email", "Kenttään ei voi kirjoittaa rivinvaihtoja."),
    ("website", "javascript:alert(1)", "website", "Verkkosivun osoitteen pitää alkaa http:// tai https://"),
    ("website", "ftp://example.fi", "website", "Verkkosivun osoitteen pitää alkaa http:// tai https://"),
    ("phone_1", "12345", "phone_1", "Puhelinnumero ei ole kelvollinen."),
    ("phone_3", "puhelin", "phone_3", "Puhelinnumero ei ole kelvollinen."),
    ("phone_2_role", "Puheenjohtaja", "phone_2", "Anna puhelinnumero tai tyhjennä sen käyttötarkoitus."),
    ("phone_1_role", "r" * 121, "phone_1_role", "enintään 120."),
    ("meeting_times", "m" * 501, "meeting_times", "enintään 500."),
    ("languages", "klingon", "languages", "Valitse vain annetuista vaihtoehdoista."),
    ("language", "de", "language", "Valitse yksi vaihtoehdoista."),
    ("step_free_access", "ehkä", "step_free_access", "Valitse yksi vaihtoehdoista."),
    ("accessibility_notes", "a" * 601, "accessibility_notes", "enintään 600."),
    ("paused_until", "31.2.2026", "paused_until", "Anna päivämäärä muodossa pp.kk.vvvv"),
    ("paused_until", "ensi kesään", "paused_until", "Anna päivämäärä muodossa pp.kk.vvvv"),
    ("paused_note", "t" * 301, "paused_note", "enintään 300."),
    # The public page shows the note only with the date: a note alone would be saved unseen.
    ("paused_note", "Kesätauko, jatketaan syksyllä.", "paused_until",
     "Anna päivä, jolloin toiminta jatkuu, tai tyhjennä tiedote tauosta"),
    ("needs", "999999", "needs", "Valitse vain annetuista vaihtoehdoista."),
    ("needs", "diabetes", "needs", "Valitse vain annetuista vaihtoehdoista."),
    ("activities", "999999", "activities", "Valitse vain annetuista vaihtoehdoista."),
    ("municipalities", "-1", "municipalities", "Valitse vain annetuista vaihtoehdoista."),
    ("keywords", f"vertaistuki, {LONG_KEYWORD}", "keywords", "Asiasana on liian pitkä (enintään 80 merkkiä)"),
    ("keywords", ", ".join(f"sana{i}" for i in range(21)), "keywords", "Asiasanoja on 21, enintään 20."),
    ("contact_1_email", "", "contact_1_email", "Anna vähintään yksi yhteyshenkilön sähköpostiosoite."),
    ("contact_1_email", "Bcc: kaikki@example.com", "contact_1_email", "Sähköpostiosoite ei ole kelvollinen."),
    ("contact_2_name", "Maija Meikäläinen", "contact_2_email",
     "Anna yhteyshenkilön sähköpostiosoite tai tyhjennä rivi."),
    ("contact_1_name", "n" * 121, "contact_1_name", "enintään 120."),
    ("contact_1_phone", "123", "contact_1_phone", "Puhelinnumero ei ole kelvollinen."),
    ("member_count", "-5", "member_count", "Luku ei voi olla negatiivinen."),
    ("employee_count", "viisi", "employee_count", "Kirjoita luku numeroina, esimerkiksi 25."),
    ("volunteer_count", "2.5", "volunteer_count", "Kirjoita luku numeroina, esimerkiksi 25."),
    ("volunteer_hours_per_year", "99999999999", "volunteer_hours_per_year", "Luku on liian suuri: enintään 10000000."),
    ("volunteering_supported", "joskus", "volunteering_supported", "Valitse yksi vaihtoehdoista."),
    ("sector_id", "x", "sector_id", "Valitse yksi vaihtoehdoista."),
    ("education_background", "e" * 301, "education_background", "enintään 300."),
]


@pytest.mark.parametrize(("name", "value", "field_id", "message"), INVALID, ids=[f"{c[0]}:{c[3][:30]}" for c in INVALID])
def test_invalid_input_is_explained_and_kept(client, editing, name, value, field_id, message):
    organisation, data = editing
    before = organisation_record(organisation)
    answer = client.post(edit_path(organisation.id), data=changed(data, **{name: value}))

    assert answer.status_code == 422
    page = answer.text
    error = re.search(rf'<p class="virhe" id="{field_id}-virhe">(.*?)</p>', page, re.S)
    assert error, f"no error next to {field_id}"
    assert message in html.unescape(error.group(1))
    summary = re.search(r'<div class="virheyhteenveto".*?</div>', page, re.S).group(0)
    assert message[:40] in html.unescape(summary)
    assert f'href="#{field_id}' in summary
    if name not in CHOICE_FIELDS:
        # What was typed comes back as typed (a choice that does not exist cannot be shown).
        kept = [text.replace("\r\n", "\n") for text in form_data(answer).getlist(name)]
        assert kept == [value.replace("\r\n", "\n")]
    assert organisation_record(fresh(organisation.id)) == before


def test_every_field_is_saved_normalised_and_shown_back(client, editing):
    organisation, data = editing
    parent = Organisation(name="Pohjois-Savon liitto ry", status="published")
    _db.session.add(parent)
    _db.session.commit()
    need = _db.session.scalar(select(Need).filter_by(name="Diabetes"))
    activity = _db.session.scalar(select(Activity).order_by(Activity.position))
    municipality = _db.session.scalar(select(Municipality).filter_by(name_fi="Kuopio"))
    sector = _db.session.scalar(select(Sector).order_by(Sector.position))
    page = client.get(edit_path(organisation.id))
    data = form_data(page)
    answer = client.post(edit_path(organisation.id), data=changed(
        data,
        name="  Kuopion Diabetesyhdistys ry ",
        org_type="ryhma",
        business_id="0737546-2",
        parent_id=str(parent.id),
        description="Vertaistukea\r\ndiabeetikoille.",
        description_sv="Kamratstöd för personer med diabetes.",
        description_en="",
        street_address="Kauppakatu 1",
        postal_code="70 100",
        post_office="Kuopio",
        email="Info@Diabetes.Example.fi",
        website="www.diabetes.example.fi",
        phone_1="040 1234567", phone_1_role="Puheenjohtaja",
        phone_2="", phone_2_role="",
        phone_3="+46 8 123 456 78", phone_3_role="",
        meeting_times="Tiistaisin klo 18.",
        languages=["sv", "fi"],
        language="sv",
        step_free_access="yes", accessible_toilet="no", induction_loop="unknown",
        accessibility_notes="Hissi pihan puolella.",
        paused_until=f"31.7.{NEXT_YEAR}",
        paused_note="Kesätauko.",
        needs=[str(need.id)],
        activities=[str(activity.id)],
        municipalities=[str(municipality.id)],
        nationwide="y",
        keywords="verensokeri, Verensokeri, insuliini ,, ",
        contact_2_email="Rahastonhoitaja@Example.fi", contact_2_name=" Raili Rahastonhoitaja ",
        contact_2_role="rahastonhoitaja", contact_2_phone="040 1234567",
        contact_3_email="rahastonhoitaja@example.fi",
        member_count="1 200", employee_count="0", volunteer_count="35", volunteer_hours_per_year="",
        volunteering_supported="yes",
        sector_id=str(sector.id),
        education_background="Vertaisohjaajakoulutus",
    ))
    assert answer.status_code == 303, answer.text
    record = organisation_record(fresh(organisation.id))
    assert record | {"confirmed_at": None} == {
        "name": "Kuopion Diabetesyhdistys ry",
        "org_type": "ryhma",
        "business_id": "0737546-2",
        "parent": "Pohjois-Savon liitto ry",
        "description": "Vertaistukea\ndiabeetikoille.",
        "description_sv": "Kamratstöd för personer med diabetes.",
        "description_en": "",
        "nationwide": True,
        "municipalities": ["Kuopio"],
        "street_address": "Kauppakatu 1",
        "postal_code": "70100",
        "post_office": "Kuopio",
        "phones": [{"number": "+358401234567", "role": "Puheenjohtaja"}, {"number": "+46812345678", "role": ""}],
        "email": "info@diabetes.example.fi",
        "website": "https://www.diabetes.example.fi",
        "meeting_times": "Tiistaisin klo 18.",
        "needs": ["Diabetes"],
        "activities": [activity.name],
        "keywords": ["insuliini", "verensokeri"],
        "languages": ["fi", "sv"],
        "language": "sv",
        "step_free_access": "yes",
        "accessible_toilet": "no",
        "induction_loop": "unknown",
        "accessibility_notes": "Hissi pihan puolella.",
        "status": "published",
        "paused_until": f"{NEXT_YEAR}-07-31",
        "paused_note": "Kesätauko.",
        "confirmed_at": None,
        "contacts": [
            {"email": "rahastonhoitaja@example.fi", "name": "Raili Rahastonhoitaja", "role": "rahastonhoitaja",
             "phone": "+358401234567"},
            {"email": SECRETARY, "name": "", "role": "", "phone": ""},
        ],
        "admin": {
            "member_count": 1200,
            "employee_count": 0,
            "volunteer_count": 35,
            "volunteer_hours_per_year": None,
            "volunteering_supported": "yes",
            "sector": sector.name,
            "education_background": "Vertaisohjaajakoulutus",
        },
    }
    assert fresh(organisation.id).sort_name.startswith("kuopion diabetesyhdistys")

    shown = form_data(client.get(edit_path(organisation.id)))
    # The empty second row was skipped: the numbers close up.
    assert [shown[f"phone_{i}"] for i in (1, 2, 3)] == ["040 123 4567", "+46 8 123 456 78", ""]
    assert shown["paused_until"] == f"{NEXT_YEAR}-07-31"
    assert shown["member_count"] == "1200"
    assert shown.getlist("languages") == ["fi", "sv"]
    assert shown["language"] == "sv"
    from app.search.engine import SearchQuery, search

    assert organisation.id in [card.id for card in search(SearchQuery(text="insuliini")).organisations]


def test_text_with_html_is_stored_as_text_and_shown_escaped(client, editing):
    organisation, data = editing
    script = '<script>alert("x")</script><b>lihava</b>'
    client.post(edit_path(organisation.id), data=changed(data, description=script, meeting_times=script))
    assert fresh(organisation.id).description == script
    for page in (client.get(f"/jarjestot/{organisation.id}"), client.get(edit_path(organisation.id))):
        assert "<script>alert" not in page.text and "<b>lihava" not in page.text
        assert "&lt;script&gt;alert(" in page.text


def test_control_characters_are_dropped_not_stored(client, editing):
    organisation, data = editing
    answer = client.post(edit_path(organisation.id), data=changed(
        data, description="Tiistai\x00sin", keywords="vertais\x00tuki", education_background="Sosionomi\x07",
    ))
    assert answer.status_code == 303
    stored = fresh(organisation.id)
    assert (stored.description, stored.keyword_list, stored.education_background) == (
        "Tiistaisin", ["vertaistuki"], "Sosionomi"
    )


def test_a_pause_note_saved_without_a_date_does_not_stop_another_change(client, make_organisation):
    # An HSDS import keeps a closed service's alert without a date, for staff to date it.
    organisation = own(make_organisation, paused_note="Suljettu toistaiseksi.")
    sign_in_as(client, SECRETARY)
    data = form_data(client.get(edit_path(organisation.id)))
    answer = client.post(edit_path(organisation.id), data=changed(data, meeting_times="Tiistaisin klo 18."))
    assert answer.status_code == 303, answer.text
    assert fresh(organisation.id).meeting_times == "Tiistaisin klo 18."


def test_an_organisation_cannot_belong_to_itself_or_below_itself(client, editing, make_organisation):
    organisation, data = editing
    local = make_organisation("Paikallisyhdistys ry", parent_id=organisation.id)
    page = client.get(edit_path(organisation.id))
    select_html = re.search(r'<select[^>]*id="parent_id".*?</select>', page.text, re.S).group(0)
    values = re.findall(r'<option[^>]* value="(\d*)"', select_html)
    assert values[0] == ""
    assert str(organisation.id) not in values and str(local.id) not in values
    answer = client.post(edit_path(organisation.id), data=changed(form_data(page), parent_id=str(local.id)))
    assert answer.status_code == 422
    assert fresh(organisation.id).parent_id is None


def test_unknown_need_ids_in_a_new_organisation_are_a_field_error(client, taxonomy):
    sign_in_as(client, SECRETARY)
    data = changed(form_data(client.get("/jarjestoille/omat/uusi")), name="Uusi", needs=["1", "abc", "99999"])
    answer = client.post("/jarjestoille/omat/uusi", data=data)
    assert answer.status_code == 422
    assert 'id="needs-virhe"' in answer.text
    assert _db.session.scalar(select(Organisation).filter_by(name="Uusi")) is None


def test_chosen_needs_open_their_group(client, editing):
    organisation, data = editing
    need = _db.session.scalar(select(Need).filter_by(name="Diabetes"))
    client.post(edit_path(organisation.id), data=changed(data, needs=[str(need.id)]))
    page = client.get(edit_path(organisation.id)).text
    groups = re.findall(r'<details class="tarveryhma"( open)?>\s*<summary>([^<]*)</summary>', page)
    assert [name for is_open, name in groups if is_open] == [f"{need.group} (1 valittu)"]
    assert len(groups) == len({n.group for n in _db.session.scalars(select(Need))})
