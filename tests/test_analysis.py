"""Finnish analysis: base forms, compound parts, stop words and the fallback analyser."""
import logging
import sys

import pytest

from app.search import analysis


@pytest.fixture
def voikko():
    analysis.reset()
    if analysis.analyser_name() != analysis.VOIKKO:
        pytest.skip("libvoikko is not installed")
    yield
    analysis.reset()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mielenterveysyhdistyksen", {"mielenterveysyhdistys", "mieli", "terveys", "yhdistys"}),
        ("mielenterveys", {"mielenterveys", "mieli", "terveys"}),
        ("diabeetikoille", {"diabeetikko"}),
        ("muistisairaiden omaisille", {"muistisairas", "muisti", "sairas", "omainen"}),
        ("omaishoitajien", {"omaishoitaja", "omainen", "hoitaja"}),
        ("terveydenhuollon", {"terveydenhuolto", "terveys", "huolto"}),
        ("kehitysvammaisten", {"kehitysvammainen", "kehitys", "vammainen"}),
        ("Kuopiossa", {"kuopio"}),
        ("Siilinjärvellä", {"siilinjärvi", "siili", "järvi"}),
        ("AVH:n vertaistukea", {"avh", "vertaistuki", "vertais", "vertainen", "tuki"}),
        ("MS-taudin", {"mstauti", "ms", "tauti"}),
        ("Parkinsonin", {"parkinson"}),
    ],
)
def test_voikko_base_forms_and_compound_parts(voikko, text, expected):
    assert set(analysis.analyse_text(text)) == expected


@pytest.mark.parametrize(
    "wordbases, parts",
    [
        ("+mielen(mieli)+terve(terve)+ys(+ys)+yhdist(yhdistää)+ys(+ys)", ["mieli", "terveys", "yhdistys"]),
        ("+Siilinjärvi(Siilin=järvi)", ["Siilinjärvi", "Siilin", "järvi"]),
        ("+vertais+tuki(tuki)+ryhmä(ryhmä)", ["vertais", "tuki", "ryhmä"]),
        ("+velkaantu(velkaantua)+n+ut(+ut)", ["velkaantunut"]),
        ("+terve(terve)+yden(+ys)+huolto(huolto)", ["terveyden", "huolto"]),
        ("+valta(valta)+kunna(kunta)+lli+nen(+nen)", ["valta", "kunnallinen"]),
        ("+liiku(liikkua)+nta(+ta)+seura(seura)", ["liikunta", "seura"]),
        ("", []),
    ],
)
def test_compound_parts_from_wordbases(wordbases, parts):
    assert analysis.compound_parts(wordbases) == parts


@pytest.mark.parametrize("text", ["ja", "tai sekä", "me ja te", "Yhdistys ry", "klo 3"])
def test_stop_words_and_single_characters_give_no_tokens(voikko, text):
    assert not set(analysis.analyse_text(text)) - {"yhdistys"}


@pytest.mark.parametrize("word, bases", [("Kuopiossa", {"kuopio"}), ("Leppävirralla", {"leppävirta"}), ("AVH", {"avh"})])
def test_base_forms_are_whole_words(voikko, word, bases):
    assert analysis.base_forms(word) == bases


def test_same_text_gives_same_tokens_in_same_order(voikko):
    text = "Muistisairaiden omaisten vertaistukiryhmä Kuopiossa"
    assert analysis.analyse_text(text) == analysis.analyse_text(text)


@pytest.fixture
def without_voikko(monkeypatch):
    # An entry of None in sys.modules makes `import libvoikko` raise ImportError.
    monkeypatch.setitem(sys.modules, "libvoikko", None)
    analysis.reset()
    yield
    analysis.reset()


def test_fallback_analyser_is_used_and_logged_once_without_libvoikko(without_voikko, caplog):
    with caplog.at_level(logging.WARNING, logger=analysis.__name__):
        assert analysis.analyser_name() == analysis.FALLBACK
        tokens = analysis.analyse_text("diabeetikoille Kuopiossa ja mielenterveysyhdistyksen")
        analysis.analyser_name()
    assert {"diabeetikko", "kuopio"} <= set(tokens)
    assert "ja" not in tokens
    assert len([r for r in caplog.records if "libvoikko" in r.getMessage()]) == 1


