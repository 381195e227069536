"""The JSON API: search shapes and parameters, details, taxonomy, the OpenAPI document."""
import json
import re
from datetime import datetime

import pytest

from app.models import Activity, Municipality, Need, OrganisationKeyword, OrganisationPhone

SUMMARY_KEYS = [
    "id", "name", "description", "description_sv", "description_en", "municipalities", "nationwide", "needs",
    "activities", "url",
]


def id_of(db, model, **by):
    return db.session.scalar(db.select(model).filter_by(**by)).id


@pytest.fixture
def orgs(make_organisation):
    return {
        "memory": make_organisation(
            "Kuopion Muistiyhdistys ry", needs=["Muistisairaus"], activities=["Vertaistuki"], municipalities=["Kuopio"]
        ),
        "diabetes": make_organisation(
            "Varkauden Diabetesyhdistys ry", needs=["Diabetes"], activities=["Liikunta"], municipalities=["Varkaus"]
        ),
        "federation": make_organisation(
            "Suomen Diabetesliitto ry", needs=["Diabetes"], activities=["Ohjaus- ja neuvontapalvelut"], nationwide=True
        ),
        "hidden": make_organisation("Piilotettu Diabetes ry", needs=["Diabetes"], status="hidden"),
    }


def test_search_answers_the_contract_shape(client, orgs):
    response = client.get("/api/v1/organisations")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) == {"total", "page", "results"}
    assert data["total"] == 3 and data["page"] == 1
    assert [r["name"] for r in data["results"]] == [
        "Kuopion Muistiyhdistys ry", "Suomen Diabetesliitto ry", "Varkauden Diabetesyhdistys ry",
    ]
    memory = data["results"][0]
    assert set(memory) == set(SUMMARY_KEYS)
    assert memory == {
        "id": orgs["memory"].id,
        "name": "Kuopion Muistiyhdistys ry",
        "description": "Kokoontuu kerran viikossa.",
        "description_sv": "",
        "description_en": "",
        "municipalities": ["Kuopio"],
        "nationwide": False,
        "needs": ["Muistisairaus"],
        "activities": ["Vertaistuki"],
        "url": f"http://portal.test/jarjestot/{orgs['memory'].id}",
    }


def test_search_takes_the_page_parameters(client, db, orgs):
    diabetes = id_of(db, Need, name="Diabetes")
    exercise = id_of(db, Activity, name="Liikunta")
    varkaus = id_of(db, Municipality, name_fi="Varkaus")
    kuopio = id_of(db, Municipality, name_fi="Kuopio")

    def names(query):
        return sorted(r["name"] for r in client.get(f"/api/v1/organisations?{query}").get_json()["results"])

    assert names(f"tarve={diabetes}") == ["Suomen Diabetesliitto ry", "Varkauden Diabetesyhdistys ry"]
    assert names(f"tarve={diabetes}&toiminta={exercise}") == ["Varkauden Diabetesyhdistys ry"]
    # The federation works nationwide, so it is found in Kuopio too.
    assert names(f"kunta={kuopio}") == ["Kuopion Muistiyhdistys ry", "Suomen Diabetesliitto ry"]
    assert names(f"kunta={kuopio}&kunta={varkaus}") == sorted(
        ["Kuopion Muistiyhdistys ry", "Suomen Diabetesliitto ry", "Varkauden Diabetesyhdistys ry"]
    )
    assert names("q=diabeetikoille") == ["Suomen Diabetesliitto ry", "Varkauden Diabetesyhdistys ry"]
    # Names, slugs and the municipality code work as well as ids.
    assert names("kunta=Kuopio") == names("kunta=kuopio") == names("kunta=297") == names(f"kunta={kuopio}")
    assert names("toiminta=liikunta&tarve=Diabetes") == ["Varkauden Diabetesyhdistys ry"]
    assert names("toiminta=ohjaus-ja-neuvontapalvelut") == ["Suomen Diabetesliitto ry"]


