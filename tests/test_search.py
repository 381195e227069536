"""Search: Finnish relevance, filters, ranking, pagination and query parsing, on our own fixtures."""
from datetime import datetime

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Activity, Municipality, Need, Organisation, SearchDocument, sort_key
from app.search.engine import SearchQuery, search
from app.search.index import built_once, index_is_current, reindex_all, remove_from_index

ORGANISATIONS = [
    # name, needs, activities, municipalities, extra fields
    ("Tasapaino ry", ["Diabetes"], ["Vertaistuki", "Liikunta"], ["Kuopio"], {}),
    ("Varkauden Sokeriklubi", ["Diabetes"], ["Vertaistuki"], ["Varkaus"], {}),
    ("Muistiyhdistys Savotta ry", ["Muistisairaus"], ["Läheisen tai omaishoitajan tuki"], ["Kuopio"], {}),
    ("Omaishoitajat Pohjoinen ry", ["Omaishoitajuus"], ["Läheisen tai omaishoitajan tuki"], ["Iisalmi"], {}),
    ("Mielenterveysyhdistys Tukijalka ry", [], ["Avoin kohtaamispaikka"], ["Iisalmi"],
     {"description": "Kohtaamispaikka, jossa voi tulla juttelemaan."}),
    ("Mielenterveyden keskusliitto", [], ["Ohjaus- ja neuvontapalvelut"], [],
     {"nationwide": True, "description": "Valtakunnallinen liitto."}),
    ("Siilinjärven Liikuntaseura", [], ["Liikunta"], ["Siilinjärvi"], {}),
    ("Leppävirran Reumayhdistys ry", ["Reuma"], ["Kuntoutus"], ["Leppävirta"], {}),
    ("Aivoliitto", ["Aivoverenkiertohäiriö"], ["Kuntoutus"], [], {"nationwide": True}),
    ("Piilotettu diabetesryhmä", ["Diabetes"], ["Vertaistuki"], ["Kuopio"], {"status": "pending"}),
]


@pytest.fixture
def organisations(make_organisation) -> dict[str, int]:
    made = {}
    for name, needs, activities, municipalities, fields in ORGANISATIONS:
        organisation = make_organisation(
            name, needs=needs, activities=activities, municipalities=municipalities, **fields
        )
        made[name] = organisation.id
    return made


def names(result) -> list[str]:
    return [organisation.name for organisation in result.organisations]


def top(text: str, count: int = 5, **filters) -> list[str]:
    return names(search(SearchQuery(text=text, **filters)))[:count]


@pytest.mark.parametrize(
    "text, expected, absent",
    [
        ("diabeetikoille", ["Tasapaino ry", "Varkauden Sokeriklubi"], ["Piilotettu diabetesryhmä"]),
        ("sokeritautia sairastaville", ["Tasapaino ry", "Varkauden Sokeriklubi"], []),
        ("muistisairaiden omaisille", ["Muistiyhdistys Savotta ry", "Omaishoitajat Pohjoinen ry"], []),
        ("mielenterveys", ["Mielenterveysyhdistys Tukijalka ry", "Mielenterveyden keskusliitto"], []),
        ("mielenterveysyhdistys", ["Mielenterveysyhdistys Tukijalka ry", "Mielenterveyden keskusliitto"], []),
        ("aivoinfarktin jälkeen", ["Aivoliitto"], []),
        ("AVH", ["Aivoliitto"], []),
        ("reumayhdistykset", ["Leppävirran Reumayhdistys ry"], []),
        ("liikuntaa", ["Siilinjärven Liikuntaseura", "Tasapaino ry"], []),
    ],
)
def test_finnish_queries_find_the_right_organisations(analyser, organisations, text, expected, absent):
    found = top(text)
    assert set(expected) <= set(found)
    assert not set(absent) & set(found)


# The field's own vocabulary: abbreviations (need synonyms), hyphenated and coordinated forms.
FIELD_ORGANISATIONS = [
    ("Hengitysyhdistys Puhuri", ["Keuhkosairaus"], ["Vertaistuki"], ["Kuopio"], {}),
    ("Harrastajat Kuopio", ["Kehitysvamma", "Nuoret"], ["Harrastetoiminta"], ["Kuopio"], {}),
    ("Polku ry", ["Päihteet", "Mielenterveys"], ["Avoin kohtaamispaikka"], ["Varkaus"], {}),
    ("Perheyhdistys Kirjo", ["ADHD", "Autismi"], ["Vertaistuki"], ["Kuopio"], {}),
]


@pytest.fixture
def field_organisations(analyser, organisations, make_organisation) -> dict[str, int]:
    made = dict(organisations)
    for name, needs, activities, municipalities, fields in FIELD_ORGANISATIONS:
        made[name] = make_organisation(
            name, needs=needs, activities=activities, municipalities=municipalities, **fields
        ).id
    return made


