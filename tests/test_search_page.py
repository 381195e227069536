"""The search page on a phone: the filter panel, result cards a nurse can act on, the
weight of an update, the way back from an organisation, the A–Z filters and the
urgent-help box."""
import gzip
import html
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from app.models import Municipality, OrganisationPhone
from app.search.query import concerns_urgent_help

HTMX = {"HX-Request": "true"}
# A results update of a full page must stay this small compressed (DESIGN: slow connections).
UPDATE_LIMIT_BYTES = 8 * 1024


def result_links(body: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'<article class="tulos"[^>]*>\s*<h3><a href="([^"]+)"', body)]


def card(body: str, organisation_id: int) -> str:
    return re.search(rf'<article class="tulos" id="tulos-{organisation_id}">.*?</article>', body, re.S).group(0)


# --- 1. phone first ----------------------------------------------------------------------

def test_filters_sit_in_one_closed_panel_that_says_how_many_are_chosen(client, make_organisation):
    make_organisation("Kuopion Kuuloyhdistys ry", municipalities=["Kuopio"], languages=["fi", "sv"])
    body = client.get("/").get_data(as_text=True)
    panel = re.search(r'<details id="suodattimet" class="suodatinpaneeli">\s*<summary>(.*?)</summary>', body, re.S)
    assert panel, "the filters are not in a closed <details> panel"
    assert re.sub(r"<[^>]+>", "", panel.group(1)) == "Rajaa hakua (ei valintoja)"
    # The search box comes first, the filters after it, the results after the form.
    assert body.index('id="q"') < body.index('id="suodattimet"') < body.index('id="tulosmaara"')
    # Without JavaScript the panel's own button shows the results.
    assert '<button type="submit"><span id="naytamaara">Näytä tulokset</span></button>' in body
    chosen = client.get("/haku?kieli=sv&kunta=1&kunta=2").get_data(as_text=True)
    assert '<summary>Rajaa hakua <span id="valintamaara">(3 valintaa)</span></summary>' in chosen


def test_a_page_of_results_drops_the_introduction_and_the_example(client, make_organisation):
    make_organisation("Kuopion Kuuloyhdistys ry", municipalities=["Kuopio"])
    front = client.get("/").get_data(as_text=True)
    results = client.get("/haku?q=kuulo").get_data(as_text=True)
    assert 'class="johdanto"' in front and 'id="q-ohje"' in front and 'aria-describedby="q-ohje"' in front
    assert 'class="johdanto"' not in results and "q-ohje" not in results


def test_htmx_update_carries_the_count_the_panel_and_its_button_show(client, make_organisation):
    make_organisation("Kuopion Kuuloyhdistys ry", municipalities=["Kuopio"], languages=["fi", "sv"])
    make_organisation("Iisalmen Kuuloyhdistys ry", municipalities=["Iisalmi"], languages=["fi", "sv"])
    body = client.get("/haku?q=kuuloyhdistys&kieli=sv", headers=HTMX).get_data(as_text=True)
    assert '<p id="tulosmaara" hx-swap-oob="innerHTML">2 järjestöä löytyi</p>' in body
    assert '<span id="valintamaara" hx-swap-oob="innerHTML">(1 valinta)</span>' in body
    assert '<span id="naytamaara" hx-swap-oob="innerHTML">Näytä 2 tulosta</span>' in body


def test_htmx_update_carries_the_title_of_the_new_search(client, make_organisation):
    """htmx sets the document's title from it, so the title names the search the address holds."""
    make_organisation("Kuopion Kuuloyhdistys ry", municipalities=["Kuopio"])
    body = client.get("/sv/haku?q=kuulo", headers=HTMX).get_data(as_text=True)
    assert body.startswith("<title>Sökning: kuulo – Hyvinvointitarjotin</title>")
    assert client.get("/haku?q=%3Cb%3E", headers=HTMX).get_data(as_text=True).startswith(
        "<title>Haku: &lt;b&gt; – Hyvinvointitarjotin</title>"
    )


