"""The taxonomy and the organisations' descriptions in Swedish and English: search, pages, API, editor, data."""
import json
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select
from tests.admin_support import make_staff, sign_in_staff

from app.admin.taxonomy_data import seed_taxonomy
from app.directory.importer import export_organisations, import_organisations
from app.models import Activity, Municipality, Need, Sector
from app.models.workshop import WorkshopTheme
from app.search.engine import SearchQuery, search
from app.workshops.themes import seed_workshop_themes


def found(text: str) -> list[str]:
    """Every organisation the search finds for `text` (a finished query), best first."""
    result = search(SearchQuery(text=text + " ", page_size=1000))
    assert result.total == len(result.organisations)
    return [card.name for card in result.organisations]


# A Swedish or English query and its Finnish counterpart find the same organisations.
SAME_AS_FINNISH = [
    ("stöd för närstående", "omaishoitaja"),
    ("diabetes i Kuopio", "diabetes kuopio"),
    ("memory", "muisti"),
    ("minne", "muisti"),
    ("dementia", "muisti"),
    ("demens", "muisti"),
    ("loneliness", "yksinäisyys"),
    ("ensamhet", "yksinäisyys"),
    ("depression", "masennus"),
    ("diabetes support", "diabetes"),
    ("stöd för diabetiker", "diabetes"),
    ("diabetes in Kuopio", "diabetes Kuopiossa"),
    ("i Idensalmi", "Iisalmessa"),
    ("memory problems", "muisti"),
    ("glömska", "muisti"),
]


@pytest.mark.parametrize(("foreign", "finnish"), SAME_AS_FINNISH)
def test_swedish_and_english_find_what_finnish_finds(demo, foreign, finnish):
    expected = found(finnish)
    assert expected, f"the demo data has nothing for {finnish!r}"
    assert sorted(found(foreign)) == sorted(expected)


# The Finnish word also matches organisations that only share a compound part with it
# ("vertais|tuki" → "Asunnottomien tuki", "muisti|sairaus" → "Harvinaisten sairauksien
# verkosto"); the translation finds those the Finnish word finds through its need or activity.
THROUGH_THE_TERM = [
    ("kamratstöd", "vertaistuki", Activity, "Vertaistuki"),
    ("peer support", "vertaistuki", Activity, "Vertaistuki"),
    ("Kamratstödet", "vertaistuki", Activity, "Vertaistuki"),
    ("minnessjukdom", "muistisairaus", Need, "Muistisairaus"),
    ("memory disorders", "muistisairaus", Need, "Muistisairaus"),
    ("Alzheimer's", "muistisairaus", Need, "Muistisairaus"),
    ("people with dementia", "muistisairaus", Need, "Muistisairaus"),
    ("rehabilitation", "kuntoutus", Activity, "Kuntoutus"),
]


@pytest.mark.parametrize(("foreign", "finnish", "model", "name"), THROUGH_THE_TERM)
def test_translations_find_what_finnish_finds_through_the_term(demo, db, foreign, finnish, model, name):
    term_id = db.session.scalar(select(model.id).filter_by(name=name))
    filters = {"need_ids": [term_id]} if model is Need else {"activity_ids": [term_id]}
    linked = [card.name for card in search(SearchQuery(page_size=1000, **filters)).organisations]
    assert len(linked) >= 5
    assert sorted(found(foreign)) == sorted(linked)
    assert set(linked) <= set(found(finnish))


@pytest.mark.parametrize("text", ["Kuopio", "Kuopion", "Kuopiossa", "i Kuopio", "in Kuopio", "Kuopio för"])
def test_a_municipality_in_any_language_and_form_is_the_filter(demo, db, text):
    kuopio = db.session.scalar(select(Municipality).filter_by(name_fi="Kuopio"))
    result = search(SearchQuery(text=text))
    assert [m.id for m in result.detected_municipalities] == [kuopio.id]
    assert result.text_terms_used == []