@pytest.mark.parametrize(
    "text, expected",
    [
        ("COPD", ["Hengitysyhdistys Puhuri"]),
        ("KAT", ["Hengitysyhdistys Puhuri"]),
        ("keuhkoahtaumatautia", ["Hengitysyhdistys Puhuri"]),
        ("kv", ["Harrastajat Kuopio"]),
        ("mt", ["Polku ry"]),
        ("nepsy", ["Perheyhdistys Kirjo"]),
        ("AVH", ["Aivoliitto"]),
    ],
)
def test_abbreviations_of_the_field_find_the_need(field_organisations, text, expected):
    assert set(expected) <= set(top(text))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mt-kuntoutujat", ["Polku ry"]),
        ("KAT-potilaille", ["Hengitysyhdistys Puhuri"]),
        ("kv-nuorille", ["Harrastajat Kuopio"]),
        ("nepsy-lasten", ["Perheyhdistys Kirjo"]),
        # Either kind of kuntoutuja: the two words are one group, not two that both must match.
        ("päihde- ja mielenterveyskuntoutujille", ["Polku ry", "Mielenterveysyhdistys Tukijalka ry"]),
    ],
)
def test_hyphenated_forms_are_split_at_the_hyphen(field_organisations, text, expected):
    assert set(expected) <= set(top(text))


@pytest.mark.parametrize(
    "text, padding",
    [
        ("diabetes", "tukea"),
        ("diabeetikoille", "apua ja neuvontaa"),
        ("muistisairaus", "palvelut"),
        ("reuma", "ryhmään"),
        ("omaishoitajien", "toimintaa"),
        ("COPD", "tuki"),
        ("mt-kuntoutujat", "ryhmä"),
    ],
)
def test_padding_words_never_narrow_a_search(field_organisations, text, padding):
    plain = search(SearchQuery(text=text))
    padded = search(SearchQuery(text=f"{text} {padding}"))
    assert plain.total > 0
    assert set(names(padded)) == set(names(plain)) and padded.total == plain.total


@pytest.mark.parametrize("padding", ["neuvontaa", "ryhmät"])
def test_padding_words_still_rank(analyser, make_organisation, padding):
    make_organisation("Diabeteskerho Kuopio", needs=["Diabetes"])
    make_organisation("Diabetesyhdistys Vilja", needs=["Diabetes"], description="Neuvontaa ja ryhmiä diabeetikoille.")
    assert top(f"diabetes {padding}") == ["Diabetesyhdistys Vilja", "Diabeteskerho Kuopio"]


def test_a_query_of_padding_words_alone_still_needs_them(analyser, organisations):
    found = top("tukea", count=20)
    assert found and "Omaishoitajat Pohjoinen ry" in found
    assert "Siilinjärven Liikuntaseura" not in found


def test_muistisairaiden_omaisille_ranks_the_organisation_matching_both_words_first(organisations):
    assert top("muistisairaiden omaisille")[0] == "Muistiyhdistys Savotta ry"


def test_a_name_match_ranks_above_a_description_match(organisations, make_organisation):
    make_organisation("Kuntoutusyhdistys Voimala", activities=["Kuntoutus"], description="Kokoontuu Kuopiossa.")
    make_organisation("Voimaa arkeen", activities=["Kuntoutus"], description="Kuntoutusta ja ohjausta.")
    assert top("kuntoutus")[0] == "Kuntoutusyhdistys Voimala"


@pytest.mark.parametrize(
    "text, municipality, expected",
    [
        ("diabetes Kuopiossa", "Kuopio", ["Tasapaino ry"]),
        ("diabetes Varkaudessa", "Varkaus", ["Varkauden Sokeriklubi"]),
        ("liikuntaa Siilinjärvellä", "Siilinjärvi", ["Siilinjärven Liikuntaseura"]),
        ("reuma Leppävirralla", "Leppävirta", ["Leppävirran Reumayhdistys ry"]),
        ("Iisalmessa", "Iisalmi", ["Mielenterveyden keskusliitto", "Mielenterveysyhdistys Tukijalka ry",
                                   "Omaishoitajat Pohjoinen ry", "Aivoliitto"]),
    ],
)
def test_a_municipality_in_the_text_is_a_filter(organisations, text, municipality, expected):
    result = search(SearchQuery(text=text))
    assert [m.name_fi for m in result.detected_municipalities] == [municipality]
    assert set(names(result)) == set(expected)
    assert municipality.lower() not in result.text_terms_used


@pytest.mark.parametrize(
    "text, municipality, expected",
    [
        ("liikuntaa Siilinjarvella", "Siilinjärvi", ["Siilinjärven Liikuntaseura"]),
        ("reuma Leppavirralla", "Leppävirta", ["Leppävirran Reumayhdistys ry"]),
        ("liikunta Siilinjarvi", "Siilinjärvi", ["Siilinjärven Liikuntaseura"]),
    ],
)
def test_a_municipality_typed_without_dots_is_a_filter(analyser, organisations, text, municipality, expected):
    # Without Voikko too: the fallback reads "Siilinjarvella" as Siilinjärvellä for the index's
    # tokens, and the municipality is recognised from the same reading.
    result = search(SearchQuery(text=text))
    assert [m.name_fi for m in result.detected_municipalities] == [municipality]
    assert set(names(result)) == set(expected)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Reumayhdistus", "Leppävirran Reumayhdistys ry"),  # a typo in a name
        ("Tukijalak", "Mielenterveysyhdistys Tukijalka ry"),  # a transposition
        ("sokeritati", "Tasapaino ry"),  # a typo in a need synonym
        ("diabtes", "Varkauden Sokeriklubi"),  # a typo in a need name
    ],
)
def test_a_one_letter_typo_still_finds(organisations, text, expected):
    assert expected in top(text)


