"""Filters that matter: several needs, activities and municipalities, languages and
accessibility, on the search page and in the API, and the words that mean a filter."""
import re

import pytest
from tests.test_pages import chip_links, id_of
from tests.test_pages import names_in_results as ordered_names_in_results
from werkzeug.datastructures import MultiDict

from app.models import Activity, Municipality, Need
from app.search.engine import SearchQuery, search
from app.search.page import text_without_word_filter
from app.search.query import word_filter, words_as_filters

HTMX = {"HX-Request": "true"}

ORGANISATIONS = [
    # name, needs, activities, municipalities, extra fields
    ("Kuuloyhdistys Kaiku ry", ["Kuulovamma"], ["Vertaistuki"], ["Kuopio"],
     {"languages": ["fi", "viittomakieli"], "induction_loop": "yes", "step_free_access": "yes"}),
    ("Svenska klubben i Kuopio rf", ["Yksinäisyys"], ["Vertaistuki"], ["Kuopio"],
     {"languages": ["fi", "sv"], "step_free_access": "yes", "accessible_toilet": "yes"}),
    ("Selkokerho Iisalmi", ["Muistisairaus"], ["Harrastetoiminta"], ["Iisalmi"],
     {"languages": ["fi", "selkokieli"], "step_free_access": "no"}),
    ("Liikuntaseura Varkaus", ["Liikuntavamma"], ["Liikunta"], ["Varkaus"],
     {"languages": ["fi", "en"], "step_free_access": "unknown",
      "description": "Esteetön liikunta pyörätuolilla liikkuville."}),
    ("Valtakunnallinen vertaisliitto", ["Yksinäisyys"], ["Vertaistuki"], [],
     {"nationwide": True, "languages": ["fi", "sv", "en"], "induction_loop": "yes"}),
]


@pytest.fixture
def organisations(make_organisation) -> dict[str, int]:
    return {
        name: make_organisation(name, needs=needs, activities=activities, municipalities=municipalities, **fields).id
        for name, needs, activities, municipalities, fields in ORGANISATIONS
    }


def names(query: SearchQuery) -> set[str]:
    return {card.name for card in search(query).organisations}


def names_in_results(body: str) -> set[str]:
    return set(ordered_names_in_results(body))


# --- words that mean a filter ----------------------------------------------------------

@pytest.mark.parametrize(
    "text, languages, accessible, expected",
    [
        ("induktiosilmukka", [], ["induction_loop"], {"Kuuloyhdistys Kaiku ry", "Valtakunnallinen vertaisliitto"}),
        ("esteetön", [], ["step_free_access"], {"Kuuloyhdistys Kaiku ry", "Svenska klubben i Kuopio rf"}),
        ("esteettömät", [], ["step_free_access"], {"Kuuloyhdistys Kaiku ry", "Svenska klubben i Kuopio rf"}),
        # The description says "pyörätuolilla", but only a recorded step-free access counts.
        ("pyörätuoli", [], ["step_free_access"], {"Kuuloyhdistys Kaiku ry", "Svenska klubben i Kuopio rf"}),
        ("viittomakieli", ["viittomakieli"], [], {"Kuuloyhdistys Kaiku ry"}),
        ("viittomakielellä", ["viittomakieli"], [], {"Kuuloyhdistys Kaiku ry"}),
        ("ruotsiksi", ["sv"], [], {"Svenska klubben i Kuopio rf", "Valtakunnallinen vertaisliitto"}),
        ("englanniksi", ["en"], [], {"Liikuntaseura Varkaus", "Valtakunnallinen vertaisliitto"}),
        ("selkokielellä", ["selkokieli"], [], {"Selkokerho Iisalmi"}),
        ("vertaistuki ruotsiksi", ["sv"], [], {"Svenska klubben i Kuopio rf", "Valtakunnallinen vertaisliitto"}),
        ("ruotsiksi induktiosilmukka", ["sv"], ["induction_loop"], {"Valtakunnallinen vertaisliitto"}),
    ],
)
def test_words_that_ask_for_a_language_or_accessibility_become_filters(organisations, text, languages, accessible,
                                                                        expected):
    result = search(SearchQuery(text=text))
    assert result.detected_languages == languages
    assert result.detected_accessible == accessible
    assert {card.name for card in result.organisations} == expected


