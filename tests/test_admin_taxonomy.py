"""Staff taxonomy editing: create and edit with Finnish validation, delete only when unused,
merge (links moved without duplicates, revisions, audit), and search seeing every change at once."""
from datetime import datetime

import pytest
from sqlalchemy import func, select
from tests.admin_support import STAFF_EMAIL, make_staff, sign_in_staff

from app.admin.taxonomy_edits import KINDS, MergeIntoItself, TermInUse, delete_term, merge_terms
from app.models import (
    Activity,
    AuditEvent,
    Municipality,
    Need,
    Organisation,
    Revision,
    Sector,
    organisation_need,
)
from app.models.workshop import WorkshopOrder, WorkshopTheme
from app.search.engine import SearchQuery, search


@pytest.fixture
def staff_client(app, client):
    """A browser signed in as staff through the real link flow."""
    make_staff()
    sign_in_staff(client)
    return client


def need(db, name: str) -> Need | None:
    return db.session.scalar(select(Need).filter_by(name=name))


def found(text: str = "", **filters) -> list[str]:
    return [organisation.name for organisation in search(SearchQuery(text=text, **filters)).organisations]


def audit_events(db, change: str) -> list[AuditEvent]:
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "taxonomy").order_by(AuditEvent.id))
    return [event for event in events if event.detail.get("change") == change]


# --- pages and validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", list(KINDS))
def test_every_kind_lists_its_terms_and_offers_a_new_one(staff_client, taxonomy, slug):
    response = staff_client.get(f"/yllapito/luokitukset/{slug}")
    assert response.status_code == 200
    assert f'href="/yllapito/luokitukset/{slug}/uusi"' in response.get_data(as_text=True)
    assert staff_client.get(f"/yllapito/luokitukset/{slug}/uusi").status_code == 200


@pytest.mark.parametrize(("language", "name", "group"), [
    ("en", "Epilepsy", "Memory and neurology"),
    ("sv", "Epilepsi", "Minne och neurologi"),
])
def test_the_editor_names_terms_in_the_page_s_language_and_records_keep_the_finnish_name(
        staff_client, db, taxonomy, language, name, group):
    """As on every other page; the audit and revisions keep the Finnish name, the import/export key."""
    epilepsy = need(db, "Epilepsia")
    page = staff_client.get(f"/{language}/yllapito/luokitukset/tarpeet").text
    assert f"<td>{group}</td>" in page and "<td>Muisti ja neurologia</td>" not in page
    assert f'/tarpeet/{epilepsy.id}">{name}</a>' in page
    assert f"<h1>{name}</h1>" in staff_client.get(f"/{language}/yllapito/luokitukset/tarpeet/{epilepsy.id}").text
    staff_client.post(f"/{language}/yllapito/luokitukset/tarpeet/{epilepsy.id}/poista")
    assert audit_events(db, "delete")[0].detail["name"] == "Epilepsia"


def test_overview_and_unknown_kind(staff_client, taxonomy):
    body = staff_client.get("/yllapito/luokitukset").get_data(as_text=True)
    assert "Tarpeet</a> (117)" in body and "Kunnat</a> (19)" in body
    assert staff_client.get("/yllapito/luokitukset/salaiset").status_code == 404
    assert staff_client.get("/yllapito/luokitukset/tarpeet/999999").status_code == 404


def test_a_new_need_is_saved_with_clean_synonyms_and_audited(staff_client, db, taxonomy):
    response = staff_client.post("/yllapito/luokitukset/tarpeet/uusi", data={
        "name": "  Long covid ", "group": "Pitkäaikaissairaudet",
        "synonyms": "pitkittynyt korona\nkoronan jälkitauti; Pitkittynyt korona\n\n",
    })
    assert response.status_code == 303
    created = need(db, "Long covid")
    assert created.group == "Pitkäaikaissairaudet"
    assert created.synonyms == "pitkittynyt korona;koronan jälkitauti"
    [event] = audit_events(db, "create")
    assert (event.actor, event.object_type, event.object_id) == (STAFF_EMAIL, "tarpeet", created.id)