@pytest.mark.parametrize(
    "text, expected, need",
    [("syopa", "Kuopion Nauhakerho", "Syöpä"), ("tyottomyys", "Työnhakijat ry", "Työttömyys")],
)
def test_finnish_typed_without_dots_finds_as_with_them(analyser, organisations, make_organisation, text, expected, need):
    # Two missing dots in a short word, three in a long one: more than a typo's one or two edits.
    make_organisation(expected, needs=[need])
    assert top(text)[:1] == [expected]


@pytest.mark.parametrize("text, expected", [("syovan", "Syöpäyhdistys"), ("Siilinjarvella", "Siilinjärven Liikuntaseura")])
def test_an_inflected_word_typed_without_dots_is_read_as_the_dotted_word(analyser, organisations, make_organisation,
                                                                         text, expected):
    make_organisation("Syöpäyhdistys", description="Tukea syöpään sairastuneille ja heidän läheisilleen.")
    assert top(text)[:1] == [expected]


def test_a_word_being_typed_brings_the_needs_it_can_become(analyser, organisations, make_organisation):
    # "psyykkinen" is a synonym of the need Mielenterveys: typing it finds who is marked with the
    # need, as the whole word does, besides the entry whose text says it.
    make_organisation("Kohtaamispaikka Virta", description="Psyykkinen hyvinvointi ja arjen tuki.")
    make_organisation("Tukiasema Luoto", needs=["Mielenterveys"])
    assert {"Kohtaamispaikka Virta", "Tukiasema Luoto"} <= set(top("psyykki")) == set(top("psyykkinen"))


def test_a_compound_query_is_not_widened_by_its_general_head(analyser, organisations, make_organisation):
    make_organisation("Selkäyhdistys Ranka", description="Vertaistukea selkäsairauksista kärsiville.")
    make_organisation("Kuopion Sydänyhdistys", description="Liikuntaa ja luentoja.")
    # "muistisairaus" finds what is about muisti, not every text with a sairaus in it …
    assert "Muistiyhdistys Savotta ry" in top("muistisairaus")
    assert "Selkäyhdistys Ranka" not in names(search(SearchQuery(text="muistisairaus", page_size=50)))
    # … while the specific part still finds on its own, and the general word typed alone finds all.
    assert "Kuopion Sydänyhdistys" in top("sydänpotilaille")
    assert "Selkäyhdistys Ranka" in top("sairaus")


@pytest.mark.parametrize(
    "text, need",
    [
        ("dementikoille", "Muistisairaus"),
        ("narkomaaneille", "Päihteet"),
        ("narkkarit", "Päihteet"),
        ("toimeentulotukea", "Sosiaaliturva ja etuudet"),
        ("bipolaarinen", "Kaksisuuntainen mielialahäiriö"),
        ("velkaantuneet", "Velka- ja raha-asiat"),
        ("lgbtq", "Sateenkaari-ihmiset"),
    ],
)
def test_everyday_words_for_a_need_find_it(analyser, organisations, make_organisation, text, need):
    # Words people type for a need that no text of the organisation says (each found nothing).
    make_organisation("Tukipiste Kajo", needs=[need], description="Kokoontuu kerran kuussa.")
    assert "Tukipiste Kajo" in top(text)


@pytest.mark.parametrize(
    "apart, joined",
    [("omais hoitajille", "omaishoitajille"), ("mielenterveys kuntoutujat", "mielenterveyskuntoutujat"),
     ("muisti sairaille", "muistisairaille")],
)
def test_a_compound_written_apart_finds_what_the_joined_word_finds(analyser, organisations, make_organisation,
                                                                     apart, joined):
    for name in ("Tukipiste Kajo", "Tukipiste Lyhty", "Tukipiste Majakka"):
        make_organisation(name, needs=["Omaishoitajuus", "Mielenterveys", "Muistisairaus"],
                          description="Kokoontuu kerran kuussa.")
    found = set(names(search(SearchQuery(text=apart, page_size=50))))
    assert set(names(search(SearchQuery(text=joined, page_size=50)))) <= found


@pytest.mark.parametrize("text", ["reumaa sairastaville", "reumasta kärsiville", "reumaan sairastuneet"])
def test_sairastaville_says_nothing_about_the_need(analyser, organisations, make_organisation, text):
    # "X:ää sairastaville" is how a need is said; the verb alone listed every text saying sairastavien.
    make_organisation("Reumayhdistys Nivel", needs=["Reuma"], description="Vesijumppaa kerran viikossa.")
    make_organisation("Migreeniryhmä Hämy", description="Migreeniä sairastavien ja siitä kärsivien, "
                      "siihen sairastuneiden vertaisryhmä.")
    found = names(search(SearchQuery(text=text, page_size=50)))
    assert "Reumayhdistys Nivel" in found
    assert "Migreeniryhmä Hämy" not in found


