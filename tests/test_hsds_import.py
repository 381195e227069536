"""`flask import hsds DIR`: another publisher's HSDS 3.0 data package into pending organisations."""
import csv
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.api.hsds.export import datapackage_files, write_datapackage
from app.directory.moderation import approve
from app.models import Organisation, OrganisationPhone, utcnow
from app.platform.retention import purge_deleted_organisations

# Our page addresses carry our row ids, and last_modified the time of the import: neither is the publisher's data.
OURS = ("uri", "url", "last_modified")


@pytest.fixture
def directory(make_organisation):
    federation = make_organisation(
        "Sokerisiltaliitto ry", org_type="liitto", nationwide=True, business_id="1572860-0",
        description="Diabeetikkojen liitto.", activities=["Ohjaus- ja neuvontapalvelut"], languages=["fi", "sv"],
        website="https://sokerisilta.example/", confirmed_at=datetime(2026, 3, 4, 12, 0),
    )
    make_organisation(
        "Iisalmen Diabetesyhdistys ry", parent=federation,
        description="Vertaistukea diabeetikoille.\nKävelylenkit keväisin.",
        needs=["Diabetes", "Lihavuus"], activities=["Vertaistuki", "Liikunta"], municipalities=["Iisalmi", "Vieremä"],
        street_address="Savonkatu 10", postal_code="74100", post_office="Iisalmi", email="info@diabetes.example",
        meeting_times="Joka kuun ensimmäinen maanantai", languages=["fi", "selkokieli", "viittomakieli", "muu"],
        step_free_access="yes", induction_loop="no", accessibility_notes="Ramppi sivuovella.",
        confirmed_at=datetime(2026, 2, 1, 9, 30),
        phones=[OrganisationPhone(number="+358171234567", role="toimisto", position=0),
                OrganisationPhone(number="+358401112222", role="", position=1)],
    )
    make_organisation("Muistikahvila Kuopio", municipalities=["Kuopio"], accessible_toilet="no")


def tables(files: dict[str, str]) -> dict[str, list[dict]]:
    return {
        name: [{k: v for k, v in row.items() if k not in OURS} for row in csv.DictReader(io.StringIO(text))]
        for name, text in files.items() if name.endswith(".csv")
    }


def organisation_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Organisation))


def remove_every_organisation(db) -> None:
    for organisation in db.session.scalars(select(Organisation)):
        organisation.deleted_at = utcnow() - timedelta(days=1)
    purge_deleted_organisations(0, now=utcnow())
    db.session.commit()