def test_the_count_can_take_focus_and_the_page_loads_the_script_that_moves_it(client, make_organisation):
    make_organisation("Kuopion Kuuloyhdistys ry", municipalities=["Kuopio"])
    body = client.get("/haku?q=kuulo").get_data(as_text=True)
    assert '<p id="tulosmaara" class="tulosmaara" role="status" tabindex="-1">' in body
    script = re.search(r'<script src="(/static/js/search\.[0-9a-f]{8}\.js)" defer></script>', body)
    assert script and client.get(script.group(1)).status_code == 200
    assert "<script>" not in body and " style=" not in body


# --- 4. cards ----------------------------------------------------------------------------

def test_a_card_shows_phone_meeting_times_area_and_a_pause(client, make_organisation):
    local = make_organisation(
        "Kuopion Kuuloyhdistys ry", municipalities=["Kuopio", "Siilinjärvi"],
        meeting_times="Kuulokahvila joka tiistai klo 13.",
        phones=[OrganisationPhone(number="+358401112222", role="toiminnanjohtaja", position=1),
                OrganisationPhone(number="+358175550000", role="", position=0)],
    )
    paused_until = date.today() + timedelta(days=20)
    national = make_organisation("Kuuloliitto ry", nationwide=True, paused_until=paused_until)
    body = client.get("/haku?q=kuulo").get_data(as_text=True)
    text = re.sub(r"\s+", " ", card(body, local.id))
    assert "<dt>Alue</dt> <dd>Kuopio, Siilinjärvi</dd>" in text
    assert "<dt>Kokoontumisajat</dt> <dd>Kuulokahvila joka tiistai klo 13.</dd>" in text
    # The first phone of the organisation's own order, as a link a phone can call.
    assert '<dt>Puhelin</dt> <dd><a href="tel:+358175550000">017 555 0000</a></dd>' in text
    assert "0401112222" not in text and "401112222" not in text
    other = re.sub(r"\s+", " ", card(body, national.id))
    assert "<dd>Koko Suomi</dd>" in other and "Puhelin" not in other and "Kokoontumisajat" not in other
    assert f"Toiminta tauolla {paused_until.day}.{paused_until.month}.{paused_until.year} asti." in other


def test_a_phone_role_follows_the_number(client, make_organisation):
    organisation = make_organisation(
        "Muistiyhdistys ry", phones=[OrganisationPhone(number="+358401234567", role="neuvonta arkisin", position=0)]
    )
    text = re.sub(r"\s+", " ", card(client.get("/haku").get_data(as_text=True), organisation.id))
    assert '<a href="tel:+358401234567">040 123 4567</a> (neuvonta arkisin)</dd>' in text


def test_a_20_result_update_stays_within_8_kb_compressed(client, demo):
    """The demo data's fullest page of results, cards with phones and meeting times."""
    response = client.get("/haku?q=vertaistuki", headers=HTMX)
    body = response.get_data()
    assert body.count(b'<article class="tulos"') == 20
    assert body.count(b'href="tel:') >= 15 and body.count(b"<dt>Kokoontumisajat</dt>") >= 15
    packed = len(gzip.compress(body, 9))
    print(f"\n20-result htmx update: {packed} bytes gzip, {len(body)} raw")
    assert packed <= UPDATE_LIMIT_BYTES, f"{packed} bytes gzip"


# --- 9. back to the search ---------------------------------------------------------------

@pytest.fixture
def kuopio_organisation(make_organisation):
    return make_organisation("Kuopion Kuuloyhdistys ry", municipalities=["Kuopio"], languages=["fi"])


def back_link(body: str) -> str:
    return html.unescape(re.search(r'<p class="takaisin"><a href="([^"]+)">Takaisin hakuun</a></p>', body).group(1))


def test_result_links_carry_the_search_and_the_page_returns_to_it(client, db, kuopio_organisation):
    kuopio = db.session.scalar(db.select(Municipality).filter_by(name_fi="Kuopio")).id
    body = client.get(f"/haku?q=kuulo&kunta={kuopio}&kieli=fi").get_data(as_text=True)
    [link] = result_links(body)
    assert urlsplit(link).path == f"/jarjestot/{kuopio_organisation.id}"
    assert parse_qs(urlsplit(link).query) == {"haku": [f"q=kuulo&kunta={kuopio}&kieli=fi"]}
    page = client.get(link).get_data(as_text=True)
    assert back_link(page) == f"/haku?q=kuulo&kunta={kuopio}&kieli=fi"
    # Without JavaScript the tray button comes back to this page, still knowing the search.
    assert re.search(r'<input type="hidden" name="next" value="/jarjestot/\d+\?haku=q%3Dkuulo%26kunta%3D\d+%26kieli%3Dfi">',
                     page)