def test_a_care_compound_is_not_widened_by_hoito(analyser, organisations, make_organisation):
    # "saattohoito" (end-of-life care) listed every text about any hoito: ihonhoito, insuliinihoito, omaishoito.
    make_organisation("Saattokoti Lyhty", description="Saattohoitoa ja tukea läheisille.")
    make_organisation("Iho-yhdistys Nokka", description="Ihonhoitoa ja luentoja.")
    assert names(search(SearchQuery(text="saattohoito", page_size=50))) == ["Saattokoti Lyhty"]
    assert "Iho-yhdistys Nokka" in names(search(SearchQuery(text="hoito", page_size=50)))  # the word alone


def test_vakivalta_is_not_widened_by_its_parts(analyser, organisations, make_organisation):
    # Voikko reads väkivalta as väki + valta, and valtakunnallinen (nationwide) as valta + kunnallinen:
    # "väkivalta" listed every nationwide organisation. Its part väki stays: "perheväkivaltaa" finds
    # the text that says väkivaltaa through it.
    make_organisation("Turvakoti Satama", description="Apua väkivaltaa kokeneille.")
    make_organisation("Tukiliitto Kantava", description="Valtakunnallinen liitto omaishoitajille.")
    for text in ("väkivalta", "perheväkivaltaa"):
        found = names(search(SearchQuery(text=text, page_size=50)))
        assert "Turvakoti Satama" in found
        assert "Tukiliitto Kantava" not in found


def test_a_word_being_typed_is_not_widened_by_an_accidental_compound(analyser, organisations, make_organisation):
    # "mielenterve", on its way to mielenterveys, reads as mieli + terve; terve is also the head
    # of "tervetulleita" (welcome), which says nothing about mental health.
    make_organisation("Laulupiiri Kaiku", description="Uudet laulajat ovat tervetulleita.")
    assert "Laulupiiri Kaiku" not in names(search(SearchQuery(text="mielenterve", page_size=50)))
    assert "Laulupiiri Kaiku" in top("tervetulleita")


def test_a_word_being_typed_without_dots_matches_the_dotted_words(analyser, organisations, make_organisation):
    make_organisation("Kuntoutuskoti Polku", description="Asumispalvelua päihdekuntoutujille.")
    assert top("paihdekunt") == ["Kuntoutuskoti Polku"]


@pytest.mark.parametrize("text", ["mielenter", "Mielenterv", "reumay"])
def test_the_word_being_typed_matches_as_a_prefix(organisations, text):
    assert any(name.startswith(("Mielenterveys", "Leppävirran")) for name in top(text))


def test_a_finished_word_is_not_a_prefix(organisations):
    assert top("mielenter ") == []


def test_nationwide_organisations_match_every_municipality_filter(organisations, db):
    varkaus = db.session.scalar(select(Municipality).filter_by(name_fi="Varkaus"))
    found = names(search(SearchQuery(municipality_ids=[varkaus.id])))
    assert set(found) == {"Varkauden Sokeriklubi", "Mielenterveyden keskusliitto", "Aivoliitto"}


def test_unpublished_organisations_are_never_returned(organisations, db):
    diabetes = db.session.scalar(select(Need).filter_by(name="Diabetes"))
    for query in [SearchQuery(text="diabetesryhmä"), SearchQuery(need_ids=[diabetes.id]), SearchQuery()]:
        assert "Piilotettu diabetesryhmä" not in names(search(query))


def test_no_text_and_no_filters_lists_everything_a_to_z(organisations):
    result = search(SearchQuery(page_size=50))
    published = sorted((n for n, *_rest, f in ORGANISATIONS if f.get("status") != "pending"), key=str.casefold)
    assert names(result) == published
    assert result.total == len(published)


def ids_of(db, model, *names_):
    return [db.session.scalar(select(model).filter_by(name=n)).id for n in names_]


@pytest.mark.parametrize(
    "needs, activities, municipalities, expected",
    [
        (["Diabetes", "Reuma"], [], [], {"Tasapaino ry", "Varkauden Sokeriklubi", "Leppävirran Reumayhdistys ry"}),
        (["Diabetes"], ["Liikunta"], [], {"Tasapaino ry"}),
        (["Diabetes"], [], ["Varkaus"], {"Varkauden Sokeriklubi"}),
        ([], ["Kuntoutus", "Liikunta"], ["Leppävirta", "Siilinjärvi"],
         {"Leppävirran Reumayhdistys ry", "Siilinjärven Liikuntaseura", "Aivoliitto"}),
    ],
)
def test_or_within_a_filter_and_across_filters(organisations, db, needs, activities, municipalities, expected):
    municipality_ids = [db.session.scalar(select(Municipality).filter_by(name_fi=m)).id for m in municipalities]
    query = SearchQuery(
        need_ids=ids_of(db, Need, *needs), activity_ids=ids_of(db, Activity, *activities),
        municipality_ids=municipality_ids,
    )
    assert set(names(search(query))) == expected


def test_text_and_filters_together(organisations, db):
    query = SearchQuery(text="vertaistukea", need_ids=ids_of(db, Need, "Diabetes"))
    assert set(names(search(query))) == {"Tasapaino ry", "Varkauden Sokeriklubi"}


