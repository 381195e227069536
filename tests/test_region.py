"""Any region by data: the REGION setting picks a folder, and nothing of Pohjois-Savo shows elsewhere."""
import pytest
from sqlalchemy import select

from app import create_app
from app.models import Municipality, Need, Organisation
from app.platform.region import REGIONS_FOLDER, RegionError, load_region
from app.search.index import index_organisation
from tests.clients import once
from tests.conftest import make_test_config

OTHER_REGION_WORDS = ("Pohjois-Sav", "Norra Savolax", "North Savo", "Kuopio")
PAGES = (
    "/", "/haku", "/haku?q=diabetes+Jyväskylässä", "/jarjestot", "/ohjeet", "/ohjeet/selkokieli",
    "/saavutettavuusseloste", "/tietosuojaseloste", "/avoin-data", "/jarjestoille/", "/tyopajat",
    "/tapahtumat", "/tarjotin", "/api/v1/openapi.json",
)


@pytest.fixture
def app_config():
    return {"REGION": "keski-suomi"}


def seed_keski_suomi(runner) -> None:
    result = runner.invoke(args=["seed", "taxonomy", "--region", "keski-suomi"])
    assert result.exit_code == 0, result.output
    assert "municipalities: 22" in result.output


def jyvaskyla_organisation(db) -> Organisation:
    organisation = Organisation(
        name="Jyväskylän Diabetesyhdistys ry", status="published", description="Vertaistukea diabeetikoille.",
        email="diabetes@esimerkki.fi", street_address="Kauppakatu 1", postal_code="40100", post_office="Jyväskylä",
    )
    organisation.municipalities = [db.session.scalar(select(Municipality).filter_by(code="179"))]
    organisation.needs = [db.session.scalar(select(Need).filter_by(name="Diabetes"))]
    db.session.add(organisation)
    db.session.flush()
    index_organisation(organisation)
    db.session.commit()
    return organisation


def test_the_region_folders_hold_official_municipality_codes():
    keski_suomi = (REGIONS_FOLDER / "keski-suomi" / "municipalities.csv").read_text(encoding="utf-8")
    assert "179,Jyväskylä,Jyväskylä" in keski_suomi
    assert "992,Äänekoski,Äänekoski" in keski_suomi
    # Kuhmoinen moved to Pirkanmaa in 2021.
    assert "Kuhmoinen" not in keski_suomi
    assert len(keski_suomi.strip().splitlines()) == 1 + 22
    for folder in REGIONS_FOLDER.iterdir():
        load_region(folder)


def test_swedish_and_english_use_one_name_in_every_case_and_keep_the_finnish_example():
    region = load_region(REGIONS_FOLDER / "pohjois-savo")
    finnish, swedish, english = (region.in_language(language) for language in ("fi", "sv", "en"))
    assert (finnish.genitive, finnish.inessive, finnish.elative) == ("Pohjois-Savon", "Pohjois-Savossa", "Pohjois-Savosta")
    assert {swedish.nominative, swedish.genitive, swedish.inessive, swedish.elative} == {"Norra Savolax"}
    assert (english.genitive, english.whole_region) == ("North Savo", "All of North Savo")
    assert english.example_municipality_inessive == "Kuopiossa"
    assert region.in_language("de") == finnish


def test_keski_suomi_search_pages_and_mail_never_name_pohjois_savo(app, client, db, runner, mailbox):
    seed_keski_suomi(runner)
    organisation = jyvaskyla_organisation(db)

    results = client.get("/haku?q=diabetes+Jyväskylässä").get_data(as_text=True)
    assert "Jyväskylän Diabetesyhdistys ry" in results
    bodies = [results]
    for path in (*PAGES, f"/jarjestot/{organisation.id}", f"/jarjestot/{organisation.id}/yhteydenotto"):
        response = client.get(path)
        assert response.status_code == 200, path
        bodies.append(response.get_data(as_text=True))
    search_page = client.get("/").get_data(as_text=True)
    assert "Etsi Keski-Suomen sosiaali- ja terveysalan järjestöjä" in search_page
    assert "<summary>Kunnat: Koko Keski-Suomi</summary>" in search_page
    assert '<label for="kunta-' in search_page and '>Jyväskylä</label>' in search_page
    assert "Jyväskylässä" in client.get("/ohjeet").get_data(as_text=True)
    assert "Central Finland" in client.get("/api/v1/openapi.json").get_data(as_text=True)
    hsds = client.get(f"/api/hsds/organizations/{organisation.uuid}").get_json()
    assert hsds["locations"][0]["addresses"][0]["state_province"] == "Keski-Suomi"

    response = client.post(f"/jarjestot/{organisation.id}/yhteydenotto", data=once(
        name="Maija Meikäläinen", phone="040 123 4567", email="maija@example.fi",
        preferred_channel="puhelin", message="Haluaisin tietoa vertaistukiryhmästä.", consent="y",
    ))
    assert response.status_code == 303
    assert mailbox.messages
    for message in mailbox.messages:
        text, html = mailbox.bodies(message)
        assert "Keski-Suomen järjestöjen palveluportaali" in text
        bodies += [text, html]

    for body in bodies:
        for word in OTHER_REGION_WORDS:
            assert word not in body


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (None, "region.toml: no such file"),
        ("[fi]\nnominative = 'X'\n", "the table [examples] is missing"),
        ("[examples]\nmunicipality = 'A'\nmunicipality_inessive = 'Assa'\n[fi]\nnominative = 'X'\n",
         "[fi] genitive must be a non-empty text"),
        ("[fi\n", "region.toml: "),
    ],
)
def test_a_broken_region_folder_stops_the_app_with_the_reason(migrated_database, tmp_path, broken, message):
    (tmp_path / "municipalities.csv").write_text("code,name_fi,name_sv\n", encoding="utf-8")
    if broken is not None:
        (tmp_path / "region.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(RegionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        create_app(make_test_config(migrated_database, REGION=str(tmp_path)))


def test_seeding_an_unknown_region_says_so(runner):
    result = runner.invoke(args=["seed", "taxonomy", "--region", "ei-ole-olemassa"])
    assert result.exit_code == 1
    assert "region.toml: no such file" in result.output