@pytest.fixture
def forced_fallback():
    analysis.reset(force_fallback=True)
    yield
    analysis.reset()


def test_the_fallback_can_be_forced_where_voikko_is_installed(forced_fallback):
    assert analysis.analyser_name() == analysis.FALLBACK


@pytest.mark.parametrize(
    "word, parts",
    [
        ("sydänpotilaille", {"sydän", "potilas"}),
        ("velkaongelmiin", {"velka", "ongelma"}),
        ("mielenterveyskuntoutujat", {"mielenterveys", "mieli", "terveys", "kuntoutuja"}),
        ("omaishoitajien", {"omainen", "hoitaja"}),  # the compound form of a -nen word
        ("kehitysvammaisten", {"kehitys", "vammainen"}),
        ("Liikuntaseura", {"liikunta", "seura"}),
        ("nepsylapsille", {"nepsy", "lapsi"}),  # an abbreviation of the taxonomy as a first part
        ("mt-kuntoutujat", {"mt", "kuntoutuja"}),  # hyphenated: each piece analysed
    ],
)
def test_fallback_splits_compounds_along_the_taxonomy(forced_fallback, word, parts):
    assert parts <= set(analysis.analyse_word(word))


@pytest.mark.parametrize("word", ["kuntoutus", "ikääntyminen", "Kuopiossa", "harrastekerhot"])
def test_fallback_leaves_words_that_are_no_compound_of_known_parts_whole(forced_fallback, word):
    tokens = analysis.analyse_word(word)
    assert len([t for t in tokens if not word.lower().startswith(t[:4])]) == 0


@pytest.mark.parametrize(
    "word, base",
    [
        ("tukea", "tuki"),  # simplemma's lemma is the verb
        ("Siilinjärvellä", "siilinjärvi"),
        ("omaisille", "omainen"),
        ("palvelut", "palvelu"),
        ("psyykkisesti", "psyykkinen"),  # an adverb: "psyykkisesti sairaat" names Mielenterveys
    ],
)
def test_fallback_suffix_table_finds_base_forms_of_the_lexicon(forced_fallback, word, base):
    assert base in analysis.base_forms(word)


def test_fallback_matches_an_unknown_word_by_its_stem(forced_fallback):
    assert analysis.uncertain_stem("harrastekerhoille").startswith("harrastekerho")
    assert analysis.uncertain_stem("diabeetikoille") == ""  # known: its lemma is enough
    assert analysis.uncertain_stem("mt-kuntoutujat") == ""  # hyphenated: its pieces are analysed


@pytest.mark.parametrize(
    "word, pieces",
    [("mt-kuntoutujat", {"mt", "kuntoutuja"}), ("KAT-potilaille", {"kat", "potilas"}), ("diabetes", set())],
)
def test_hyphenated_words_give_the_base_forms_of_their_pieces(analyser, word, pieces):
    assert pieces <= analysis.piece_forms(word) and (pieces or not analysis.piece_forms(word))


@pytest.mark.parametrize(
    "word, padding",
    [
        ("apua", True), ("avun", True), ("tukea", True), ("tuki", True), ("neuvontaa", True),
        ("palveluja", True), ("ryhmiin", True), ("toimintaa", True),
        ("sairastaville", True), ("sairastavat", True), ("sairastuneille", True), ("kärsiville", True),
        ("vertaistukea", False), ("ravitsemusneuvontaa", False), ("ruoka-apu", False), ("diabetes", False),
    ],
)
def test_padding_words_and_their_inflections(analyser, word, padding):
    assert analysis.is_padding(word) is padding


def test_words_keep_a_trailing_hyphen_that_analysis_drops(voikko):
    assert analysis.words("päihde- ja mielenterveyskuntoutujat") == ["päihde-", "ja", "mielenterveyskuntoutujat"]
    assert analysis.analyse_word("päihde-") == analysis.analyse_word("päihde")


def test_health_names_the_analyser(analyser, client):
    response = client.get("/terveys")
    assert response.text.splitlines() == ["ok", f"search analyser: {analyser}"]


def test_the_staff_dashboard_says_when_search_runs_on_the_fallback(analyser, client):
    from tests.admin_support import make_staff, sign_in_staff

    make_staff()
    sign_in_staff(client)
    page = client.get("/yllapito/").text
    assert ('id="heikko-haku"' in page) is (analyser == analysis.FALLBACK)