@pytest.mark.parametrize("page, shown, expected_page", [(1, 4, 1), (2, 4, 2), (3, 1, 3), (99, 1, 3), (0, 4, 1)])
def test_pagination_clamps_to_the_pages_there_are(organisations, page, shown, expected_page):
    result = search(SearchQuery(page=page, page_size=4))
    assert (len(result.organisations), result.page, result.page_count, result.total) == (shown, expected_page, 3, 9)


def test_pages_of_a_ranked_search_do_not_overlap(organisations):
    first = search(SearchQuery(text="yhdistys", page_size=1))
    second = search(SearchQuery(text="yhdistys", page_size=1, page=2))
    assert first.total == second.total >= 2
    assert names(first) != names(second)


def test_nothing_found_is_an_empty_first_page(organisations):
    result = search(SearchQuery(text="xyzzyqwerty", page=3))
    assert (result.organisations, result.total, result.page, result.page_count) == ([], 0, 1, 1)


def test_renamed_synonym_works_without_reindexing(organisations, db):
    diabetes = db.session.scalar(select(Need).filter_by(name="Diabetes"))
    assert top("glukoosi") == []
    diabetes.synonyms += ";glukoosi"
    db.session.commit()
    assert set(top("glukoosille")) == {"Tasapaino ry", "Varkauden Sokeriklubi"}


def test_reindex_all_rebuilds_the_same_results_and_records_the_analyser(organisations, db):
    before = [names(search(SearchQuery(text=t))) for t in ("diabeetikoille", "Kuopiossa", "muistisairaiden omaisille")]
    assert reindex_all() == len(ORGANISATIONS) - 1  # the pending one has no document
    db.session.commit()
    assert index_is_current()
    after = [names(search(SearchQuery(text=t))) for t in ("diabeetikoille", "Kuopiossa", "muistisairaiden omaisille")]
    assert after == before


def test_removed_and_changed_organisations_leave_the_index(organisations, db):
    from app.search.index import index_organisation

    remove_from_index(organisations["Aivoliitto"])
    organisation = db.session.get(Organisation, organisations["Siilinjärven Liikuntaseura"])
    organisation.name = "Siilinjärven Kävelyseura"
    index_organisation(organisation)
    db.session.commit()
    assert top("aivoinfarkti") == []
    assert top("kävely") == ["Siilinjärven Kävelyseura"]
    document = db.session.get(SearchDocument, organisation.id)
    assert "kävelyseura" in document.name_terms.split()
    assert "liikuntaseura" not in document.name_terms.split()


def test_only_published_organisations_have_a_document(organisations, db):
    from app.search.index import index_organisation

    assert db.session.get(SearchDocument, organisations["Piilotettu diabetesryhmä"]) is None
    organisation = db.session.get(Organisation, organisations["Tasapaino ry"])
    organisation.status = "hidden"
    index_organisation(organisation)
    db.session.commit()
    assert db.session.get(SearchDocument, organisation.id) is None
    assert "Tasapaino ry" not in top("diabeetikoille")


def test_many_matches_put_name_matches_first_then_the_rest_a_to_z(organisations, make_organisation, monkeypatch):
    """Beyond RANK_LIMIT matches only name matches are scored; the pages still cover every match once."""
    from app.search import statements as search_module

    make_organisation("Ö-kuntoutus", description="Kokoontuu Kuopiossa.")
    make_organisation("Kuntoutusyhdistys Voimala", description="Kokoontuu Kuopiossa.")
    make_organisation("Voimaa arkeen", description="Kuntoutusta ja ohjausta.")
    make_organisation("Askel", description="Kuntoutusta kaikille.")
    ranked = [names(search(SearchQuery(text="kuntoutus ", page=p, page_size=2))) for p in (1, 2, 3)]
    monkeypatch.setattr(search_module, "RANK_LIMIT", 3)
    split = [names(search(SearchQuery(text="kuntoutus ", page=p, page_size=2))) for p in (1, 2, 3)]
    assert sorted(sum(ranked, [])) == sorted(sum(split, []))
    # First those with the activity Kuntoutus (two, all scored), then of the four that only
    # contain the word, those with it in the name, then A–Z those with it in the description only.
    assert set(split[0]) == {"Aivoliitto", "Leppävirran Reumayhdistys ry"}
    assert set(split[1]) == {"Kuntoutusyhdistys Voimala", "Ö-kuntoutus"}
    assert split[2] == ["Askel", "Voimaa arkeen"]


@pytest.mark.parametrize("text", ["kuntoutus ", "kuntoutusta kokoontuu ", "kuntoutus Kuopiossa ", "voimala kuntoutus "])
def test_the_name_split_covers_every_match_once_with_several_words_and_filters(
    organisations, make_organisation, monkeypatch, text
):
    """Split by name (one word, several, with a filter), the pages hold every match once, name matches first."""
    from app.search import statements as search_module

    make_organisation("Ö-kuntoutus", description="Kokoontuu Kuopiossa.", municipalities=["Kuopio"])
    make_organisation("Kuntoutusyhdistys Voimala", description="Kokoontuu Kuopiossa.", municipalities=["Kuopio"])
    make_organisation("Voimaa arkeen", description="Kuntoutusta ja ohjausta, kokoontuu.", municipalities=["Kuopio"])
    make_organisation("Askel", description="Kuntoutusta kaikille, Voimala.", municipalities=["Kuopio"])
    everything = names(search(SearchQuery(text=text, page_size=100)))
    monkeypatch.setattr(search_module, "RANK_LIMIT", 1)
    page_count = search(SearchQuery(text=text, page_size=2)).page_count
    listed = sum((names(search(SearchQuery(text=text, page=p, page_size=2))) for p in range(1, page_count + 1)), [])
    assert len(everything) >= 2
    assert sorted(listed) == sorted(everything)


