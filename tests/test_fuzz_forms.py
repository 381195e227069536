"""Hostile input to every form and query parameter: never a 5xx, always a field
error (4xx) or a clean result, and a script never comes back unescaped.

Each form gets a valid submission with some fields replaced by generated values
(long, empty, Unicode oddities, NUL, CR/LF, HTML/script, SQL fragments, huge
numbers, digits that are not ASCII ("²", "٣"), redirect targets, several values where
one is expected), so validation is reached field by field and the valid rest still
exercises the service behind it.  A redirect goes only to a path of this site.
"""
import io
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from tests.admin_support import add_contacts, make_staff, sign_in_contact, sign_in_staff
from tests.test_self_service import form_data
from tests.test_workshops_feedback import held_workshop
from tests.test_workshops_helpers import order_form, seed_themes
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from app.models import utcnow

SCRIPT = "<script>alert('hyvi')</script>"
PAYLOADS = [
    SCRIPT, '"><script>alert(1)</script>', "<img src=x onerror=alert(1)>", "' OR '1'='1' --",
    "'; DROP TABLE organisation; --", "\x00", "a\x00b", "\r\nBcc: evil@example.com", "line\rbreak\nhere",
    "9" * 400, "-1", "0", "99999999999999999999999", "-9223372036854775809", "1e309", "NaN", "３",
    "ｆｕｌｌｗｉｄｔｈ", "\u202eevil", "e\u0301\u0301\u0301", "\ufeff", "\U0001f984" * 20, "x" * 20000, "", " ",
    "%00", "../../etc/passwd", "{{ config }}", "2026-02-30", "0000-00-00", "true", "[]", "null",
    "\u00b2", "1\u00b2", "\u0663", "\u00b9\u2070", "/\t/evil.example", "/\n/evil.example", "/\\evil.example",
    "//evil.example", "https://evil.example/", "/haku\r\nSet-Cookie: x=1",
]
# Digits str.isdigit() takes and int() does not ("²") or does ("٣", "０"), with NUL and line breaks.
DIGITISH = st.text(st.sampled_from("0123456789-+.,\u00b2\u00b3\u00b9\u0663\uff10\x00\r\n\t /"), max_size=12)
NASTY = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=200),
    st.integers().map(str),
    DIGITISH,
    st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Mn", "So"]), max_size=40),
)
VALUE = st.one_of(NASTY, st.lists(NASTY, max_size=3))
# derandomize: CI runs the same examples every time, so a run cannot fail by chance.
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
)
REFLECTED = ("<script>alert", "<img src=x onerror")
# Where a redirect may go: a path of this site, as app.platform.security.local_path allows.
LOCAL_LOCATION = re.compile(r"/(?!/)[!-\[\]-~]*")


def changes(fields) -> st.SearchStrategy[dict]:
    return st.dictionaries(st.sampled_from(sorted(fields)), VALUE, min_size=1, max_size=4)


def merged(base: MultiDict | dict, override: dict) -> MultiDict:
    data = MultiDict(base)
    for name, value in override.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def assert_clean(response, label: str = "") -> None:
    assert response.status_code < 500, (label, response.status_code)
    body = response.get_data(as_text=True)
    assert not any(marker in body for marker in REFLECTED), label
    summary = re.search(r'<div class="virheyhteenveto".*?</div>', body, re.S)
    for target in re.findall(r'href="#([^"]+)"', summary.group(0) if summary else ""):
        assert f'id="{target}"' in body, (label, "the error summary links to a field the page lacks", target)
    if 'aria-labelledby="virheyhteenveto-otsikko"' in body:  # a refused form's summary, not a save conflict's
        assert "<title>Virhe: " in body, (label, "a refused form's page whose title does not say so")
    location = response.headers.get("Location")
    assert location is None or LOCAL_LOCATION.fullmatch(location), (label, location)


def fuzz_post(client, path: str, base, fields, *, expected=(200, 303, 400, 404, 409, 410, 413, 422)):
    @SETTINGS
    @given(override=changes(fields))
    def run(override):
        response = client.post(path, data=merged(base, override))
        assert_clean(response, path)
        assert response.status_code in expected, (path, response.status_code)

    run()


