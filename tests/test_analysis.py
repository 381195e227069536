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