@pytest.mark.parametrize("rank_limit", [5000, 1])
@pytest.mark.parametrize("text, filters", [
    ("vertaistukea Kuopiossa", {}), ("kuntoutus", {"municipality_ids": ["Kuopio"]}), ("", {"municipality_ids": ["Kuopio"]}),
])
def test_pages_read_before_their_tiers_are_counted_list_the_same_as_one_long_page(
    organisations, make_organisation, monkeypatch, rank_limit, text, filters
):
    """A tier is read from its start before it is counted; pages of any size list the matches in one order."""
    from app.search import statements as search_module

    make_organisation("Kuntoutus Kuopio ry", activities=["Kuntoutus", "Vertaistuki"], municipalities=["Kuopio"])
    make_organisation("Vertaisryhmä Aalto", activities=["Vertaistuki"], municipalities=["Kuopio"],
                      description="Vertaistukea ja kuntoutusta.")
    make_organisation("Valtakunnallinen vertaistuki", activities=["Vertaistuki"], nationwide=True,
                      description="Kuntoutus ja vertaistuki.")
    if filters:
        kuopio = db.session.scalar(select(Municipality.id).where(Municipality.name_fi == "Kuopio"))
        filters = {"municipality_ids": [kuopio]}
    monkeypatch.setattr(search_module, "RANK_LIMIT", rank_limit)
    everything = search(SearchQuery(text=text, page_size=100, **filters))
    assert everything.total >= 3
    for size in (1, 2, 3):
        page_count = search(SearchQuery(text=text, page_size=size, **filters)).page_count
        listed = sum((names(search(SearchQuery(text=text, page=p, page_size=size, **filters)))
                      for p in range(1, page_count + 1)), [])
        assert listed == names(everything)


def test_the_first_page_counts_the_matches_once_and_no_tier(organisations):
    """Counting a tier visits its rows in PostgreSQL's table: the first page reads the tiers instead."""
    from sqlalchemy import event

    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = search(SearchQuery(text="vertaistukea Kuopiossa"))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert "Tasapaino ry" in names(result)
    assert sum(statement.lower().count("count(") for statement in statements) == 1


def test_a_later_page_counts_the_tiers_before_it_only_as_far_as_it_starts(organisations, make_organisation):
    """Page 2 of one needs to know whether the first tier holds more than one, not how many, and asks once."""
    from sqlalchemy import event

    make_organisation("Vertaisryhmä Aalto", activities=["Vertaistuki"], municipalities=["Kuopio"])
    make_organisation("Vertaistuki Kuopio ry", activities=["Vertaistuki"], municipalities=["Kuopio"])
    asked = []

    def record(_conn, _cursor, statement, parameters, *_args):
        if "count(" in statement.lower():
            asked.append((statement, repr(parameters)))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        second = search(SearchQuery(text="vertaistukea Kuopiossa", page=2, page_size=1))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert names(second) == names(search(SearchQuery(text="vertaistukea Kuopiossa", page_size=2)))[1:]
    uncapped = [statement for statement, _parameters in asked if "limit" not in statement.lower()]
    assert len(uncapped) == 1  # the total
    assert all("2" in parameters for statement, parameters in asked if "limit" in statement.lower())
    assert len(set(asked)) == len(asked)


def test_on_postgresql_a_word_in_the_name_is_asked_of_the_names_own_index(organisations):
    """`'word':A` on the tsv index rechecked every document holding the word; name_tsv answers exactly."""
    from sqlalchemy import text as sql_text

    from app.search.statements import Match, tsquery_condition
    from app.search.query import Group

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's name index (SQLite's FTS5 has a name column)")
    kuntoutus = Group(word="kuntoutus", terms=("kuntoutus",))
    for match in [Match((kuntoutus,), "AND", (), in_name=True),
                  Match((kuntoutus, Group(word="kuopio", terms=("kuopio",))), "AND", (("qkoko",),), in_name=True)]:
        where, params = tsquery_condition(match)
        assert ":A" not in " ".join(params.values())
        db.session.execute(sql_text("SET LOCAL enable_seqscan = off"))
        plan = db.session.execute(sql_text(f"EXPLAIN SELECT count(*) FROM search_match d WHERE {where}"), params)
        assert "ix_search_match_name_tsv" in "\n".join(plan.scalars())
        db.session.rollback()