def test_a_new_search_links_organisations_plainly(client, kuopio_organisation):
    assert result_links(client.get("/").get_data(as_text=True)) == [f"/jarjestot/{kuopio_organisation.id}"]
    assert back_link(client.get(f"/jarjestot/{kuopio_organisation.id}").get_data(as_text=True)) == "/haku"


def test_the_referer_counts_when_it_is_our_search_page(client, kuopio_organisation):
    url = f"/jarjestot/{kuopio_organisation.id}"
    ours = client.get(url, headers={"Referer": "http://localhost/haku?q=kuulo&sivu=2"}).get_data(as_text=True)
    assert back_link(ours) == "/haku?q=kuulo&sivu=2"
    front = client.get(url, headers={"Referer": "http://localhost/?q=kuulo"}).get_data(as_text=True)
    assert back_link(front) == "/haku?q=kuulo"
    for referer in ("https://elsewhere.example/haku?q=kuulo", "http://localhost/tarjotin?q=kuulo"):
        assert back_link(client.get(url, headers={"Referer": referer}).get_data(as_text=True)) == "/haku"


@pytest.mark.parametrize(
    "haku, expected",
    [
        ("https://evil.example/", "/haku"),
        ("//evil.example/haku?q=x", "/haku"),
        ("q=kuulo&next=https://evil.example&sivu=x", "/haku?q=kuulo"),
        ("q=<script>&tarve=abc", "/haku?q=%3Cscript%3E"),
        ("", "/haku"),
    ],
)
def test_the_search_parameter_is_read_back_as_search_parameters_only(client, kuopio_organisation, haku, expected):
    response = client.get(f"/jarjestot/{kuopio_organisation.id}", query_string={"haku": haku})
    assert response.status_code == 200
    assert back_link(response.get_data(as_text=True)) == expected


# --- 9. A–Z by letter and municipality ---------------------------------------------------

@pytest.fixture
def listed(make_organisation):
    make_organisation("Aava ry", municipalities=["Kuopio"])
    make_organisation("Alku ry", municipalities=["Iisalmi"])
    make_organisation("Beeta ry", municipalities=["Kuopio"])
    make_organisation("Valtakunnan Liitto", nationwide=True)
    make_organisation("Wilho ry", municipalities=["Iisalmi"])


def listed_names(body: str) -> list[str]:
    return re.findall(r'<li><a href="/jarjestot/\d+">([^<]+)</a>', body)


def letter_links(body: str) -> list[str]:
    nav = re.search(r'<nav class="kirjaimet".*?</nav>', body, re.S).group(0)
    return re.findall(r">([^<]+)</a>", nav)


def test_a_to_z_by_letter(client, listed):
    body = client.get("/jarjestot?kirjain=A").get_data(as_text=True)
    assert listed_names(body) == ["Aava ry", "Alku ry"]
    assert letter_links(body) == ["Kaikki", "A", "B", "V"]
    assert '<a href="/jarjestot?kirjain=A" aria-current="page">A</a>' in body
    assert "Näytetään 2 järjestöä." in body
    # W files under V, as in the list.
    assert listed_names(client.get("/jarjestot?kirjain=V").get_data(as_text=True)) == ["Valtakunnan Liitto", "Wilho ry"]


def test_a_to_z_by_municipality_keeps_nationwide_ones_and_the_letter_links_keep_it(client, db, listed):
    kuopio = db.session.scalar(db.select(Municipality).filter_by(name_fi="Kuopio")).id
    body = client.get(f"/jarjestot?kunta={kuopio}").get_data(as_text=True)
    assert listed_names(body) == ["Aava ry", "Beeta ry", "Valtakunnan Liitto"]
    assert f'<option value="{kuopio}" selected>Kuopio</option>' in body
    assert letter_links(body) == ["Kaikki", "A", "B", "V"]
    assert f'href="/jarjestot?kirjain=B&amp;kunta={kuopio}"' in body
    both = client.get(f"/jarjestot?kirjain=A&kunta={kuopio}").get_data(as_text=True)
    assert listed_names(both) == ["Aava ry"]
    assert "<title>Kaikki järjestöt: Kuopio – Hyvinvointitarjotin</title>" in both


