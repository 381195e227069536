"""Admin-only figures and contact e-mails never reach a public page, partial or API answer."""
import pytest

from app.models import OrganisationContact, Sector

MARKERS = {
    "member_count": 918273,
    "employee_count": 827364,
    "volunteer_count": 736455,
    "volunteer_hours_per_year": 645546,
    "education_background": "Zqxvjk Wpfhgt",
}
CONTACT_EMAIL = "zqxvwp.hgtkl@example.org"
SECTOR_NAME = "Vbnqzr Plkjhx"
ADMIN_KEYS = (
    "member_count", "employee_count", "volunteer_count", "volunteer_hours_per_year",
    "volunteering_supported", "sector", "education_background", "contacts", "status",
)


@pytest.fixture
def secretive(db, make_organisation):
    sector = Sector(name=SECTOR_NAME, position=99)
    db.session.add(sector)
    db.session.flush()
    parent = make_organisation("Salaisuusliitto ry", nationwide=True, sector_id=sector.id, **MARKERS)
    return make_organisation(
        "Merkkiyhdistys ry",
        parent_id=parent.id,
        needs=["Yksinäisyys"],
        activities=["Vertaistuki"],
        municipalities=["Kuopio"],
        sector_id=sector.id,
        volunteering_supported="yes",
        contacts=[OrganisationContact(email=CONTACT_EMAIL)],
        **MARKERS,
    )


def public_responses(client, organisation):
    """Every public URL that shows this organisation, with and without htmx."""
    urls = [
        "/", "/haku", "/haku?q=merkkiyhdistys", "/haku?q=yksinäisyys+Kuopiossa", "/jarjestot",
        f"/jarjestot/{organisation.id}", f"/jarjestot/{organisation.parent_id}",
        "/api/v1/organisations", "/api/v1/organisations?q=merkkiyhdistys",
        f"/api/v1/organisations/{organisation.id}", f"/api/v1/organisations/{organisation.parent_id}",
        "/api/v1/taxonomy", "/api/v1/openapi.json",
    ]
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, url
            yield url, response.get_data(as_text=True)


def test_no_admin_value_appears_in_any_public_response(client, secretive):
    secrets = [str(value) for value in MARKERS.values()] + [CONTACT_EMAIL, SECTOR_NAME]
    seen_the_organisation = 0
    for url, body in public_responses(client, secretive):
        seen_the_organisation += "Merkkiyhdistys ry" in body
        for secret in secrets:
            assert secret not in body, f"{secret} leaked on {url}"
    assert seen_the_organisation >= 16  # the check looked at pages that really show it


def test_api_detail_names_no_admin_field(client, secretive):
    for organisation_id in (secretive.id, secretive.parent_id):
        data = client.get(f"/api/v1/organisations/{organisation_id}").get_json()
        assert not set(ADMIN_KEYS) & set(data)


@pytest.mark.parametrize("text", [MARKERS["education_background"], SECTOR_NAME, CONTACT_EMAIL, "918273"])
def test_admin_values_cannot_be_searched_for(client, secretive, text):
    """A search that matched on a hidden value would reveal it one guess at a time."""
    assert client.get("/api/v1/organisations", query_string={"q": text}).get_json()["total"] == 0