def test_the_swedish_name_of_a_municipality_is_the_filter_and_its_chip(app, demo, db):
    iisalmi = db.session.scalar(select(Municipality).filter_by(name_fi="Iisalmi"))
    result = search(SearchQuery(text="Idensalmi"))
    assert [m.id for m in result.detected_municipalities] == [iisalmi.id]
    body = render("/haku?q=diabetes+i+Idensalmi", "search.search", "sv")
    assert "Idensalmi" in body and "q=diabetes+i" in body.replace("&amp;", "&")


def test_small_words_alone_narrow_nothing_but_a_general_word_alone_still_searches(demo, make_organisation):
    assert found("och") == found("") and found("for the") == found("")
    make_organisation("Support Café Kuopio", description="Open support for everyone.")
    assert found("support") == ["Support Café Kuopio"]


def test_words_of_the_swedish_and_english_descriptions_are_found(make_organisation):
    make_organisation(
        "Kuopion Tanssiseura ry", description="Tanssia kaikenikäisille.",
        description_sv="Vi dansar folkdans varje torsdag.", description_en="We meet for folk dancing every Thursday.",
    )
    make_organisation("Toinen seura ry")
    assert found("folkdans") == ["Kuopion Tanssiseura ry"]
    assert found("dancing thursday") == ["Kuopion Tanssiseura ry"]


def test_a_new_swedish_synonym_is_found_at_once(demo, db):
    before = found("minnesförlust")
    memory = db.session.scalar(select(Need).filter_by(name="Muistisairaus"))
    memory.synonyms_sv += ";minnesförlust"
    db.session.commit()
    assert before == [] and sorted(found("minnesförlusten")) == sorted(found("muisti"))


# --- what visitors see ------------------------------------------------------------------------------


def render(path: str, endpoint: str, language: str, **values) -> str:
    """A page rendered in `language` (the URL's language prefix is another feature's)."""
    from flask import current_app

    with current_app.test_request_context(path), force_locale(language):
        response = current_app.make_response(current_app.view_functions[endpoint](**values))
        return response.get_data(as_text=True)


@pytest.mark.parametrize(("language", "shown", "absent"), [
    ("sv", ["Kamratstöd", "Minnessjukdom", "Minne och neurologi", "Idensalmi"], ["Muistisairaus</option>"]),
    ("en", ["Peer support", "Memory disorders", "Memory and neurology", "Iisalmi"], ["Muistisairaus</option>"]),
    ("fi", ["Vertaistuki", "Muistisairaus", "Muisti ja neurologia", "Iisalmi"], ["Kamratstöd"]),
])
def test_filters_cards_and_chips_name_the_taxonomy_in_the_visitors_language(demo, db, language, shown, absent):
    memory = db.session.scalar(select(Need).filter_by(name="Muistisairaus"))
    peer = db.session.scalar(select(Activity).filter_by(name="Vertaistuki"))
    body = render(f"/haku?tarve={memory.id}&toiminta={peer.id}", "search.search", language)
    for text in shown:
        assert text in body
    for text in absent:
        assert text not in body
    chip = {"sv": "Kamratstöd", "en": "Peer support", "fi": "Vertaistuki"}[language]
    assert f"{chip}<span class=\"chip-x\"" in body
    card_activities = {"sv": "<dd>Kamratstöd", "en": "<dd>Peer support", "fi": "<dd>Vertaistuki"}[language]
    assert card_activities in body