def test_a_to_z_is_the_same_whether_the_matches_are_sorted_or_read_along_the_name_index(organisations, monkeypatch):
    """Few matches are sorted, many are read along the sort_name index: the pages come out the same."""
    from app.search import statements as search_module

    chosen = db.session.scalars(select(Activity.id).where(Activity.name.in_(["Vertaistuki", "Liikunta", "Kuntoutus"])))
    filters = {"activity_ids": list(chosen)}

    def pages() -> list[list[str]]:
        return [names(search(SearchQuery(page=p, page_size=2, **filters))) for p in (1, 2, 3)]

    sorted_pages = pages()
    monkeypatch.setattr(search_module, "SORT_MATCHES_UP_TO", 0)
    assert pages() == sorted_pages
    assert sum(sorted_pages, []) == [
        "Aivoliitto", "Leppävirran Reumayhdistys ry", "Siilinjärven Liikuntaseura", "Tasapaino ry", "Varkauden Sokeriklubi"
    ]


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"q": "diabetes", "tarve": ["3", "x", "3"], "kunta": ["-1", "5"], "sivu": "2"},
         SearchQuery(text="diabetes", need_ids=[3], municipality_ids=[5], page=2)),
        ({"q": "a" * 300, "toiminta": ["99999999999"], "sivu": "kolme"}, SearchQuery(text="a" * 200)),
        ({}, SearchQuery()),
    ],
)
def test_query_from_url_arguments_ignores_bad_values(args, expected):
    assert SearchQuery.from_args(MultiDict(args)) == expected


def test_query_to_url_arguments_with_changes():
    query = SearchQuery(text="muisti", need_ids=[1, 2], municipality_ids=[7], page=3)
    assert query.to_args(need_ids=[2], page=1) == [("q", "muisti"), ("tarve", "2"), ("kunta", "7")]
    assert query.to_args() == [("q", "muisti"), ("tarve", "1"), ("tarve", "2"), ("kunta", "7"), ("sivu", "3")]
    assert SearchQuery.from_args(MultiDict(query.to_args())) == query


@pytest.mark.parametrize("text", ["kuntou", "kuntoutus", "mielenter", "reumay", "omais", "sokerit"])
def test_a_spelled_out_prefix_finds_what_the_prefix_finds(organisations, make_organisation, monkeypatch, text):
    from app.search import engine as search_module

    make_organisation("Kuntoutuskerho Voimala", description="Kuntoutusryhmiä ja sokeritautia sairastavien kerho.")
    spelled = search(SearchQuery(text=text, page_size=50))
    monkeypatch.setattr(search_module, "MAX_PREFIX_TERMS", 0)
    merged = search(SearchQuery(text=text, page_size=50))
    assert not any(term.endswith("*") for term in spelled.text_terms_used)
    assert set(names(spelled)) == set(names(merged))
    assert spelled.total == merged.total


def test_a_fresh_index_is_current_and_an_older_format_is_stale(db, make_organisation):
    from app.models import SearchMeta

    make_organisation("Ensimmäinen yhdistys ry")
    assert index_is_current()  # the first document into an empty index records how it was built

    db.session.get(SearchMeta, "analyser").value = "voikko"  # as written before formats were numbered
    db.session.commit()
    assert not index_is_current()
    reindex_all()
    assert index_is_current()


def ids_named(db, model, *names: str) -> list[int]:
    column = Municipality.name_fi if model is Municipality else model.name
    return list(db.session.scalars(select(model.id).where(column.in_(names))))


@pytest.mark.parametrize("text, chosen", [("vertaistukea Kuopiossa", []), ("vertaistukea", ["Kuopio"])])
def test_organisations_active_in_the_municipality_rank_above_nationwide_ones(
    organisations, make_organisation, db, text, chosen
):
    """A municipality named or chosen: local matches first, though the nationwide one has the word in its name."""
    make_organisation("Vertaistuki ry", activities=["Vertaistuki"], nationwide=True, description="Vertaistukea.")
    make_organisation("Kallaveden kerho", activities=["Vertaistuki"], municipalities=["Kuopio"])
    found = top(text, 10, municipality_ids=ids_named(db, Municipality, *chosen))
    assert set(found[:2]) == {"Tasapaino ry", "Kallaveden kerho"}
    assert found[2] == "Vertaistuki ry"


def test_a_chosen_municipality_lists_local_organisations_a_to_z_then_nationwide_ones(organisations, db):
    found = names(search(SearchQuery(municipality_ids=ids_named(db, Municipality, "Varkaus"))))
    assert found == ["Varkauden Sokeriklubi", "Aivoliitto", "Mielenterveyden keskusliitto"]


@pytest.mark.parametrize(
    "text, without, having",
    [
        # The activity Vertaistuki is named: having it beats the word in the name.
        ("vertaistuki", ("Vertaistuen talo", "Vertaistukea kaikille."), ["Tasapaino ry", "Varkauden Sokeriklubi"]),
        # A synonym of the need Diabetes.
        ("diabeetikoille", ("Diabeetikkojen kahvila", "Diabeetikoille ja läheisille."),
         ["Tasapaino ry", "Varkauden Sokeriklubi"]),
    ],
)
def test_an_organisation_lacking_the_named_need_or_activity_never_ranks_above_one_having_it(
    organisations, make_organisation, text, without, having
):
    name, description = without
    make_organisation(name, description=description)
    found = top(text, 10)
    assert name in found
    assert set(found[:len(having)]) == set(having)


@pytest.mark.parametrize("text", ["", "yhdistys", "kuopio"])
def test_sorted_by_name(organisations, text):
    found = names(search(SearchQuery(text=text, sort="name", page_size=50)))
    assert found and found == sorted(found, key=sort_key)


