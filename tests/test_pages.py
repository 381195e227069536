"""Public pages: search (full page and htmx partial), organisation page, A–Z, info pages."""
import html
import re
from datetime import date, datetime, timedelta

import pytest

from app.models import Activity, Municipality, Need, OrganisationKeyword, OrganisationPhone

HTMX = {"HX-Request": "true"}


def names_in_results(body: str) -> list[str]:
    """Organisation names of the result articles, in page order."""
    return [html.unescape(n) for n in re.findall(r'<article class="tulos"[^>]*>\s*<h3><a href="[^"]+">([^<]+)</a>', body)]


def chip_links(body: str) -> dict[str, str]:
    """Chip label → the href that removes it."""
    chips = re.findall(r'<a class="chip" href="([^"]+)#tulokset-otsikko">(.*?)</a>', body, re.S)
    assert len(chips) == body.count('class="chip"'), "every chip's link lands at the results"
    return {re.sub(r"<[^>]+>", "", label).replace("Poista rajaus", "").replace("×", "").strip(): html.unescape(href)
            for href, label in chips}


def id_of(db, model, **by):
    return db.session.scalar(db.select(model).filter_by(**by)).id


@pytest.fixture
def two_orgs(make_organisation):
    make_organisation(
        "Kuopion Muistiyhdistys ry", needs=["Muistisairaus"], activities=["Vertaistuki"], municipalities=["Kuopio"]
    )
    make_organisation(
        "Varkauden Diabetesyhdistys ry", needs=["Diabetes"], activities=["Liikunta"], municipalities=["Varkaus"]
    )