def test_the_organisation_page_shows_the_visitors_language_or_finnish_marked_as_finnish(make_organisation):
    both = make_organisation(
        "Muistiyhdistys ry", needs=["Muistisairaus"], activities=["Vertaistuki"], municipalities=["Iisalmi"],
        description="Vertaistukea muistisairaille.", description_sv="Kamratstöd för personer med minnessjukdom.",
    )
    swedish = render(f"/jarjestot/{both.id}", "directory.organisation", "sv", organisation_id=both.id)
    assert '<p class="kuvaus">Kamratstöd för personer med minnessjukdom.</p>' in swedish
    assert "Minnessjukdom" in swedish and "Kamratstöd</dd>" in swedish and "Idensalmi" in swedish
    english = render(f"/jarjestot/{both.id}", "directory.organisation", "en", organisation_id=both.id)
    assert '<p class="kuvaus" lang="fi">Vertaistukea muistisairaille.</p>' in english
    assert "Memory disorders" in english and "Peer support" in english
    finnish = render(f"/jarjestot/{both.id}", "directory.organisation", "fi", organisation_id=both.id)
    assert '<p class="kuvaus">Vertaistukea muistisairaille.</p>' in finnish


def test_search_cards_show_the_description_in_the_visitors_language(make_organisation):
    make_organisation("Muistiyhdistys ry", description="Suomeksi.", description_en="In English.")
    english = render("/haku?q=muistiyhdistys", "search.search", "en")
    assert "<p>In English.</p>" in english
    swedish = render("/haku?q=muistiyhdistys", "search.search", "sv")
    assert '<p lang="fi">Suomeksi.</p>' in swedish


def test_workshop_themes_and_the_a_to_z_list_in_english(app, db, taxonomy, make_organisation):
    seed_workshop_themes(Path(app.root_path) / "data" / "workshop_themes.csv")
    db.session.commit()
    make_organisation("Iisalmen seura ry", municipalities=["Iisalmi"])
    themes = render("/tyopajat", "workshops.index", "en")
    assert "Service design" in themes and "One experiment we can start straight away" in themes
    a_to_z = render("/jarjestot", "directory.organisations", "sv")
    # The organisation's area and the municipality filter's option.
    assert a_to_z.count("Idensalmi") == 2 and not re.search(r"\bIisalmi\b", a_to_z)


def test_the_label_helper_falls_back_to_finnish(db, taxonomy):
    memory = db.session.scalar(select(Need).filter_by(name="Muistisairaus"))
    kuopio = db.session.scalar(select(Municipality).filter_by(name_fi="Kuopio"))
    sector = db.session.scalar(select(Sector).order_by(Sector.position))
    with force_locale("sv"):
        assert (memory.label, kuopio.label, sector.label) == ("Minnessjukdom", "Kuopio", "Social- och hälsovård")
        memory.name_sv = ""
        assert memory.label == "Muistisairaus" and memory.local_text("name").fallback
    with force_locale("en"):
        assert memory.translated("group") == "Memory and neurology"
    assert memory.label == "Muistisairaus"


# --- data: seed, import and export, the editor -------------------------------------------------------


def test_seeding_an_existing_database_fills_the_translations(app, db):
    data = Path(app.root_path) / "data"
    db.session.add_all([Need(name="Diabetes", group="Pitkäaikaissairaudet"), Activity(name="Vertaistuki")])
    db.session.add(WorkshopTheme(name="Viestintä", description="Oma kuvaus.", name_en="Our own name"))
    db.session.commit()
    seed_taxonomy(data)
    seed_workshop_themes(data / "workshop_themes.csv")
    db.session.commit()
    diabetes = db.session.scalar(select(Need).filter_by(name="Diabetes"))
    assert (diabetes.name_sv, diabetes.group_en) == ("Diabetes", "Long-term illnesses")
    assert "diabetiker" in diabetes.synonyms_sv.split(";")
    assert db.session.scalar(select(Activity).filter_by(name="Vertaistuki")).name_en == "Peer support"
    theme = db.session.scalar(select(WorkshopTheme).filter_by(name="Viestintä"))
    # A theme is the staff's: its own texts stay, its empty translations are filled.
    assert (theme.description, theme.name_en, theme.name_sv) == ("Oma kuvaus.", "Our own name", "Kommunikation")


def test_every_taxonomy_term_is_translated(db, taxonomy):
    for model, columns in ((Need, ("name", "group")), (Activity, ("name", "description")), (Sector, ("name",))):
        for term in db.session.scalars(select(model)):
            for column in columns:
                assert getattr(term, f"{column}_sv") and getattr(term, f"{column}_en"), (term, column)