def fuzz_get(client, path: str, fields, headers=None, *, expected=(200, 303, 404)):
    @SETTINGS
    @given(override=changes(fields))
    def run(override):
        response = client.get(path, query_string=merged({}, override), headers=headers)
        assert_clean(response, path)
        assert response.status_code in expected, (path, response.status_code)

    run()


CONTACT = {
    "name": "Maija Meikäläinen", "phone": "040 123 4567", "email": "maija@example.fi",
    "preferred_channel": "puhelin", "preferred_time": "aamuisin", "message": "Hei", "consent": "y",
    "on_behalf_of_client": "", "professional_name": "", "professional_org": "",
}
SEARCH_PARAMS = ["q", "tarve", "toiminta", "kunta", "sivu"]


@pytest.fixture
def organisation(make_organisation):
    return make_organisation("Kohde ry", email="kohde@esimerkki.fi", needs=["Diabetes"], municipalities=["Kuopio"])


@pytest.mark.parametrize("headers", [None, {"HX-Request": "true"}], ids=["page", "htmx"])
def test_search_page(client, organisation, headers):
    fuzz_get(client, "/haku", SEARCH_PARAMS, headers)


def test_api_search(client, organisation):
    # A page number below 1 or not a number, or a filter value naming nothing, is the API's 400.
    fuzz_get(client, "/api/v1/organisations", SEARCH_PARAMS, expected=(200, 400))


def test_small_get_forms(client, organisation):
    fuzz_get(client, "/tyopajat/jarjestoehdotukset", ["organisation_name"])
    fuzz_get(client, "/tarjotin", ["uusi"])


@given(token=st.one_of(st.text(min_size=1, max_size=300), st.sampled_from(PAYLOADS[:12])))
@SETTINGS
def test_link_tokens(client, token):
    for path in ["/jarjestoille/kirjaudu/", "/jarjestoille/muokkaa/", "/yllapito/kirjaudu/",
                 "/yhteydenotto/kasitelty/", "/tyopajat/tila/", "/tyopajat/palaute/", "/lista/",
                 "/yhteydenotto/lahetetty/"]:
        for method in (client.get, client.post):
            response = method(path + token.replace("/", "%2F").replace("?", "%3F").replace("#", "%23"))
            assert_clean(response, path)


def test_contact_request_from_an_organisation(client, organisation):
    fuzz_post(client, f"/jarjestot/{organisation.id}/yhteydenotto", CONTACT, CONTACT)


def test_contact_request_from_the_tray(client, organisation):
    client.post("/tarjotin/lisaa", data={"organisation_id": organisation.id})
    fuzz_post(client, "/tarjotin/yhteydenotto", CONTACT, CONTACT)


def test_tray_buttons(client, organisation):
    for path in ["/tarjotin/lisaa", "/tarjotin/poista"]:
        fuzz_post(client, path, {"organisation_id": str(organisation.id), "next": "/haku"}, ["organisation_id", "next"])


@pytest.mark.parametrize("path", ["/jarjestoille/", "/yllapito/kirjaudu"])
def test_join_and_sign_in(client, path):
    fuzz_post(client, path, {"email": "sihteeri@example.fi"}, ["email"])


def test_workshop_order(app, client):
    theme = seed_themes(app)[0]
    base = order_form(theme.id)
    fuzz_post(client, "/tyopajat/tilaa", base, base)


def test_workshop_survey(app, client):
    theme = seed_themes(app)[0]
    _order, path = held_workshop(theme, now=utcnow() - timedelta(hours=1))
    base = {"need": "4", "tools": "3", "facilitation": "2", "recommend": "1", "open_answer": "Hyvä"}
    # One answer per browser: a fresh client for each example keeps the form open.
    @SETTINGS
    @given(override=changes(base))
    def run(override):
        response = app.test_client().post(path, data=merged(base, override))
        assert_clean(response, path)
        assert response.status_code in (303, 400, 422)

    run()


def test_organisation_form_of_a_signed_in_contact(client, organisation):
    add_contacts(organisation, "sihteeri@example.fi")
    sign_in_contact(client, "sihteeri@example.fi")
    for path in [f"/jarjestoille/omat/{organisation.id}/muokkaa", "/jarjestoille/omat/uusi"]:
        base = form_data(client.get(path))
        if "name" not in base or not base["name"]:
            base["name"] = "Uusi yhdistys ry"
        fuzz_post(client, path, base, list(base.keys()) + ["need_ids", "municipality_ids", "phone_number"])