@pytest.mark.parametrize("query, faults", [
    ("kunta=Kuopioo", ["kunta"]),
    ("tarve=ei-numero&kunta=-4", ["tarve", "kunta"]),
    ("knuta=297", ["knuta"]),
    ("kieli=fr", ["kieli"]),
    ("esteettomyys=hissi", ["esteettomyys"]),
    ("jarjestys=paras", ["jarjestys"]),
    # A parameter of one value given twice, and every fault named at once.
    ("sivu=1&sivu=2", ["sivu"]),
    ("jarjestys=nimi&jarjestys=tarkistettu", ["jarjestys"]),
    ("kunta=Kuopioo&kieli=zz&foo=1", ["foo", "kunta", "kieli"]),
    ("q=" + "a" * 201, ["q"]),
])
def test_what_the_search_does_not_understand_is_named_in_a_400(client, orgs, query, faults):
    response = client.get(f"/api/v1/organisations?{query}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and body["title"] == "Virheellinen pyyntö"
    assert [p["name"] for p in body["invalid_params"]] == faults


def test_the_order_parameter_and_local_first(client, orgs):
    def names(query):
        return [r["name"] for r in client.get(f"/api/v1/organisations?{query}").get_json()["results"]]

    a_to_z = ["Kuopion Muistiyhdistys ry", "Suomen Diabetesliitto ry", "Varkauden Diabetesyhdistys ry"]
    assert names("jarjestys=nimi") == names("") == a_to_z
    # Relevance: the association active in Varkaus before the nationwide federation, though
    # the federation's name has the word; by name, the federation comes first.
    assert names("q=diabetes&kunta=Varkaus") == ["Varkauden Diabetesyhdistys ry", "Suomen Diabetesliitto ry"]
    assert names("q=diabetes&kunta=Varkaus&jarjestys=nimi") == ["Suomen Diabetesliitto ry", "Varkauden Diabetesyhdistys ry"]
    assert names("q=diabetes&kunta=Varkaus&jarjestys=tarkistettu") == names("q=diabetes&kunta=Varkaus&jarjestys=nimi")


def test_parameters_where_none_are_taken_are_refused(client, orgs):
    for url in (f"/api/v1/organisations/{orgs['memory'].id}?kieli=fi", "/api/v1/taxonomy?x=1", "/api/v1/?q=a"):
        response = client.get(url)
        assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_language_and_accessibility_filters(client, make_organisation):
    make_organisation("Ruotsinkielinen ry", languages=["sv"], step_free_access="yes", induction_loop="yes")
    make_organisation("Suomenkielinen ry", languages=["fi"], step_free_access="yes", induction_loop="no")

    def names(query):
        return sorted(r["name"] for r in client.get(f"/api/v1/organisations?{query}").get_json()["results"])

    assert names("kieli=sv") == ["Ruotsinkielinen ry"]
    assert names("kieli=sv&kieli=fi") == ["Ruotsinkielinen ry", "Suomenkielinen ry"]
    assert names("esteettomyys=esteeton-kulku") == ["Ruotsinkielinen ry", "Suomenkielinen ry"]
    assert names("esteettomyys=esteeton-kulku&esteettomyys=induktiosilmukka") == ["Ruotsinkielinen ry"]


def test_cors_etag_and_the_index(client, orgs):
    response = client.get("/api/v1/organisations", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/organisations", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert set(preflight.headers["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert client.get("/api").mimetype == "application/json"
    # A signed-in visitor's browser gets the same answer as anyone: nothing varies by cookie.
    client.set_cookie("session", "x")
    assert "Cookie" not in client.get("/api/v1/organisations").headers.get("Vary", "")
    assert client.get("/api/v1/organisations", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    index = client.get("/api/v1")
    assert index.status_code == 200 and index.headers["Access-Control-Allow-Origin"] == "*"
    assert index.get_json()["openapi"] == "http://portal.test/api/v1/openapi.json"
    assert client.get(index.get_json()["organisations"].removeprefix("http://portal.test")).status_code == 200


def test_results_are_in_the_same_rank_order_as_the_page(client, orgs):
    page = client.get("/haku?q=diabetes").get_data(as_text=True)
    page_ids = [int(i) for i in re.findall(r'<article class="tulos"[^>]*>\s*<h3><a href="/jarjestot/(\d+)[?"]', page)]
    api_ids = [r["id"] for r in client.get("/api/v1/organisations?q=diabetes").get_json()["results"]]
    assert api_ids == page_ids and len(api_ids) == 2


def test_search_pages(client, make_organisation):
    for number in range(22):
        make_organisation(f"Yhdistys {number:02d} ry")
    first = client.get("/api/v1/organisations").get_json()
    second = client.get("/api/v1/organisations?sivu=2").get_json()
    assert (first["total"], first["page"], len(first["results"])) == (22, 1, 20)
    assert (second["total"], second["page"], [r["name"] for r in second["results"]]) == (
        22, 2, ["Yhdistys 20 ry", "Yhdistys 21 ry"],
    )


@pytest.mark.parametrize("page", ["0", "-1", "x", "\u00b2", "1.5", ""])
def test_a_page_number_below_one_or_not_a_number_is_refused(client, page):
    response = client.get("/api/v1/organisations", query_string={"sivu": page})

    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 400 and body["title"] == "Virheellinen pyyntö"
    assert [p["name"] for p in body["invalid_params"]] == ["sivu"]


def test_detail_has_every_public_field(client, orgs, make_organisation):
    organisation = make_organisation(
        "Iisalmen Diabetesyhdistys ry",
        business_id="1572860-0",
        parent_id=orgs["federation"].id,
        description="Vertaistukea diabeetikoille.",
        needs=["Diabetes"],
        activities=["Vertaistuki"],
        municipalities=["Iisalmi", "Vieremä"],
        street_address="Savonkatu 10",
        postal_code="74100",
        post_office="Iisalmi",
        email="info@diabetes-iisalmi.example",
        website="https://diabetes-iisalmi.example/",
        meeting_times="Joka kuun ensimmäinen maanantai",
        languages=["fi", "sv"],
        step_free_access="yes",
        accessibility_notes="Ramppi sivuovella.",
        confirmed_at=datetime(2026, 2, 1, 9, 30),
        phones=[
            OrganisationPhone(number="+358171234567", role="toimisto", position=0),
            OrganisationPhone(number="+358401112223", role="", position=1),
        ],
        keywords=[OrganisationKeyword(keyword="verensokeri")],
    )
    data = client.get(f"/api/v1/organisations/{organisation.id}").get_json()
    assert data["phones"] == [{"number": "+358171234567", "role": "toimisto"}, {"number": "+358401112223", "role": ""}]
    assert data["parent"] == {
        "id": orgs["federation"].id,
        "name": "Suomen Diabetesliitto ry",
        "url": f"http://portal.test/jarjestot/{orgs['federation'].id}",
    }
    assert data["municipalities"] == ["Iisalmi", "Vieremä"]
    assert data["accessibility"] == {
        "step_free_access": "yes", "accessible_toilet": "unknown", "induction_loop": "unknown",
        "notes": "Ramppi sivuovella.",
    }
    assert data["keywords"] == ["verensokeri"] and data["languages"] == ["fi", "sv"]
    assert data["confirmed_at"] == "2026-02-01" and data["paused_until"] is None
    assert (data["business_id"], data["org_type"], data["email"], data["website"]) == (
        "1572860-0", "yhdistys", "info@diabetes-iisalmi.example", "https://diabetes-iisalmi.example/",
    )
    assert (data["street_address"], data["postal_code"], data["post_office"]) == ("Savonkatu 10", "74100", "Iisalmi")
    assert data["meeting_times"] == "Joka kuun ensimmäinen maanantai"


def test_detail_of_unpublished_or_missing_is_a_json_404(client, orgs):
    for url in (f"/api/v1/organisations/{orgs['hidden'].id}", "/api/v1/organisations/999999"):
        response = client.get(url)
        assert response.status_code == 404 and response.mimetype == "application/json"
        assert response.get_json() == {"error": "Sivua ei löytynyt", "status": 404}


def test_taxonomy_lists_the_filters(client, taxonomy):
    data = client.get("/api/v1/taxonomy").get_json()
    assert set(data) == {"needs", "activities", "municipalities"}
    assert len(data["municipalities"]) == 19 and len(data["activities"]) == 9
    assert len(data["needs"]) >= 100
    kuopio = next(m for m in data["municipalities"] if m["name"] == "Kuopio")
    assert kuopio["code"] == "297" and set(kuopio) == {"id", "code", "name", "slug", "name_sv"}
    diabetes = next(n for n in data["needs"] if n["name"] == "Diabetes")
    assert set(diabetes) == {"id", "name", "slug", "group", "name_sv", "group_sv", "name_en", "group_en"}
    assert diabetes["group"] == "Pitkäaikaissairaudet" and diabetes["group_en"] == "Long-term illnesses"
    assert [a["name"] for a in data["activities"]][:2] == ["Vertaistuki", "Kokemusasiantuntijuus"]
    peer = data["activities"][0]
    assert (peer["name_sv"], peer["name_en"]) == ("Kamratstöd", "Peer support") and peer["description_en"]


def resolve(document: dict, ref: str) -> dict:
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def schema_properties(document: dict, schema: dict) -> set[str]:
    """Property names of a schema, following $ref and allOf."""
    if "$ref" in schema:
        return schema_properties(document, resolve(document, schema["$ref"]))
    names = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        names |= schema_properties(document, part)
    return names


def test_openapi_document_describes_the_api(client, app, orgs):
    response = client.get("/api/v1/openapi.json")
    document = json.loads(response.get_data(as_text=True))
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://portal.test/api/v1"}]
    # Every API route is described, with Flask's <int:id> written as {id}.
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", "{id}", rule.rule.removeprefix("/api/v1"))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert routes == set(document["paths"])
    # Every reference resolves.
    for ref in re.findall(r'"\$ref": "([^"]+)"', json.dumps(document)):
        assert resolve(document, ref)
    # The schemas name exactly the keys the API answers with.
    search = client.get("/api/v1/organisations").get_json()
    detail = client.get(f"/api/v1/organisations/{orgs['memory'].id}").get_json()
    schemas = document["components"]["schemas"]
    assert schema_properties(document, schemas["SearchResults"]) == set(search)
    assert schema_properties(document, schemas["OrganisationSummary"]) == set(search["results"][0])
    assert schema_properties(document, schemas["Organisation"]) == set(detail)
    parameters = {p["name"] for p in document["paths"]["/organisations"]["get"]["parameters"]}
    assert parameters == {"q", "tarve", "toiminta", "kunta", "kieli", "esteettomyys", "jarjestys", "sivu"}