@pytest.mark.parametrize("slug, data, field, message", [
    ("tarpeet", {"name": "", "group": "Muut"}, "name", "Tämä tieto on pakollinen."),
    ("tarpeet", {"name": "diabetes", "group": "Muut"}, "name", "Tämä on jo käytössä toisella luokalla."),
    ("tarpeet", {"name": "x" * 121, "group": "Muut"}, "name", "Teksti on liian pitkä: 121 merkkiä, enintään 120."),
    ("tarpeet", {"name": "Uusi tarve", "group": ""}, "group", "Tämä tieto on pakollinen."),
    ("toimintamuodot", {"name": "VERTAISTUKI", "position": "1"}, "name", "Tämä on jo käytössä toisella luokalla."),
    ("toimintamuodot", {"name": "Retkeily", "position": "kolme"}, "position", "Anna järjestysnumero 0–9999."),
    ("kunnat", {"code": "29", "name_fi": "Uusikunta"}, "code", "Kuntanumerossa on kolme numeroa."),
    ("kunnat", {"code": "297", "name_fi": "Uusikunta"}, "code", "Tämä on jo käytössä toisella luokalla."),
    ("kunnat", {"code": "999", "name_fi": "siilinjärvi"}, "name_fi", "Tämä on jo käytössä toisella luokalla."),
    ("toimialat", {"name": "ikääntyneet", "position": "3"}, "name", "Tämä on jo käytössä toisella luokalla."),
    ("tyopajateemat", {"name": "", "position": "1"}, "name", "Tämä tieto on pakollinen."),
])
def test_invalid_input_is_kept_and_explained_next_to_the_field(staff_client, db, taxonomy, slug, data, field, message):
    response = staff_client.post(f"/yllapito/luokitukset/{slug}/uusi", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="virhe" id="{field}-virhe">' in body
    assert message in body
    assert 'class="virheyhteenveto"' in body and f'href="#{field}"' in body
    for value in data.values():
        if value:
            assert f'value="{value}"' in body or f">{value}<" in body


def test_editing_keeps_the_own_name_unique_check_out_of_the_way(staff_client, db, taxonomy):
    diabetes = need(db, "Diabetes")
    response = staff_client.post(f"/yllapito/luokitukset/tarpeet/{diabetes.id}", data={
        "name": "Diabetes", "group": "Pitkäaikaissairaudet", "synonyms": "sokeritauti\ndiabeetikko\nsokeri",
    })
    assert response.status_code == 303
    db.session.expire_all()
    assert need(db, "Diabetes").synonym_list == ["sokeritauti", "diabeetikko", "sokeri"]
    page = staff_client.get(f"/yllapito/luokitukset/tarpeet/{diabetes.id}").get_data(as_text=True)
    assert "sokeritauti\ndiabeetikko\nsokeri" in page
    bad = staff_client.post(f"/yllapito/luokitukset/tarpeet/{diabetes.id}", data={"name": "Reuma", "group": "X"})
    assert bad.status_code == 422 and "Tämä on jo käytössä toisella luokalla." in bad.get_data(as_text=True)


def test_municipality_and_workshop_theme_are_editable(staff_client, db, taxonomy):
    kuopio = db.session.scalar(select(Municipality).filter_by(code="297"))
    response = staff_client.post(f"/yllapito/luokitukset/kunnat/{kuopio.id}",
                                 data={"code": "297", "name_fi": "Kuopio", "name_sv": ""})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Municipality, kuopio.id).name_sv is None
    response = staff_client.post("/yllapito/luokitukset/tyopajateemat/uusi", data={
        "name": "Viestintä", "description": "Somessa ja lehdessä.", "typical_goals": "Selkeä viesti\nUusia jäseniä",
        "position": "2", "active": "y",
    })
    assert response.status_code == 303
    theme = db.session.scalar(select(WorkshopTheme))
    assert (theme.goal_list, theme.position, theme.active) == (["Selkeä viesti", "Uusia jäseniä"], 2, True)


# --- delete ---------------------------------------------------------------------------------------------------


def test_an_unused_term_is_deleted(staff_client, db, taxonomy):
    epilepsy = need(db, "Epilepsia")
    response = staff_client.post(f"/yllapito/luokitukset/tarpeet/{epilepsy.id}/poista")
    assert response.status_code == 303
    db.session.expire_all()
    assert need(db, "Epilepsia") is None
    assert audit_events(db, "delete")[0].detail["name"] == "Epilepsia"


def test_a_term_in_use_is_not_deleted_and_the_page_offers_merging(staff_client, db, make_organisation):
    make_organisation("Kuopion Diabetesyhdistys ry", needs=["Diabetes"])
    make_organisation("Odottava diabetesyhdistys ry", needs=["Diabetes"], status="pending")
    diabetes = need(db, "Diabetes")
    page = staff_client.get(f"/yllapito/luokitukset/tarpeet/{diabetes.id}").get_data(as_text=True)
    assert "Käytössä: 2 järjestöä." in page and "/poista" not in page
    response = staff_client.post(f"/yllapito/luokitukset/tarpeet/{diabetes.id}/poista")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Luokkaa ”Diabetes” ei voi poistaa, koska sitä käyttää 2 järjestöä." in body
    assert 'href="#yhdista"' in body and f'action="/yllapito/luokitukset/tarpeet/{diabetes.id}/yhdista"' in body
    db.session.expire_all()
    assert need(db, "Diabetes") is not None
    with pytest.raises(TermInUse) as refused:
        delete_term(KINDS["tarpeet"], need(db, "Diabetes"))
    assert refused.value.count == 2