def test_a_filter_word_is_not_searched_as_text(organisations):
    # "esteetön" is in the description of the one organisation that has not recorded a step-free access.
    assert "Liikuntaseura Varkaus" not in names(SearchQuery(text="esteetön"))
    assert search(SearchQuery(text="esteetön liikunta")).text_terms_used[:1] == ["liikunta"]


def test_a_finished_word_before_a_filter_word_is_not_a_prefix(organisations):
    # "kuuloyh" is finished (a filter word follows it), so it must match whole, and it is no word.
    assert names(SearchQuery(text="kuuloyh")) == {"Kuuloyhdistys Kaiku ry"}
    assert names(SearchQuery(text="kuuloyh viittomakieli")) == set()


def test_word_table_helpers():
    assert word_filter("Induktiosilmukan") == ("accessible", "induction_loop")
    assert word_filter("diabetes") is None
    assert words_as_filters(["vertaistuki", "ruotsiksi", "svenska"]) == (["vertaistuki"], ["sv"], [])
    assert text_without_word_filter("vertaistuki ruotsiksi, Kuopiossa", ("language", "sv")) == "vertaistuki Kuopiossa"
    # A Swedish or English preposition goes with the word it stood before.
    assert text_without_word_filter("kamratstöd på svenska", ("language", "sv")) == "kamratstöd"
    assert text_without_word_filter("peer support in English", ("language", "en")) == "peer support"


# --- the search page -------------------------------------------------------------------

def test_page_reads_languages_and_accessibility_like_the_api_and_ignores_bad_values():
    args = MultiDict([("kieli", "sv"), ("kieli", "klingon"), ("kieli", "sv"), ("esteettomyys", "induktiosilmukka"),
                      ("esteettomyys", "hissi"), ("kunta", "3"), ("kunta", "7")])
    query = SearchQuery.from_args(args)
    assert query.languages == ["sv"]
    assert query.accessible == ["induction_loop"]
    assert query.municipality_ids == [3, 7]
    assert query.to_args() == [("kunta", "3"), ("kunta", "7"), ("kieli", "sv"), ("esteettomyys", "induktiosilmukka")]


def test_several_needs_activities_and_municipalities_are_or_within_and_across(client, db, organisations):
    hearing = id_of(db, Need, name="Kuulovamma")
    memory = id_of(db, Need, name="Muistisairaus")
    peer = id_of(db, Activity, name="Vertaistuki")
    hobby = id_of(db, Activity, name="Harrastetoiminta")
    kuopio = id_of(db, Municipality, name_fi="Kuopio")
    iisalmi = id_of(db, Municipality, name_fi="Iisalmi")
    url = f"/haku?tarve={hearing}&tarve={memory}&toiminta={peer}&toiminta={hobby}&kunta={kuopio}&kunta={iisalmi}"
    body = client.get(url).get_data(as_text=True)
    assert names_in_results(body) == {"Kuuloyhdistys Kaiku ry", "Selkokerho Iisalmi"}
    for name, value in [("tarve", hearing), ("tarve", memory), ("toiminta", peer), ("toiminta", hobby),
                        ("kunta", kuopio), ("kunta", iisalmi)]:
        assert f'<input id="{name}-{value}" name="{name}" type="checkbox" value="{value}" checked>' in body
    assert '<span id="valintamaara">(6 valintaa)</span>' in body
    # Each group of needs is a collapsible group of its own, open when something in it is chosen.
    groups = re.findall(r'<details class="tarveryhma"( open)?>\s*<summary>([^<]+)</summary>', body)
    opened = {group for is_open, group in groups if is_open}
    assert opened == {"Vammaisuus ja aistit", "Muisti ja neurologia", "Kunnat"}
    assert len(groups) == len({need.group for need in db.session.scalars(db.select(Need))}) + 1