def test_export_import_export_is_lossless(db, runner, tmp_path, directory):
    before = datapackage_files()
    write_datapackage(tmp_path)
    remove_every_organisation(db)

    result = runner.invoke(args=["import", "hsds", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert "organisations imported: 3 (pending)" in result.output
    imported = list(db.session.scalars(select(Organisation).order_by(Organisation.id)))
    assert {organisation.status for organisation in imported} == {"pending"}
    assert imported[1].parent is imported[0]
    for organisation in imported:
        approve(organisation, "staff@example.fi")
    db.session.commit()
    after = datapackage_files()
    assert after["datapackage.json"] == before["datapackage.json"]
    assert tables(after) == tables(before)
    assert sum(len(rows) for rows in tables(before).values()) > 40


def test_a_pause_arrives_as_its_note(db, runner, tmp_path, make_organisation):
    make_organisation("Tauolla oleva ry", paused_until=date.today() + timedelta(days=30), paused_note="Tauolla kesän.")
    write_datapackage(tmp_path)
    remove_every_organisation(db)

    assert runner.invoke(args=["import", "hsds", str(tmp_path)]).exit_code == 0

    organisation = db.session.scalar(select(Organisation))
    # HSDS gives no end date for "temporarily closed": staff set it when they publish.
    assert (organisation.paused_note, organisation.paused_until) == ("Tauolla kesän.", None)


def test_the_same_package_twice_is_refused_whole(db, runner, tmp_path, directory):
    write_datapackage(tmp_path)
    result = runner.invoke(args=["import", "hsds", str(tmp_path)])
    assert result.exit_code == 1
    assert "organizations.csv line 2: id: Tällä tunnisteella on jo tietue tietokannassa." in result.output
    assert "organizations.csv line 2: name: Samanniminen järjestö on jo tietokannassa." in result.output
    assert "phones.csv line 2: id: Tällä tunnisteella on jo tietue tietokannassa." in result.output
    assert result.output.rstrip().endswith("nothing was imported")
    assert organisation_count(db) == 3


def write_csv(folder, name: str, rows: list[dict]) -> None:
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def another_publisher(folder) -> None:
    """A small package as another portal might publish it: its own ids, taxonomy and several services."""
    write_csv(folder, "organizations.csv", [
        {"id": "org-1", "name": "Kamratstöd Idensalmi rf", "description": "Stöd på svenska.", "email": "",
         "website": "https://kamrat.example/", "legal_status": "Nonprofit", "tax_id": "", "parent_organization_id": ""},
    ])
    write_csv(folder, "services.csv", [
        {"id": "s-1", "organization_id": "org-1", "name": "Kamratgrupp", "description": "", "email": "info@kamrat.example",
         "status": "active", "assured_date": "2026-05-06"},
        {"id": "s-2", "organization_id": "org-1", "name": "Kaffe", "description": "", "email": "",
         "status": "active", "assured_date": ""},
    ])
    write_csv(folder, "service_areas.csv", [
        {"id": "a-1", "service_id": "s-1", "name": "Idensalmi", "description": ""},
        {"id": "a-2", "service_id": "s-2", "name": "Kuopio", "description": ""},
    ])
    write_csv(folder, "taxonomy_terms.csv", [
        {"id": "t-1", "name": "Vertaistuki", "taxonomy": "Other"},
        {"id": "t-2", "name": "Kaffestuga", "taxonomy": "Other"},
    ])
    write_csv(folder, "attributes.csv", [
        {"id": "x-1", "link_id": "s-1", "link_entity": "service", "taxonomy_term_id": "t-1"},
        {"id": "x-2", "link_id": "s-2", "link_entity": "service", "taxonomy_term_id": "t-2"},
        {"id": "x-3", "link_id": "l-1", "link_entity": "location", "taxonomy_term_id": "t-2"},
    ])
    write_csv(folder, "languages.csv", [
        {"id": "g-1", "service_id": "s-1", "name": "svenska", "code": "sv", "note": ""},
        {"id": "g-2", "service_id": "", "name": "English", "code": "en", "note": ""},
    ])
    write_csv(folder, "locations.csv", [{"id": "l-1", "organization_id": "", "name": "Kaffestugan"}])
    write_csv(folder, "service_at_location.csv", [{"id": "sl-1", "service_id": "s-2", "location_id": "l-1"}])
    write_csv(folder, "addresses.csv", [
        {"id": "ad-1", "location_id": "l-1", "address_1": "Savonkatu 1", "address_2": "B", "city": "Iisalmi",
         "postal_code": "74100", "country": "FI", "address_type": "physical"},
    ])
    write_csv(folder, "accessibility.csv", [
        {"id": "ac-1", "location_id": "l-1", "description": "Esteetön wc", "details": "kyllä"},
        {"id": "ac-2", "location_id": "l-1", "description": "Ramp", "details": "at the back door"},
    ])
    write_csv(folder, "phones.csv", [
        {"id": "p-1", "organization_id": "", "service_id": "s-2", "location_id": "", "number": "+358 40 123 4567",
         "description": "kaffe"},
        {"id": "p-2", "organization_id": "", "service_id": "", "location_id": "l-1", "number": "017 111 222",
         "description": ""},
    ])


def test_another_publishers_package_is_folded_into_one_pending_organisation(db, runner, tmp_path, taxonomy):
    another_publisher(tmp_path)

    result = runner.invoke(args=["import", "hsds", str(tmp_path)])

    assert result.exit_code == 0, result.output
    organisation = db.session.scalar(select(Organisation))
    assert organisation.status == "pending"
    assert organisation.org_type == "muu"
    assert organisation.email == "info@kamrat.example"
    assert organisation.confirmed_at == datetime(2026, 5, 6)
    assert [m.name_fi for m in organisation.municipalities] == ["Iisalmi", "Kuopio"]
    assert [a.name for a in organisation.activities] == ["Vertaistuki"]
    assert [k.keyword for k in organisation.keywords] == ["Kaffestuga"]
    assert organisation.languages == ["sv"]
    assert (organisation.street_address, organisation.postal_code, organisation.post_office) == (
        "Savonkatu 1, B", "74100", "Iisalmi")
    assert (organisation.accessible_toilet, organisation.accessibility_notes) == ("yes", "Ramp: at the back door")
    assert [(p.number, p.role) for p in organisation.phones] == [("+358401234567", "kaffe")]
    # "org-1" is not a UUID: the organisation gets one of its own.
    assert len(organisation.uuid) == 36


def test_problems_in_every_file_are_listed_and_nothing_is_written(db, runner, tmp_path, taxonomy):
    another_publisher(tmp_path)
    write_csv(tmp_path, "organizations.csv", [
        {"id": "org-1", "name": "Kamratstöd Idensalmi rf", "email": "ei-osoite", "parent_organization_id": ""},
        {"id": "org-2", "name": "Toinen", "email": "", "parent_organization_id": "org-9"},
    ])
    write_csv(tmp_path, "service_areas.csv", [{"id": "a-1", "service_id": "s-1", "name": "Kuopija", "description": ""}])
    write_csv(tmp_path, "attributes.csv", [
        {"id": "x-1", "link_id": "s-1", "link_entity": "service", "taxonomy_term_id": "t-9"},
        {"id": "x-2", "link_id": "s-9", "link_entity": "service", "taxonomy_term_id": "t-1"},
    ])

    result = runner.invoke(args=["import", "hsds", str(tmp_path)])

    assert result.exit_code == 1
    for problem in (
        'service_areas.csv line 2: name: Tuntematon kunta: "Kuopija".',
        'attributes.csv line 2: taxonomy_term_id: Tuntematon tunniste "t-9".',
        'attributes.csv line 3: link_id: Tuntematon tunniste "s-9".',
        'organizations.csv line 3: parent_organization_id: Emojärjestöä "org-9" ei ole tiedostossa eikä tietokannassa.',
        "organizations.csv line 2: email:",
        "nothing was imported",
    ):
        assert problem in result.output
    assert organisation_count(db) == 0


def test_a_folder_without_organizations_or_with_a_file_not_in_utf8_is_refused(db, runner, tmp_path, taxonomy):
    result = runner.invoke(args=["import", "hsds", str(tmp_path)])
    assert result.exit_code == 1
    assert "organizations.csv: Tiedosto puuttuu." in result.output

    (tmp_path / "organizations.csv").write_bytes("id,name\n1,Äänekosken yhdistys\n".encode("latin-1"))
    result = runner.invoke(args=["import", "hsds", str(tmp_path)])
    assert result.exit_code == 1
    assert "organizations.csv: Tiedosto ei ole UTF-8-muotoinen CSV-tiedosto." in result.output


def test_the_same_id_twice_and_a_path_outside_the_folder_are_refused(db, runner, tmp_path, taxonomy):
    package = tmp_path / "package"
    package.mkdir()
    same = "0b6c1f3e-8a21-4c1e-9a57-5d0b8d4e2f4a"
    write_csv(package, "organizations.csv", [
        {"id": same, "name": "Ensimmäinen ry", "description": "Kuvaus,\nkahdella rivillä."},
        {"id": same, "name": "Toinen ry", "description": ""},
    ])
    write_csv(tmp_path, "phones.csv", [{"id": "p-1", "organization_id": "x", "number": "040 123 4567"}])
    (package / "datapackage.json").write_text(
        '{"resources": [{"name": "phone", "path": "../phones.csv"}]}', encoding="utf-8"
    )

    result = runner.invoke(args=["import", "hsds", str(package)])

    assert result.exit_code == 1
    # The first row spans lines 2–3, so the second starts on line 4; the phones outside the folder are not read.
    assert "organizations.csv line 4: id: Sama tunniste on paketissa kahdesti." in result.output
    assert "phones.csv" not in result.output
    assert organisation_count(db) == 0