def test_a_theme_used_by_orders_is_not_deleted(staff_client, db, app):
    theme = WorkshopTheme(name="Viestintä")
    db.session.add(theme)
    db.session.add(workshop_order(1, theme))
    db.session.commit()
    response = staff_client.post(f"/yllapito/luokitukset/tyopajateemat/{theme.id}/poista")
    assert response.status_code == 409
    assert "käyttää 1 työpajatilaus" in response.get_data(as_text=True)


# --- merge -------------------------------------------------------------------------------------------------------


@pytest.fixture
def memory_and_dementia(make_organisation, db):
    """A duplicate need "Dementia" that staff want to merge into "Muistisairaus"."""
    db.session.add(Need(name="Dementoituminen", group="Muisti ja neurologia", synonyms="muistinmenetys"))
    db.session.commit()
    kuopio = make_organisation("Kuopion Muistiyhdistys ry", needs=["Dementoituminen"], municipalities=["Kuopio"])
    both = make_organisation("Iisalmen Muistiyhdistys ry", needs=["Dementoituminen", "Muistisairaus"],
                             municipalities=["Iisalmi"])
    return kuopio, both


def test_merge_moves_organisations_without_duplicates_and_records_revisions(staff_client, db, memory_and_dementia):
    kuopio, both = memory_and_dementia
    versions = (kuopio.version, both.version)
    source, target = need(db, "Dementoituminen"), need(db, "Muistisairaus")
    question = staff_client.post(f"/yllapito/luokitukset/tarpeet/{source.id}/yhdista", data={"target": str(target.id)})
    # A merge cannot be undone: the first press only asks, and says what would happen.
    assert question.status_code == 200
    assert "Yhdistetäänkö ”Dementoituminen” luokkaan ”Muistisairaus”?" in question.text
    assert "2 järjestöä" in question.text and "Yhdistämistä ei voi perua." in question.text
    db.session.expire_all()
    assert need(db, "Dementoituminen") is not None
    response = staff_client.post(f"/yllapito/luokitukset/tarpeet/{source.id}/yhdista",
                                 data={"target": str(target.id), "confirmed": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/yllapito/luokitukset/tarpeet/{target.id}")
    db.session.expire_all()
    assert need(db, "Dementoituminen") is None
    links = db.session.execute(select(organisation_need.c.organisation_id, func.count()).group_by(
        organisation_need.c.organisation_id)).all()
    assert dict(links) == {kuopio.id: 1, both.id: 1}
    for organisation, version in zip((kuopio, both), versions):
        organisation = db.session.get(Organisation, organisation.id)
        assert [n.name for n in organisation.needs] == ["Muistisairaus"]
        assert organisation.version == version + 1
        revision = db.session.scalar(select(Revision).filter_by(organisation_id=organisation.id))
        assert (revision.author, revision.summary) == (STAFF_EMAIL, "Luokitus yhdistetty: Dementoituminen → Muistisairaus")
        assert revision.snapshot["needs"] == ["Muistisairaus"]
    target = need(db, "Muistisairaus")
    assert "Dementoituminen" in target.synonym_list and "muistinmenetys" in target.synonym_list
    [event] = audit_events(db, "merge")
    assert event.detail["source"] == "Dementoituminen" and event.detail["moved"] == 2


def test_search_finds_the_merged_organisations_by_the_target_and_the_old_word(staff_client, db, memory_and_dementia):
    source, target = need(db, "Dementoituminen"), need(db, "Muistisairaus")
    staff_client.post(f"/yllapito/luokitukset/tarpeet/{source.id}/yhdista", data={"target": str(target.id), "confirmed": "1"})
    db.session.expire_all()
    expected = ["Iisalmen Muistiyhdistys ry", "Kuopion Muistiyhdistys ry"]
    assert sorted(found(need_ids=[target.id])) == expected
    assert sorted(found("muistinmenetys")) == expected


@pytest.mark.parametrize("target", ["self", "", "999999", "abc"])
def test_merge_needs_another_existing_term(staff_client, db, memory_and_dementia, target):
    source = need(db, "Dementoituminen")
    value = str(source.id) if target == "self" else target
    response = staff_client.post(f"/yllapito/luokitukset/tarpeet/{source.id}/yhdista", data={"target": value})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="virhe" id="target-virhe">' in body
    if target == "self":
        assert "Luokkaa ei voi yhdistää itseensä." in body
    db.session.expire_all()
    assert need(db, "Dementoituminen") is not None
    with pytest.raises(MergeIntoItself):
        merge_terms(KINDS["tarpeet"], source, source, STAFF_EMAIL)


def test_merging_activities_sectors_municipalities_and_themes(staff_client, db, make_organisation):
    organisation = make_organisation("Kuopion Liikkujat ry", activities=["Liikunta", "Harrastetoiminta"],
                                     municipalities=["Tervo"], sector=db.session.scalar(select(Sector).filter_by(name="Muu")))
    ids = {model: {row.name if hasattr(row, "name") else row.name_fi: row.id for row in db.session.scalars(select(model))}
           for model in (Activity, Sector, Municipality)}
    merges = [
        ("toimintamuodot", ids[Activity]["Harrastetoiminta"], ids[Activity]["Liikunta"]),
        ("toimialat", ids[Sector]["Muu"], ids[Sector]["Liikunta ja urheilu"]),
        ("kunnat", ids[Municipality]["Tervo"], ids[Municipality]["Kuopio"]),
    ]
    for slug, source_id, target_id in merges:
        response = staff_client.post(f"/yllapito/luokitukset/{slug}/{source_id}/yhdista",
                                     data={"target": str(target_id), "confirmed": "1"})
        assert response.status_code == 303, slug
    db.session.expire_all()
    organisation = db.session.get(Organisation, organisation.id)
    assert [a.name for a in organisation.activities] == ["Liikunta"]
    assert organisation.sector.name == "Liikunta ja urheilu"
    assert [m.name_fi for m in organisation.municipalities] == ["Kuopio"]
    assert db.session.scalar(select(func.count()).select_from(Revision).filter_by(organisation_id=organisation.id)) == 3
    assert found(municipality_ids=[ids[Municipality]["Kuopio"]]) == ["Kuopion Liikkujat ry"]

    first, second = WorkshopTheme(name="Viestintä"), WorkshopTheme(name="Somessa näkyminen")
    db.session.add_all([first, second])
    db.session.add(workshop_order(1, second))
    db.session.commit()
    response = staff_client.post(f"/yllapito/luokitukset/tyopajateemat/{second.id}/yhdista",
                                 data={"target": str(first.id), "confirmed": "1"})
    assert response.status_code == 303
    assert "Siirrettiin 1 työpajatilaus." in staff_client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(WorkshopOrder)).theme.name == "Viestintä"


# --- search sees renames and synonyms at once -------------------------------------------------------------------


def test_renamed_need_and_new_synonym_are_searchable_without_reindexing(db, make_organisation):
    make_organisation("Kuopion Sokeriyhdistys ry", needs=["Diabetes"], description="Kokoontuu torstaisin.")
    assert found("kakkostyypin") == []
    diabetes = need(db, "Diabetes")
    diabetes.name = "Kakkostyypin diabetes"
    db.session.commit()
    assert found("kakkostyypin diabetes") == ["Kuopion Sokeriyhdistys ry"]
    diabetes.synonyms += ";verensokeri"
    db.session.commit()
    assert found("verensokeri") == ["Kuopion Sokeriyhdistys ry"]


def test_rename_and_synonyms_through_the_staff_page_are_searchable(staff_client, db, make_organisation):
    make_organisation("Kuopion Reumaatikot ry", needs=["Reuma"], description="Kokoontuu torstaisin.")
    reuma = need(db, "Reuma")
    response = staff_client.post(f"/yllapito/luokitukset/tarpeet/{reuma.id}", data={
        "name": "Nivelreuma", "group": reuma.group, "synonyms": "niveltulehdus",
    })
    assert response.status_code == 303
    db.session.expire_all()
    assert found("nivelreuma") == ["Kuopion Reumaatikot ry"]
    assert found("niveltulehdus") == ["Kuopion Reumaatikot ry"]
    [event] = audit_events(db, "edit")
    assert (event.detail["previous_name"], event.detail["name"]) == ("Reuma", "Nivelreuma")


def workshop_order(number: int, theme: WorkshopTheme) -> WorkshopOrder:
    return WorkshopOrder(
        reference=f"TP-2026-{number:04d}", reference_year=2026, reference_number=number, organisation_name="Tilaaja ry",
        contact_person="Maija", email="maija@example.fi", phone="+358401234567", participants=8, theme=theme,
        goal="Tavoite", place_kind="remote", consent_at=datetime(2026, 1, 1), status_token_hash=f"{number:064d}",
    )