def test_staff_forms(client, organisation):
    make_staff()
    sign_in_staff(client)
    edit = f"/yllapito/jarjestot/{organisation.id}/muokkaa"
    base = form_data(client.get(edit))
    fuzz_post(client, edit, base, list(base.keys()))
    fuzz_post(client, "/yllapito/muokkauspyynto", {"message": "Päivittäkää.", "organisation_ids": str(organisation.id)},
              ["message", "organisation_ids"])
    fuzz_post(client, f"/yllapito/jarjestot/{organisation.id}/tauko", {"until": "", "note": ""}, ["until", "note"])
    fuzz_post(client, f"/yllapito/jarjestot/{organisation.id}/hylkaa", {"reason": "Ei sovi."}, ["reason"])
    for slug in ["tarpeet", "toimintamuodot", "kunnat", "toimialat", "tyopajateemat"]:
        new = f"/yllapito/luokitukset/{slug}/uusi"
        base = form_data(client.get(new), css_class=None, action=new)
        fuzz_post(client, new, base, list(base.keys()))
    fuzz_get(client, "/yllapito/jarjestot", ["q", "tila", "kunta", "vanhentunut", "sivu"])
    fuzz_get(client, "/yllapito/muutokset", ["sivu"])
    fuzz_get(client, "/yllapito/muokkauspyynto", ["jarjesto", "kaikki", "q", "kunta"])


# Past PostgreSQL's integer (2**31 - 1) and past SQLite's (2**63 - 1).
BEYOND_THE_DATABASE = ["3000000000", "99999999999999999999"]


@pytest.mark.parametrize("number", BEYOND_THE_DATABASE)
@pytest.mark.parametrize("path, staff", [
    ("/tapahtumat?kunta={n}", False),
    ("/yllapito/jarjestot?kunta={n}&sivu={n}", True),
    ("/yllapito/loki?sivu={n}", True),
    ("/yllapito/muutokset?sivu={n}", True),
    ("/yllapito/tyopajat?teema={n}&sivu={n}", True),
    ("/yllapito/tyopajat/palaute?teema={n}", True),
    ("/yllapito/tapahtumat/uusi?pohja={n}", True),
])
def test_a_list_filter_or_page_past_the_database_s_integers_shows_the_page(client, path, staff, number):
    """A number no row can have is a filter that matches nothing or a page past the end, not "page not found"."""
    if staff:
        make_staff()
        sign_in_staff(client)
    assert client.get(path.format(n=number)).status_code == 200


@pytest.mark.parametrize("path, data", [
    ("/jarjestoille/", {"email": "x@example.fi"}),
    ("/tyopajat/tilaa", {"goal": "x"}),
    ("/jarjestot/{id}/yhteydenotto", {"message": "x"}),
])
def test_oversized_bodies_are_refused(client, organisation, path, data):
    path = path.format(id=organisation.id)
    huge = {name: value * (600 * 1024) for name, value in data.items()}
    assert client.post(path, data=huge).status_code == 413
    # Many small fields add up too.
    many = MultiDict([(f"kentta{n}", "y" * 1000) for n in range(600)])
    assert client.post(path, data=many).status_code == 413


def test_an_oversized_staff_form_gets_the_error_page(client):
    # The staff layout's sign-out button must not read the body that was too large.
    make_staff()
    sign_in_staff(client)
    answer = client.post("/yllapito/tapahtumat/uusi", data={"title": "ä" * (600 * 1024)})
    assert answer.status_code == 413 and "<html" in answer.text


def test_an_oversized_upload_is_refused(client):
    """A multipart body over the limit is refused before it is read (no form here takes files)."""
    upload = FileStorage(io.BytesIO(b"x" * (2 * 1024 * 1024)), filename="iso.txt")
    # Encoded in memory: the test client would spool a large body to a temporary file of its own.
    boundary, body = encode_multipart(MultiDict({"email": "x@example.fi", "liite": upload}))
    answer = client.post("/jarjestoille/", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert answer.status_code == 413