@pytest.mark.parametrize("query", ["kirjain=Q", "kirjain=%3Cb%3E", "kunta=999999", "kunta=abc"])
def test_a_to_z_ignores_a_letter_or_municipality_it_does_not_have(client, listed, query):
    response = client.get(f"/jarjestot?{query}")
    assert response.status_code == 200
    assert listed_names(response.get_data(as_text=True)) == [
        "Aava ry", "Alku ry", "Beeta ry", "Valtakunnan Liitto", "Wilho ry"]


# --- 9. urgent help ----------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    ["itsemurha", "itsemurha-ajatuksia", "itsetuhoisuus", "kriisiapua", "erokriisi", "perheväkivaltaa",
     "väkivallan uhri", "lähisuhdeväkivalta Kuopiossa", "myrkytys", "lapsi söi myrkkyä", "myrkyllinen sieni",
     "yliannostus", "hätä", "självmord", "suicide",
     # Compounds that start with a listed word, and phrases of everyday words.
     "självmordstankar", "självskadebeteende", "suicidal", "self-harm", "self harm", "want to die",
     "I want to kill myself", "haluan kuolla", "haluaisin kuolla", "jag vill dö", "tappaa itseni"],
)
def test_urgent_words_are_recognised_in_any_form(app, text):
    assert concerns_urgent_help(text)


@pytest.mark.parametrize("text", ["", "diabetes", "vertaistuki Kuopiossa", "muisti", "kuntoutus", "omaishoitaja",
                                  "kuolla", "die", "harm reduction", "vill ha vertaisstöd", "self help"])
def test_everyday_words_are_not_urgent(app, text):
    assert not concerns_urgent_help(text)


def test_urgent_help_box_is_shown_above_the_results_on_page_and_update(client, make_organisation):
    make_organisation("Kriisikeskus Mobile ry", needs=["Kriisit ja traumat"], municipalities=["Kuopio"])
    page = client.get("/haku?q=kriisi").get_data(as_text=True)
    update = client.get("/haku?q=kriisi", headers=HTMX).get_data(as_text=True)
    for body in (page, update):
        box = re.search(r'<aside class="kiireellinen".*?</aside>', body, re.S)
        assert box, "no urgent-help box"
        assert body.index("kiireellinen") < body.index('<article class="tulos"')
        numbers = re.findall(r'<a href="tel:([^"]+)">([^<]+)</a>', box.group(0))
        assert numbers == [("112", "112"), ("+358925250111", "09 2525 0111"), ("+358925250112", "09 2525 0112"),
                           ("+35880005005", "080 005 005"), ("+358800147111", "0800 147 111")]
    assert "kiireellinen" not in client.get("/haku?q=kuntoutus").get_data(as_text=True)


@pytest.mark.parametrize(("prefix", "said"), [("", "Haettiin myös samankaltaisilla sanoilla"),
                                              ("/sv", "Sökte också med liknande ord"),
                                              ("/en", "Also searched for similar words")])
def test_the_page_says_what_a_typo_was_also_searched_as(client, make_organisation, prefix, said):
    make_organisation("Varkauden Sokeriklubi", needs=["Diabetes"], municipalities=["Varkaus"])
    make_organisation("Leppävirran Reumayhdistys ry", municipalities=["Leppävirta"])

    typo = html.unescape(client.get(f"{prefix}/haku?q=diabtes").text)
    assert "Varkauden Sokeriklubi" in typo
    note = re.search(r'<p class="korjaus">(.*?)</p>', typo).group(1)
    assert note.startswith(said) and "diabtes → diabetes" in note
    partial = client.get(f"{prefix}/haku?q=diabtes", headers={"HX-Request": "true"}).text
    assert 'class="korjaus"' in partial, "the htmx update says it too"
    assert 'class="korjaus"' not in client.get(f"{prefix}/haku?q=reumayhdistys").text