def test_front_page_is_the_full_search_page(client, two_orgs):
    response = client.get("/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="fi">' in body
    assert '<form id="haku"' in body and 'role="search"' in body
    assert 'id="q"' in body and ">Hakusana</label>" in body
    for question in ("Mihin etsit tukea?", "Millaista tukea etsit?", "Miltä alueelta etsit tukea?"):
        assert question in body
    assert '<p id="tulosmaara" class="tulosmaara" role="status" tabindex="-1">2 järjestöä löytyi</p>' in body
    assert '<div id="tulokset">' in body
    assert "HX-Request" in response.headers["Vary"]
    assert client.get("/haku").get_data(as_text=True).count('<article class="tulos"') == 2


def test_htmx_request_gets_only_the_results_and_the_count_out_of_band(client, two_orgs):
    response = client.get("/haku?q=diabetes", headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in body and 'id="haku"' not in body and 'id="q"' not in body
    assert names_in_results(body) == ["Varkauden Diabetesyhdistys ry"]
    assert '<p id="tulosmaara" hx-swap-oob="innerHTML">1 järjestö löytyi</p>' in body


@pytest.mark.parametrize("extra", [{"HX-History-Restore-Request": "true"}, {"HX-Boosted": "true"}])
def test_history_restore_and_boosted_requests_get_the_full_page(client, two_orgs, extra):
    response = client.get("/haku?q=diabetes", headers={**HTMX, **extra})
    body = response.get_data(as_text=True)
    assert "<html" in body and '<form id="haku"' in body
    assert "HX-Request" in response.headers["Vary"]


def test_form_is_wired_for_htmx_without_needing_it(client, two_orgs):
    body = client.get("/").get_data(as_text=True)
    form = re.search(r"<form id=\"haku\"[^>]*>", body).group(0)
    assert 'action="/haku"' in form and 'method="get"' in form
    assert 'hx-get="/haku"' in form and 'hx-target="#tulokset"' in form
    assert 'hx-sync="this:replace"' in form and 'hx-replace-url="true"' in form
    assert "input changed delay:300ms from:#q" in form and "change from:#suodattimet" in form
    assert '<button type="submit">Hae</button>' in body
    assert '<button type="submit"><span id="naytamaara">Näytä tulokset</span></button>' in body


def test_the_filter_panel_speaks_the_page_language_and_ticks_only_this_search(client, db, taxonomy):
    """The panel's checkboxes are rendered once per language and list of choices: never another page's ticks."""
    kuopio = id_of(db, Municipality, name_fi="Kuopio")
    finnish = client.get(f"/haku?kunta={kuopio}&kieli=sv&esteettomyys=induktiosilmukka").get_data(as_text=True)
    swedish = client.get("/sv/haku?kieli=selkokieli").get_data(as_text=True)
    english = client.get("/en/haku").get_data(as_text=True)
    assert '<label for="kieli-sv">Ruotsi</label>' in finnish and '<label for="kieli-sv">Svenska</label>' in swedish
    assert '<label for="esteettomyys-induktiosilmukka">Induction loop</label>' in english
    assert f'<label for="kunta-{kuopio}">Kuopio</label>' in swedish
    assert finnish.count(" checked>") == 3
    assert f'value="{kuopio}" checked>' in finnish and 'value="induktiosilmukka" checked>' in finnish
    assert swedish.count(" checked>") == 1 and 'id="kieli-selkokieli" name="kieli" type="checkbox" value="selkokieli" checked>' in swedish
    assert " checked>" not in english
    # The next visitor in the same language gets their own ticks, not the last one's.
    again = client.get("/haku?kieli=en").get_data(as_text=True)
    assert again.count(" checked>") == 1 and 'value="en" checked>' in again


def test_filters_keep_their_values_and_make_removable_chips(client, db, two_orgs):
    memory = id_of(db, Need, name="Muistisairaus")
    peer = id_of(db, Activity, name="Vertaistuki")
    kuopio = id_of(db, Municipality, name_fi="Kuopio")
    body = client.get(f"/haku?q=yhdistys&tarve={memory}&toiminta={peer}&kunta={kuopio}").get_data(as_text=True)
    assert names_in_results(body) == ["Kuopion Muistiyhdistys ry"]
    assert 'value="yhdistys"' in body
    assert f'<input id="tarve-{memory}" name="tarve" type="checkbox" value="{memory}" checked>' in body
    assert f'<input id="toiminta-{peer}" name="toiminta" type="checkbox" value="{peer}" checked>' in body
    assert f'<input id="kunta-{kuopio}" name="kunta" type="checkbox" value="{kuopio}" checked>' in body
    # Only what was chosen is marked, and the closed filter panel says how much.
    assert body.count(" checked>") == 3
    assert '<span id="valintamaara">(3 valintaa)</span>' in body

    chips = chip_links(body)
    assert set(chips) == {"Aihe: Muistisairaus", "Toiminta: Vertaistuki", "Alue: Kuopio"}
    without_need = chips["Aihe: Muistisairaus"]
    assert f"tarve={memory}" not in without_need and f"kunta={kuopio}" in without_need and "q=yhdistys" in without_need
    follow = client.get(without_need).get_data(as_text=True)
    assert set(chip_links(follow)) == {"Toiminta: Vertaistuki", "Alue: Kuopio"}


def test_several_needs_from_a_link_are_or_and_stay_in_the_form(client, db, two_orgs):
    memory = id_of(db, Need, name="Muistisairaus")
    diabetes = id_of(db, Need, name="Diabetes")
    body = client.get(f"/haku?tarve={memory}&tarve={diabetes}").get_data(as_text=True)
    assert sorted(names_in_results(body)) == ["Kuopion Muistiyhdistys ry", "Varkauden Diabetesyhdistys ry"]
    assert re.search(rf'<input id="tarve-{memory}" [^>]* checked>', body)
    assert re.search(rf'<input id="tarve-{diabetes}" [^>]* checked>', body)
    assert set(chip_links(body)) == {"Aihe: Muistisairaus", "Aihe: Diabetes"}


def test_municipality_in_the_text_is_a_chip_that_removes_the_word(client, two_orgs):
    body = client.get("/haku?q=yhdistys+Kuopiossa").get_data(as_text=True)
    assert names_in_results(body) == ["Kuopion Muistiyhdistys ry"]
    chips = chip_links(body)
    assert list(chips) == ["Alue hakusanasta: Kuopio"]
    assert chips["Alue hakusanasta: Kuopio"] == "/haku?q=yhdistys"
    # In Swedish the place comes after a preposition, which goes with it.
    chips = chip_links(client.get("/sv/haku?q=yhdistys+i+Kuopio").text)
    assert list(chips.values()) == ["/sv/haku?q=yhdistys"]


def test_no_results_offers_ways_out(client, db, two_orgs):
    kuopio = id_of(db, Municipality, name_fi="Kuopio")
    body = client.get(f"/haku?q=diabetes&kunta={kuopio}").get_data(as_text=True)
    assert names_in_results(body) == []
    assert "Yhtään järjestöä ei löytynyt" in body
    assert "Poista rajaus alue: Kuopio" in body
    assert 'href="/haku?q=diabetes#tulokset-otsikko"' in body  # the chip link that drops Kuopio
    assert f'href="/haku?kunta={kuopio}"' in body  # clear the text, keep the area
    assert 'href="/jarjestot"' in body
    assert names_in_results(client.get("/haku?q=diabetes").get_data(as_text=True)) == ["Varkauden Diabetesyhdistys ry"]


def test_without_text_or_filters_everything_is_listed_a_to_z(client, make_organisation):
    for name in ("Östra ry", "Ääni ry", "Aava ry", "Wilho ry", "Beeta ry"):
        make_organisation(name, municipalities=["Kuopio"])
    make_organisation("Piilotettu ry", status="hidden")
    body = client.get("/").get_data(as_text=True)
    assert names_in_results(body) == ["Aava ry", "Beeta ry", "Wilho ry", "Ääni ry", "Östra ry"]


def test_pagination_marks_the_current_page_and_links_the_others(client, make_organisation):
    for number in range(23):
        make_organisation(f"Yhdistys {number:02d} ry", municipalities=["Iisalmi"])
    first = client.get("/haku").get_data(as_text=True)
    assert len(names_in_results(first)) == 20
    nav = re.search(r'<nav class="sivutus" aria-label="Hakutulosten sivut">.*?</nav>', first, re.S).group(0)
    assert re.search(r'href="/haku#tulokset-otsikko" aria-current="page"><span class="piilotettu">Sivu </span>1<', nav)
    assert 'href="/haku?sivu=2#tulokset-otsikko" rel="next"' in nav
    second = client.get("/haku?sivu=2").get_data(as_text=True)
    assert names_in_results(second) == ["Yhdistys 20 ry", "Yhdistys 21 ry", "Yhdistys 22 ry"]
    assert 'aria-current="page"><span class="piilotettu">Sivu </span>2<' in second
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_paused_organisation_is_marked_in_results_and_on_its_page(client, make_organisation):
    paused = make_organisation(
        "Tauolla ry", municipalities=["Tervo"], paused_until=date.today() + timedelta(days=30), paused_note="Kesätauko."
    )
    make_organisation("Palannut ry", municipalities=["Tervo"], paused_until=date.today() - timedelta(days=1))
    body = client.get("/haku").get_data(as_text=True)
    until = (date.today() + timedelta(days=30)).strftime("%-d.%-m.%Y")
    assert body.count("Toiminta tauolla") == 1 and f"Toiminta tauolla {until} asti." in body
    page = client.get(f"/jarjestot/{paused.id}").get_data(as_text=True)
    assert "Toiminta tauolla" in page and "Kesätauko." in page


def test_an_organisation_without_contact_details_says_so_and_a_postal_code_alone_shows(client, make_organisation):
    bare = make_organisation("Hiljainen kerho")
    coded = make_organisation("Postinumerokerho", postal_code="70100")
    body = client.get(f"/jarjestot/{bare.id}").get_data(as_text=True)
    facts = body[body.index('<h2 id="yhteystiedot">'):body.index('<h2 id="toiminta">')]
    assert "Julkisia yhteystietoja ei ole ilmoitettu." in facts and "<dl" not in facts
    coded_page = client.get(f"/jarjestot/{coded.id}").get_data(as_text=True)
    assert "<dt>Osoite</dt>" in coded_page and "70100" in coded_page
    assert "Julkisia yhteystietoja ei ole ilmoitettu." not in coded_page


def test_organisation_page_shows_every_public_field(client, make_organisation):
    parent = make_organisation("Suomen Muistiliitto ry", org_type="liitto", nationwide=True)
    organisation = make_organisation(
        "Siilinjärven Muistiyhdistys ry",
        org_type="yhdistys",
        business_id="1572860-0",
        parent_id=parent.id,
        description="Vertaistukea muistisairaille ja heidän läheisilleen.",
        needs=["Muistisairaus", "Omaishoitajuus"],
        activities=["Vertaistuki", "Liikunta"],
        municipalities=["Siilinjärvi", "Kuopio"],
        street_address="Kasurilantie 1",
        postal_code="71800",
        post_office="Siilinjärvi",
        email="info@muisti-siilinjarvi.example",
        website="https://muisti-siilinjarvi.example/",
        meeting_times="Kokoontuu joka tiistai klo 18",
        languages=["fi", "selkokieli"],
        step_free_access="yes",
        accessible_toilet="no",
        induction_loop="unknown",
        accessibility_notes="Hissi pääovelta.",
        confirmed_at=datetime(2026, 3, 5, 12, 0),
        phones=[OrganisationPhone(number="+358401234567", role="puheenjohtaja", position=0)],
        keywords=[OrganisationKeyword(keyword="muistikahvila")],
    )
    response = client.get(f"/jarjestot/{organisation.id}")
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    for text in (
        "<h1>Siilinjärven Muistiyhdistys ry</h1>", "Yhdistys, Y-tunnus 1572860-0",
        "Vertaistukea muistisairaille ja heidän läheisilleen.", "Suomen Muistiliitto ry",
        "Kasurilantie 1, 71800 Siilinjärvi", "Kokoontuu joka tiistai klo 18",
        '<a href="tel:+358401234567">040 123 4567</a>', "Puhelin (puheenjohtaja)",
        '<a href="mailto:info@muisti-siilinjarvi.example">', 'href="https://muisti-siilinjarvi.example/"',
        "Kuopio, Siilinjärvi", "Muistisairaus, Omaishoitajuus", "Vertaistuki, Liikunta", "muistikahvila",
        "suomi, selkokieli", "Hissi pääovelta.", "Tiedot tarkistettu 5.3.2026.",
    ):
        assert text in body, text
    accessibility = re.sub(r"\s+", " ", body.split('id="esteettomyys"')[1])
    assert "Esteetön sisäänkäynti</dt> <dd>Kyllä" in accessibility
    assert "Esteetön WC</dt> <dd>Ei</dd>" in accessibility
    assert "Induktiosilmukka</dt> <dd>Ei tiedossa" in accessibility
    assert f'href="/jarjestot/{parent.id}"' in body
    parent_page = client.get(f"/jarjestot/{parent.id}").get_data(as_text=True)
    assert "Koko Suomi" in parent_page and "Liitto" in parent_page
    assert f'href="/jarjestot/{organisation.id}"' in parent_page  # listed as a local association


def test_unpublished_parent_is_not_named(client, make_organisation):
    hidden_parent = make_organisation("Salainen Liitto ry", status="pending")
    child = make_organisation("Paikallinen ry", parent_id=hidden_parent.id)
    assert "Salainen Liitto" not in client.get(f"/jarjestot/{child.id}").get_data(as_text=True)


@pytest.mark.parametrize("status", ["pending", "hidden", "rejected"])
def test_unpublished_organisation_is_not_found(client, make_organisation, status):
    organisation = make_organisation("Näkymätön ry", status=status)
    response = client.get(f"/jarjestot/{organisation.id}")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Näkymätön" not in body
    assert "<title>Sivua ei löytynyt (404) – Hyvinvointitarjotin</title>" in body


def test_a_to_z_page_groups_by_letter_with_an_index(client, make_organisation):
    for name in ("Aava ry", "Alku ry", "Ääni ry", "Wilho ry", "Vire ry", "4H-kerho"):
        make_organisation(name, municipalities=["Kaavi"])
    make_organisation("Ammattiyhdistys", status="hidden")
    body = client.get("/jarjestot").get_data(as_text=True)
    headings = re.findall(r'<h2 id="kirjain-\d+">([^<]+)</h2>', body)
    assert headings == ["0–9", "A", "V", "Ä"]
    letters = re.search(r'<nav class="kirjaimet".*?</nav>', body, re.S).group(0)
    assert re.findall(r'<a href="/jarjestot\?kirjain=[^"]+"[^>]*>([^<]+)</a>', letters) == headings
    listed = re.findall(r'<a href="/jarjestot/\d+">([^<]+)</a>', body)
    assert listed == ["4H-kerho", "Aava ry", "Alku ry", "Wilho ry", "Vire ry", "Ääni ry"]  # W files as V
    assert "Palvelussa on 6 järjestöä aakkosjärjestyksessä." in body


@pytest.mark.parametrize(
    "url, heading",
    [
        ("/ohjeet", "Ohjeet"),
        ("/ohjeet/selkokieli", "Ohjeet selkokielellä"),
        ("/saavutettavuusseloste", "Saavutettavuusseloste"),
        ("/tietosuojaseloste", "Tietosuojaseloste"),
        ("/avoin-data", "Avoin data"),
        ("/jarjestot", "Kaikki järjestöt"),
    ],
)
def test_info_pages(client, app, url, heading):
    app.config["STAFF_NOTIFY_EMAIL"] = "tuki@palvelukeskus.example"
    response = client.get(url)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in body
    assert '<a class="ohitus" href="#sisalto">Siirry sisältöön</a>' in body
    if url != "/jarjestot":
        assert "mailto:tuki@palvelukeskus.example" in body


def test_navigation_marks_the_current_page(client):
    body = client.get("/ohjeet").get_data(as_text=True)
    assert '<a href="/ohjeet" aria-current="page">Ohjeet</a>' in body
    assert '<a href="/" aria-current="page">' not in body


def test_a_method_a_page_does_not_take_is_405_with_allow(client):
    for path in ("/tietosuojaseloste", "/api/v1/taxonomy"):
        response = client.delete(path)
        assert response.status_code == 405
        assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}
    assert client.delete("/api/v1/taxonomy").get_json() == {"error": "Toiminto ei ole sallittu", "status": 405}


def test_a_url_too_long_is_414_as_a_page_or_as_json(client):
    long_text = "a" * 5000
    page = client.get(f"/haku?q={long_text}")
    assert page.status_code == 414 and page.mimetype == "text/html"
    assert "Osoite on liian pitkä" in page.text
    api = client.get(f"/api/v1/organisations?q={long_text}")
    assert api.status_code == 414 and api.get_json() == {"error": "Osoite on liian pitkä", "status": 414}


def test_open_data_page_names_the_licence_and_is_in_the_footer(client, app):
    app.config.update(DATA_LICENCE="CC0-1.0", DATA_LICENCE_URL="https://creativecommons.org/publicdomain/zero/1.0/")
    body = client.get("/avoin-data").get_data(as_text=True)
    assert '<a href="https://creativecommons.org/publicdomain/zero/1.0/">CC0-1.0</a>' in body
    assert "curl -O http://portal.test/api/hsds/datapackage.zip" in body
    assert '<a href="/avoin-data">Avoin data</a>' in client.get("/ohjeet").get_data(as_text=True)


def test_open_data_page_names_a_channel_for_questions_with_or_without_a_staff_address(client, app):
    app.config.update(STAFF_NOTIFY_EMAIL="")
    without = client.get("/avoin-data").get_data(as_text=True)
    assert 'href="mailto:"' not in without and "palvelun ylläpitäjälle (" in without
    app.config.update(STAFF_NOTIFY_EMAIL="tuki@keskus.example")
    assert '<a href="mailto:tuki@keskus.example">' in client.get("/avoin-data").get_data(as_text=True)


def test_template_texts_translate_the_same_in_a_page_a_macro_and_a_mail(app):
    """Templates translate through their render's Translations; a macro imported
    without context (no render to read them from) and a render with no request
    (mail from the CLI) still translate, and the newstyle %-formatting escapes."""
    from flask import render_template
    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_env.loader = ChoiceLoader([
        DictLoader({
            "macro.html": '{% macro title(text) %}{{ _("Haku: %(text)s", text=text) }}{% endmacro %}',
            "page.html": '{% from "macro.html" import title %}{{ title("<b>") }}|{{ _("Haku: %(text)s", text="<i>") }}|'
                         '{{ ngettext("%(num)d järjestö löytyi", "%(num)d järjestöä löytyi", 2) }}',
        }),
        app.jinja_env.loader,
    ])
    expected = "Haku: &lt;b&gt;|Haku: &lt;i&gt;|2 järjestöä löytyi"
    assert render_template("page.html") == expected
    with app.test_request_context("/"):
        assert render_template("page.html") == expected


@pytest.mark.parametrize("prefix", ["", "/sv", "/en"])
def test_the_instructions_name_the_search_page_as_it_reads(client, taxonomy, make_organisation, prefix):
    unescape = html.unescape
    make_organisation("Tauolla oleva ry", paused_until=date.today() + timedelta(days=30))
    steps = client.get(f"{prefix}/ohjeet").text.split('id="haku"', 1)[1].split("</ol>", 1)[0]
    named = [unescape(name) for name in re.findall(r"<strong>(.*?)</strong>", steps)]
    search = unescape(client.get(f"{prefix}/haku").text)
    assert len(named) >= 5
    for name in named:
        if name.endswith("?") or name in (named[0],):  # the panel and its headings, word for word
            assert name in search, name
    label = re.search(r"[“”](.*?)[“”]", unescape(client.get(f"{prefix}/ohjeet").text.split("</ol>", 1)[1])).group(1)
    paused = unescape(client.get(f"{prefix}/haku?q=tauolla").text)
    assert label.rstrip(" …") in paused, label