def test_import_and_export_keep_the_translated_descriptions(db, taxonomy):
    line = {"name": "Dansföreningen ry", "description": "Tanssia.", "description_sv": "Dans.",
            "description_en": "Dancing.", "status": "published"}
    assert import_organisations([json.dumps(line, ensure_ascii=False)]) == 1
    db.session.commit()
    exported = [json.loads(row) for row in export_organisations()]
    assert {key: exported[0][key] for key in line} == line
    assert found("dans") == ["Dansföreningen ry"]
    too_long = {"name": "Toinen ry", "description_en": "x" * 601}
    with pytest.raises(Exception, match="description_en"):
        import_organisations([json.dumps(too_long)])


def test_the_api_gives_the_descriptions_and_the_taxonomy_in_every_language(client, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry", description="Suomeksi.", description_sv="På svenska.")
    detail = client.get(f"/api/v1/organisations/{organisation.id}").get_json()
    assert (detail["description"], detail["description_sv"], detail["description_en"]) == (
        "Suomeksi.", "På svenska.", "")


@pytest.fixture
def staff_client(client):
    make_staff()
    sign_in_staff(client)
    return client


def test_the_editor_edits_the_translations(staff_client, db, taxonomy):
    memory = db.session.scalar(select(Need).filter_by(name="Muistisairaus"))
    page = staff_client.get(f"/yllapito/luokitukset/tarpeet/{memory.id}").get_data(as_text=True)
    assert 'name="name_sv"' in page and "Minnessjukdom" in page and "memory loss\nmemory problems" in page
    response = staff_client.post(f"/yllapito/luokitukset/tarpeet/{memory.id}", data={
        "name": "Muistisairaus", "group": "Muisti ja neurologia", "synonyms": "muisti",
        "name_sv": "Minnessjukdomar", "group_sv": "Minne", "synonyms_sv": "glömsk\ndemens",
        "name_en": "Dementia", "group_en": "Memory", "synonyms_en": "memory",
    })
    assert response.status_code == 303
    db.session.expire_all()
    memory = db.session.get(Need, memory.id)
    assert (memory.name_sv, memory.synonyms_sv, memory.name_en) == ("Minnessjukdomar", "glömsk;demens", "Dementia")
    activity = db.session.scalar(select(Activity).filter_by(name="Vertaistuki"))
    bad = staff_client.post(f"/yllapito/luokitukset/toimintamuodot/{activity.id}", data={
        "name": "Vertaistuki", "position": "1", "name_sv": "K" * 121, "name_en": "Peer support",
    })
    assert bad.status_code == 422 and "enintään 120" in bad.get_data(as_text=True)
    theme_page = staff_client.get("/yllapito/luokitukset/tyopajateemat/uusi").get_data(as_text=True)
    assert 'name="typical_goals_en"' in theme_page



@pytest.mark.parametrize(("typed", "finished"), [("kamrat", "kamratstöd"), ("memo", "memory"), ("ensamh", "ensamhet")])
def test_a_swedish_or_english_word_being_typed_finds_what_it_can_become(demo, typed, finished):
    being_typed = [card.name for card in search(SearchQuery(text=typed, page_size=1000)).organisations]
    assert sorted(being_typed) == sorted(found(finished))


def test_the_public_figures_name_the_taxonomy_in_the_visitors_language(demo):
    english = render("/tilastot", "directory.statistics", "en")
    assert "Peer support" in english and "Memory and neurology" in english and "Vertaistuki" not in english
    swedish = render("/tilastot", "directory.statistics", "sv")
    assert "Idensalmi" in swedish and "Kamratstöd" in swedish and "Minne och neurologi" in swedish


def test_a_general_word_being_typed_does_not_narrow_either(demo):
    typed = [card.name for card in search(SearchQuery(text="diabetes stöd", page_size=1000)).organisations]
    assert sorted(typed) == sorted(found("diabetes"))