def test_sorted_by_when_checked_most_recent_first_then_the_unchecked_a_to_z(organisations, db):
    checked = {"Aivoliitto": datetime(2026, 3, 1), "Varkauden Sokeriklubi": datetime(2026, 11, 2)}
    for name, moment in checked.items():
        db.session.scalar(select(Organisation).filter_by(name=name)).confirmed_at = moment
    db.session.commit()
    for text in ("", "ry "):
        found = names(search(SearchQuery(text=text, sort="checked", page_size=50)))
        rest = [name for name in found if name not in checked]
        if text == "":
            assert found[:2] == ["Varkauden Sokeriklubi", "Aivoliitto"]
        assert rest == sorted(rest, key=sort_key)
    found = names(search(SearchQuery(municipality_ids=ids_named(db, Municipality, "Varkaus"), sort="checked")))
    assert found == ["Varkauden Sokeriklubi", "Aivoliitto", "Mielenterveyden keskusliitto"]


@pytest.mark.parametrize(
    "value, sort", [("nimi", "name"), ("tarkistettu", "checked"), ("osuvuus", "relevance"), ("x", "relevance")]
)
def test_the_order_travels_in_the_url(value, sort):
    query = SearchQuery.from_args(MultiDict({"q": "muisti", "jarjestys": value}))
    assert query.sort == sort
    assert SearchQuery.from_args(MultiDict(query.to_args())) == query
    assert ("jarjestys" in dict(query.to_args())) == (sort != "relevance")


def test_the_search_form_offers_the_orders_and_keeps_the_chosen_one(client, make_organisation):
    for number in range(3):
        make_organisation(f"Yhdistys {number}")
    body = client.get("/haku?jarjestys=tarkistettu&q=yhdistys").get_data(as_text=True)
    select_ = body[body.index('<select id="jarjestys" name="jarjestys">'):]
    select_ = select_[:select_.index("</select>")]
    assert [value for value in ("osuvuus", "nimi", "tarkistettu") if f'value="{value}"' in select_] == [
        "osuvuus", "nimi", "tarkistettu"
    ]
    assert '<option value="tarkistettu" selected>' in select_
    assert '<label for="jarjestys">' in body
    # Without a choice the first option, relevance, shows and nothing is marked.
    body = client.get("/haku?q=yhdistys").get_data(as_text=True)
    assert " selected>" not in body


def test_the_document_carries_the_organisations_sort_name(organisations, db):
    """PostgreSQL ranks and lists A–Z from search_document alone, so each write keeps the name key there."""
    def keys() -> dict[int, str]:
        return dict(db.session.execute(select(SearchDocument.organisation_id, SearchDocument.sort_name)).all())

    expected = dict(db.session.execute(
        select(Organisation.id, Organisation.sort_name).where(Organisation.status == "published")
    ).all())
    assert keys() == expected
    reindex_all()
    db.session.commit()
    assert keys() == expected


def test_on_postgresql_search_match_follows_every_write_of_the_documents(organisations, db):
    """The trigger keeps PostgreSQL's tsvectors and A–Z key in step: new, changed, removed, all rebuilt."""
    from sqlalchemy import text as sql_text

    from app.search.index import index_organisation

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's search_match (SQLite's FTS5 table has its own triggers)")

    def rows() -> dict[int, tuple[str, str]]:
        return {organisation_id: (vector, sort_name) for organisation_id, vector, sort_name in db.session.execute(
            sql_text("SELECT organisation_id, name_tsv::text, sort_name FROM search_match"))}

    def expected() -> dict[int, tuple[str, str]]:
        statement = "SELECT organisation_id, to_tsvector('simple', name_terms)::text, sort_name FROM search_document"
        return {organisation_id: (vector, sort_name)
                for organisation_id, vector, sort_name in db.session.execute(sql_text(statement))}

    assert rows() == expected() and len(rows()) >= 3
    organisation = db.session.get(Organisation, organisations["Tasapaino ry"])
    organisation.name = "Uusinimi ry"
    organisation.sort_name = sort_key(organisation.name)
    index_organisation(organisation)
    assert "'uusinimi'" in rows()[organisation.id][0] and rows() == expected()
    remove_from_index(organisation.id)
    assert organisation.id not in rows() and rows() == expected()
    reindex_all()
    assert rows() == expected()
    assert names(search(SearchQuery(text="uusinimi"))) == ["Uusinimi ry"]


def test_a_database_named_in_the_config_gets_its_own_connection_settings():
    """The settings follow the URL finally chosen (tests and the benchmark name theirs in the config)."""
    from app import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://localhost/elsewhere"})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"]
    assert "jit=off" in options and "plan_cache_mode=force_custom_plan" in options
    assert create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SQLALCHEMY_ENGINE_OPTIONS"] == {}


def test_a_kept_value_is_built_once_while_other_threads_wait_for_it():
    """Workers' threads whose taxonomy expired together build it once (built_once), not each."""
    import threading
    import time

    from cachetools import LRUCache

    builds = []

    @built_once(LRUCache(maxsize=2))
    def slow(key: str) -> str:
        builds.append(key)
        time.sleep(0.2)
        return key.upper()

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(slow("fi"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["FI"] * 4 and builds == ["fi"]
