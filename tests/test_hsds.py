"""The HSDS 3.0 API (/api/hsds): every answer validates against the specification's schemas."""
import json
import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from tests.hsds_schemas import assert_valid

from app.models import Activity, Need, Organisation, OrganisationContact, OrganisationPhone

SECRETS = ("4321", "8765", "Salainen", "sihteeri@salainen.example")
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def assert_no_secrets(text: str) -> None:
    # Random UUIDs may hold the digits of a secret figure: they are taken out first.
    text = UUID_TEXT.sub("", text)
    for secret in SECRETS:
        assert secret not in text


LICENCE = {"name": "CC-BY-4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}


@pytest.fixture
def app_config(tmp_path):
    return {"HSDS_DATAPACKAGE_PATH": str(tmp_path / "hsds.zip")}


@pytest.fixture
def orgs(make_organisation, db):
    full = make_organisation(
        "Iisalmen Diabetesyhdistys ry",
        business_id="1572860-0",
        description="Vertaistukea diabeetikoille.",
        needs=["Diabetes"],
        activities=["Vertaistuki", "Liikunta"],
        municipalities=["Iisalmi", "Vieremä"],
        street_address="Savonkatu 10",
        postal_code="74100",
        post_office="Iisalmi",
        email="info@diabetes-iisalmi.example",
        website="https://diabetes-iisalmi.example/",
        meeting_times="Joka kuun ensimmäinen maanantai",
        languages=["fi", "sv", "selkokieli", "viittomakieli"],
        step_free_access="yes",
        induction_loop="no",
        accessibility_notes="Ramppi sivuovella.",
        confirmed_at=datetime(2026, 2, 1, 9, 30),
        member_count=4321,
        volunteer_hours_per_year=8765,
        education_background="Salainen koulutustausta",
        phones=[OrganisationPhone(number="+358171234567", role="toimisto", position=0)],
        contacts=[OrganisationContact(email="sihteeri@salainen.example")],
    )
    paused = make_organisation(
        "Tauolla oleva ry", nationwide=True, paused_until=date.today() + timedelta(days=30),
        paused_note="Tauolla kesän.", activities=["Vertaistuki"],
    )
    hidden = make_organisation("Piilotettu ry", status="hidden")
    return {"full": full, "paused": paused, "hidden": hidden}


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert 'rel="license"' in response.headers["Link"]
    return response.get_json()


def test_root_names_version_profile_and_licence(client):
    data = get(client, "/api/hsds/")
    assert data["version"] == "3.0" and data["profile"].startswith("https://")
    assert data["openapi_url"] == "http://portal.test/api/hsds/openapi.json"
    assert data["license"] == LICENCE
    assert get(client, "/api/hsds") == data


@pytest.mark.parametrize("path, schema", [
    ("/api/hsds/organizations", "organization_list"),
    ("/api/hsds/organizations?full=true", "organization"),
    ("/api/hsds/services", "service_list"),
    ("/api/hsds/services?full=true", "service"),
    ("/api/hsds/service_at_locations", "service_at_location_list"),
    ("/api/hsds/service_at_locations?full=true", "service_at_location"),
    ("/api/hsds/taxonomy_terms?per_page=100", "taxonomy_term"),
    ("/api/hsds/taxonomies", "taxonomy"),
])
def test_every_list_validates_and_pages(client, orgs, path, schema):
    data = get(client, path)
    assert {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"} <= set(data)
    assert data["contents"] and data["size"] == len(data["contents"]) and data["page_number"] == 1
    assert data["license"] == LICENCE
    for record in data["contents"]:
        assert_valid(schema, record)


def test_full_service_maps_every_public_field(client, orgs):
    organisation = orgs["full"]
    services = get(client, "/api/hsds/services")["contents"]
    service_id = next(s["id"] for s in services if s["organization_id"] == organisation.uuid)
    # Derived ids are uuid5 of the organisation's UUID: the same in every answer.
    assert service_id == str(uuid.uuid5(uuid.UUID(organisation.uuid), "service"))
    service = get(client, f"/api/hsds/services/{service_id}")
    assert_valid("service", service)
    assert (service["name"], service["status"], service["assured_date"]) == (
        "Iisalmen Diabetesyhdistys ry", "active", "2026-02-01")
    assert service["organization"]["tax_id"] == "1572860-0"
    assert [a["name"] for a in service["service_areas"]] == ["Iisalmi", "Vieremä"]
    assert [(lang["name"], lang.get("code")) for lang in service["languages"]] == [
        ("suomi", "fi"), ("ruotsi", "sv"), ("selkosuomi", "fi"), ("suomalainen viittomakieli", "fse")]
    assert service["schedules"][0]["description"] == "Joka kuun ensimmäinen maanantai"
    assert service["phones"] == [{"id": organisation.phones[0].uuid, "organization_id": organisation.uuid,
                                  "service_id": service_id, "number": "+358171234567", "description": "toimisto"}]
    location = service["service_at_locations"][0]["location"]
    assert location["addresses"][0]["address_1"] == "Savonkatu 10"
    assert [(a["description"], a["details"]) for a in location["accessibility"]] == [
        ("Esteetön kulku", "kyllä"), ("Induktiosilmukka", "ei"), ("Lisätietoja saavutettavuudesta", "Ramppi sivuovella.")]
    terms = {a["taxonomy_term"]["name"]: a["taxonomy_term"]["taxonomy"] for a in service["attributes"]}
    assert terms == {"Vertaistuki": "Hyvinvointitarjotin toiminta", "Liikunta": "Hyvinvointitarjotin toiminta",
                     "Diabetes": "Hyvinvointitarjotin tarve"}
    assert service["contacts"] == []


def test_paused_service_is_temporarily_closed_and_nationwide(client, orgs):
    paused = orgs["paused"]
    service = get(client, f"/api/hsds/services/{uuid.uuid5(uuid.UUID(paused.uuid), 'service')}")
    assert (service["status"], service["alert"]) == ("temporarily closed", "Tauolla kesän.")
    assert [a["name"] for a in service["service_areas"]] == ["Koko Suomi"]


def test_organization_detail_validates_and_hides_what_is_not_public(client, orgs):
    organisation = orgs["full"]
    for url in (f"/api/hsds/organizations/{organisation.uuid}",
                f"/api/hsds/organizations/{organisation.uuid}?full_service=true"):
        data = get(client, url)
        assert_valid("organization", data)
        assert_no_secrets(json.dumps(data, ensure_ascii=False))


def test_nothing_anywhere_names_admin_figures_or_contact_emails(client, orgs):
    urls = ["/api/hsds/organizations?full=true", "/api/hsds/services?full=true",
            "/api/hsds/service_at_locations?full=true"]
    text = " ".join(client.get(url).get_data(as_text=True) for url in urls)
    assert_no_secrets(text)
    assert "Piilotettu" not in text


def test_unpublished_and_unknown_are_404(client, orgs):
    for url in (f"/api/hsds/organizations/{orgs['hidden'].uuid}", f"/api/hsds/organizations/{uuid.uuid4()}",
                f"/api/hsds/services/{uuid.uuid5(uuid.UUID(orgs['hidden'].uuid), 'service')}", "/api/hsds/services/x"):
        assert client.get(url).status_code == 404
    published = orgs["full"]
    assert client.get(f"/api/hsds/organizations/{published.uuid.upper()}").status_code == 200
    [identifier] = get(client, f"/api/hsds/organizations/{published.uuid}")["organization_identifiers"]
    assert (identifier["identifier_scheme"], identifier["identifier"]) == ("FI-PRO", "1572860-0")
    service = uuid.uuid5(uuid.UUID(published.uuid), "service")
    assert client.get(f"/api/hsds/services/{str(service).upper()}").status_code == 200


def test_search_taxonomy_term_and_modified_after(client, orgs, db):
    def names(query):
        return sorted(s["name"] for s in get(client, f"/api/hsds/services?{query}")["contents"])

    assert names("search=diabeetikoille") == ["Iisalmen Diabetesyhdistys ry"]
    exercise = db.session.scalar(db.select(Activity).filter_by(name="Liikunta"))
    peer = db.session.scalar(db.select(Activity).filter_by(name="Vertaistuki"))
    assert names(f"taxonomy_term_id={exercise.uuid}") == ["Iisalmen Diabetesyhdistys ry"]
    assert names(f"taxonomy_term_id={peer.uuid}") == ["Iisalmen Diabetesyhdistys ry", "Tauolla oleva ry"]
    assert names(f"taxonomy_term_id={peer.uuid.upper()}") == names(f"taxonomy_term_id={peer.uuid}")
    assert names("modified_after=2000-01-01T00:00:00Z") == ["Iisalmen Diabetesyhdistys ry", "Tauolla oleva ry"]
    assert names("modified_after=2999-01-01") == []


def test_paging(client, orgs):
    first = get(client, "/api/hsds/organizations?per_page=1")
    second = get(client, "/api/hsds/organizations?per_page=1&page=2")
    assert (first["total_items"], first["total_pages"], first["first_page"], first["last_page"]) == (2, 2, True, False)
    assert (second["first_page"], second["last_page"], second["size"]) == (False, True, 1)
    assert first["contents"][0]["id"] != second["contents"][0]["id"]
    beyond = get(client, "/api/hsds/organizations?per_page=1&page=9")
    assert beyond["empty"] and beyond["contents"] == []


def test_services_at_locations_are_those_with_a_location(client, orgs, make_organisation):
    make_organisation("Osoitteeton ry", step_free_access="unknown")
    data = get(client, "/api/hsds/service_at_locations")
    assert data["total_items"] == data["size"] == 1
    assert data["contents"][0]["service_id"] == str(uuid.uuid5(uuid.UUID(orgs["full"].uuid), "service"))


def test_terms_of_one_taxonomy(client, taxonomy):
    taxonomies = get(client, "/api/hsds/taxonomies")["contents"]
    activity_taxonomy = next(t for t in taxonomies if t["name"] == "Hyvinvointitarjotin toiminta")
    terms = get(client, f"/api/hsds/taxonomy_terms?taxonomy_id={activity_taxonomy['id']}")
    assert terms["total_items"] == 9


@pytest.mark.parametrize("query, name", [
    ("page=0", "page"), ("per_page=101", "per_page"), ("per_page=x", "per_page"), ("full=yes", "full"),
    ("modified_after=eilen", "modified_after"), ("postcode=70100", "postcode"), ("format=ndjson", "format"),
    (f"taxonomy_term_id={uuid.UUID(int=1)}", "taxonomy_term_id"),
    ("search=a&search=diabetes", "search"), ("full=true&full=bogus", "full"), ("search=" + "a" * 201, "search"),
    # Before the first moment a datetime holds once moved to UTC.
    ("modified_after=0001-01-01T00:00:00%2B14:00", "modified_after"),
    ("modified_after=9999-12-31T23:59:59-01:00", "modified_after"),
])
def test_what_is_not_understood_is_refused_by_name(client, taxonomy, query, name):
    response = client.get(f"/api/hsds/services?{query}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert [p["name"] for p in response.get_json()["invalid_params"]] == [name]


def test_the_openapi_document_takes_no_parameters(client):
    assert client.get("/api/hsds/openapi.json").status_code == 200
    assert client.get("/api/hsds/openapi.json?x=1").status_code == 400


def test_etag_and_304(client, orgs):
    first = client.get("/api/hsds/services")
    again = client.get("/api/hsds/services", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_uuids_stay_and_new_rows_get_one(db, orgs):
    organisation = db.session.get(Organisation, orgs["full"].id)
    kept = organisation.uuid
    organisation.description = "Uusi kuvaus."
    db.session.commit()
    assert db.session.get(Organisation, organisation.id).uuid == kept
    assert len({o.uuid for o in orgs.values()}) == 3
    assert all(uuid.UUID(n.uuid) for n in db.session.scalars(db.select(Need)))


def test_the_schemas_refuse_what_hsds_does_not_allow():
    from tests.hsds_schemas import validator

    messages = [error.message for error in validator("service").iter_errors({"id": "x", "status": "open"})]
    assert any("'name' is a required property" in m for m in messages)
    assert any("'open' is not one of" in m for m in messages)


def _validate_package(folder):
    from frictionless import Package

    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, [error.message for task in report.tasks for error in task.errors][:5]


def test_export_command_writes_a_valid_tabular_data_package(runner, orgs, tmp_path):
    result = runner.invoke(args=["export", "hsds", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out"
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}]
    _validate_package(folder)
    services = (folder / "services.csv").read_text(encoding="utf-8")
    assert "Iisalmen Diabetesyhdistys ry" in services and "temporarily closed" in services
    everything = " ".join(path.read_text(encoding="utf-8") for path in folder.iterdir())
    assert_no_secrets(everything)
    assert "Piilotettu" not in everything


def test_download_is_the_same_package_zipped_and_kept(client, orgs, tmp_path, app):
    import zipfile

    response = client.get("/api/hsds/datapackage.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(app.config["HSDS_DATAPACKAGE_PATH"]) as archive:
        archive.extractall(folder)
    _validate_package(folder)
    # Built at most hourly: a later download is the kept file, even after a change.
    built = (tmp_path / "hsds.zip").stat().st_mtime_ns
    orgs["full"].description = "Muutettu."
    client.get("/api/hsds/datapackage.zip")
    assert (tmp_path / "hsds.zip").stat().st_mtime_ns == built


@pytest.mark.parametrize("licence", [{"DATA_LICENCE": "CC0-1.0", "DATA_LICENCE_URL": "https://creativecommons.org/publicdomain/zero/1.0/"}])
def test_the_licence_is_a_setting(app, client, licence):
    app.config.update(licence)
    assert get(client, "/api/hsds/")["license"] == {"name": "CC0-1.0", "url": licence["DATA_LICENCE_URL"]}
    assert client.get("/api/hsds/taxonomies").headers["Link"] == f'<{licence["DATA_LICENCE_URL"]}>; rel="license"'