def test_language_and_accessibility_filters_in_the_form_and_as_chips(client, organisations):
    body = client.get("/haku?kieli=sv&esteettomyys=esteeton-wc").get_data(as_text=True)
    assert names_in_results(body) == {"Svenska klubben i Kuopio rf"}
    for code, label in [("sv", "Ruotsi"), ("en", "Englanti"), ("selkokieli", "Selkokieli"),
                        ("viittomakieli", "Viittomakieli")]:
        checked = " checked" if code == "sv" else ""
        assert (f'<input id="kieli-{code}" name="kieli" type="checkbox" value="{code}"{checked}> '
                f'<label for="kieli-{code}">{label}</label>') in body
    assert ('<input id="esteettomyys-esteeton-wc" name="esteettomyys" type="checkbox" value="esteeton-wc" checked> '
            '<label for="esteettomyys-esteeton-wc">Esteetön WC</label>') in body
    assert '<label for="esteettomyys-induktiosilmukka">Induktiosilmukka</label>' in body
    chips = chip_links(body)
    assert chips == {"Kieli: ruotsi": "/haku?esteettomyys=esteeton-wc", "Esteettömyys: Esteetön WC": "/haku?kieli=sv"}


def test_a_filter_word_in_the_text_shows_a_chip_that_removes_the_word(client, organisations):
    body = client.get("/haku?q=vertaistuki+ruotsiksi+induktiosilmukka").get_data(as_text=True)
    assert names_in_results(body) == {"Valtakunnallinen vertaisliitto"}
    chips = chip_links(body)
    assert chips == {
        "Kieli hakusanasta: ruotsi": "/haku?q=vertaistuki+induktiosilmukka",
        "Esteettömyys hakusanasta: Induktiosilmukka": "/haku?q=vertaistuki+ruotsiksi",
    }


def test_a_word_that_repeats_a_chosen_filter_makes_no_second_chip(client, organisations):
    body = client.get("/haku?q=ruotsiksi&kieli=sv").get_data(as_text=True)
    assert list(chip_links(body)) == ["Kieli: ruotsi"]


# --- the API ---------------------------------------------------------------------------

def api_names(client, query: str) -> set[str]:
    response = client.get("/api/v1/organisations?" + query)
    assert response.status_code == 200, response.get_json()
    return {result["name"] for result in response.get_json()["results"]}


def test_api_filters_by_several_municipalities_languages_and_accessibility(client, organisations):
    assert api_names(client, "kunta=Iisalmi&kunta=Varkaus") == {
        "Selkokerho Iisalmi", "Liikuntaseura Varkaus", "Valtakunnallinen vertaisliitto"}
    assert api_names(client, "kieli=sv&kieli=selkokieli") == {
        "Svenska klubben i Kuopio rf", "Selkokerho Iisalmi", "Valtakunnallinen vertaisliitto"}
    assert api_names(client, "esteettomyys=esteeton-kulku&esteettomyys=induktiosilmukka") == {"Kuuloyhdistys Kaiku ry"}


def test_api_and_page_agree_on_filter_words(client, organisations):
    assert api_names(client, "q=induktiosilmukka") == names_in_results(client.get("/haku?q=induktiosilmukka").get_data(
        as_text=True)) == {"Kuuloyhdistys Kaiku ry", "Valtakunnallinen vertaisliitto"}


def test_api_still_refuses_an_unknown_accessibility_feature(client, organisations):
    response = client.get("/api/v1/organisations?esteettomyys=hissi")
    assert response.status_code == 400
    assert response.get_json()["invalid_params"][0]["name"] == "esteettomyys"
