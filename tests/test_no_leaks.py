"""Admin-only figures and the contacts who keep an entry never reach the public.

Every admin-only field and every contact e-mail gets a unique marker; then every
public page (full and htmx partial), every API answer and every mail to someone
other than staff is searched for them.
"""
import pytest
from sqlalchemy import select
from tests.clients import once
from tests.test_workshops_helpers import order_form, seed_themes

from app.directory.records import organisation_record
from app.extensions import db
from app.models import Organisation, OrganisationContact, Sector
from app.search.index import index_organisation

NUMBER_MARKERS = {
    "member_count": 8675301,
    "employee_count": 8675302,
    "volunteer_count": 8675303,
    "volunteer_hours_per_year": 8675304,
}
EDUCATION_MARKER = "Koulutusmerkki-Qx7"
SECTOR_MARKER = "Sektorimerkki-Zv4"
CONTACT_MARKERS = ["yhteysmerkki-a1@salainen.example", "yhteysmerkki-b2@salainen.example"]
MARKERS = [str(n) for n in NUMBER_MARKERS.values()] + [EDUCATION_MARKER, SECTOR_MARKER, *CONTACT_MARKERS]
# The same strings as they look inside a URL or JSON.
ENCODED = MARKERS + [m.replace("@", "%40") for m in CONTACT_MARKERS]
REQUESTER = "pyytaja@example.fi"


@pytest.fixture
def marked(app, make_organisation):
    """Two published organisations full of markers (two, so aggregates are not single values)."""
    sector = Sector(name=SECTOR_MARKER, position=99)
    db.session.add(sector)
    db.session.commit()
    organisations = []
    for number, name in enumerate(["Merkitty ry", "Merkitty toinen ry"]):
        organisation = make_organisation(
            name,
            needs=["Diabetes"],
            activities=[],
            municipalities=["Kuopio"],
            email=f"julkinen{number}@merkitty.example",
            volunteering_supported="yes",
            education_background=EDUCATION_MARKER,
            sector=sector,
            **{field: value + number * 10 for field, value in NUMBER_MARKERS.items()},
        )
        organisations.append(organisation)
    for organisation in organisations:
        for email in CONTACT_MARKERS:
            organisation.contacts.append(OrganisationContact(email=email))
        db.session.flush()
        index_organisation(organisation)
    db.session.commit()
    return organisations


def leaks(text: str) -> list[str]:
    # Numbers also as a Finnish page would format them: "8 675 301", with or without a no-break space.
    grouped = [f"{int(m):,}".replace(",", space) for m in MARKERS[:4] for space in (" ", "\u00a0")]
    return [marker for marker in ENCODED + grouped if marker in text]


def public_answers(client, organisation) -> dict[str, str]:
    """Every public page and API answer that shows this organisation, keyed by a label."""
    partial = {"HX-Request": "true"}
    client.post("/tarjotin/lisaa", data={"organisation_id": organisation.id})
    shared = client.post("/tarjotin/jaa")
    paths = {
        "search": "/haku?q=Merkitty",
        "search by need": "/haku?tarve=" + str(organisation.needs[0].id),
        "front page": "/",
        "organisation": f"/jarjestot/{organisation.id}",
        "contact form": f"/jarjestot/{organisation.id}/yhteydenotto",
        "A-Z": "/jarjestot",
        "tray": "/tarjotin",
        "tray contact form": "/tarjotin/yhteydenotto",
        "shared tray": shared.headers["Location"],
        "statistics": "/tilastot",
        "workshops": "/tyopajat",
        "workshop order form": "/tyopajat/tilaa",
        "workshop suggestions": "/tyopajat/jarjestoehdotukset?organisation_name=Merkitty",
        "api list": "/api/v1/organisations?q=Merkitty",
        "api list all": "/api/v1/organisations",
        "api detail": f"/api/v1/organisations/{organisation.id}",
        "api taxonomy": "/api/v1/taxonomy",
        "api openapi": "/api/v1/openapi.json",
    }
    answers = {}
    for label, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, (label, response.status_code)
        answers[label] = response.get_data(as_text=True)
        partial_response = client.get(path, headers=partial)
        answers[label + " (htmx)"] = partial_response.get_data(as_text=True)
    return answers


def test_the_markers_are_really_stored(marked):
    stored = db.session.get(Organisation, marked[0].id)
    assert stored.education_background == EDUCATION_MARKER and stored.sector.name == SECTOR_MARKER
    assert sorted(c.email for c in stored.contacts) == CONTACT_MARKERS


def test_no_public_page_or_api_answer_shows_an_admin_field_or_a_contact(client, marked):
    answers = public_answers(client, marked[0])
    assert "Merkitty ry" in answers["search"] and "Merkitty ry" in answers["api detail"]
    found = {label: leaks(text) for label, text in answers.items() if leaks(text)}
    assert found == {}


@pytest.mark.parametrize("marker", [EDUCATION_MARKER, SECTOR_MARKER, CONTACT_MARKERS[0], "8675301"])
def test_admin_fields_and_contacts_are_not_searchable(client, marked, marker):
    assert client.get("/api/v1/organisations", query_string={"q": marker}).json["total"] == 0
    assert "Merkitty ry" not in client.get("/haku", query_string={"q": marker}).text


def test_no_mail_to_a_third_party_shows_an_admin_field_or_a_contact(app, client, mailbox, marked):
    organisation = marked[0]
    answer = client.post(
        f"/jarjestot/{organisation.id}/yhteydenotto",
        data=once({"name": "Pyytäjä", "email": REQUESTER, "preferred_channel": "sahkoposti", "consent": "y",
                   "message": "Merkitty ry, ottakaa yhteyttä."}),
    )
    assert answer.status_code == 303
    for marked_organisation in marked:
        client.post("/tarjotin/lisaa", data={"organisation_id": marked_organisation.id})
    assert client.post("/tarjotin/yhteydenotto", data=once({
        "name": "Pyytäjä", "email": REQUESTER, "preferred_channel": "sahkoposti", "consent": "y",
    })).status_code == 303
    theme = seed_themes(app)[0]
    assert client.post("/tyopajat/tilaa", data=order_form(theme.id, organisation_name="Merkitty ry")).status_code == 303

    recipients = sorted({m["To"].lower() for m in mailbox.messages})
    assert recipients == sorted({REQUESTER, "maija@example.fi", "julkinen0@merkitty.example", "julkinen1@merkitty.example"})
    found = {
        (m["To"], m["Subject"]): leaks(m["Subject"] + "".join(mailbox.bodies(m)))
        for m in mailbox.messages
        if leaks(m["Subject"] + "".join(mailbox.bodies(m)))
    }
    assert found == {}
    assert not set(CONTACT_MARKERS) & {address for _sender, rcpts in mailbox.envelopes for address in rcpts}


def test_the_organisation_record_does_hold_them_for_staff(marked):
    # The checks above are meaningful only if the markers exist where staff look.
    record = organisation_record(db.session.scalar(select(Organisation).filter_by(name="Merkitty ry")))
    assert record["admin"]["education_background"] == EDUCATION_MARKER
    assert {contact["email"] for contact in record["contacts"]} == set(CONTACT_MARKERS)
