"""E-mailed links under attack: reuse, expiry, wrong purpose, tampering, another
organisation's link; the same answer for known and unknown addresses; links never
built from a forged Host header."""
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.admin_support import add_contacts, make_staff
from tests.clients import OwnBrowserClient, once
from tests.test_workshops_helpers import order_form, seed_themes

from app.extensions import db
from app.models import UserSession, utcnow
from app.platform import background
from app.platform.tokens import issue_link_token

BASE_URL = "http://portal.test"
CSRF_VALUE = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+(")')
CSRF_ANYWHERE = re.compile(r'(name="csrf_token" type="hidden" value="|"X-CSRFToken": ")[^"]+(")')
URL = re.compile(r"""https?://[^\s"'<>)]+""")
# Where each purpose's link is opened (GET) and used (POST).
LINK_PATHS = {
    "sign_in": "/jarjestoille/kirjaudu/{}",
    "edit_request": "/jarjestoille/muokkaa/{}",
    "staff_sign_in": "/yllapito/kirjaudu/{}",
    "contact_handled": "/yhteydenotto/kasitelty/{}",
}
FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}


@pytest.fixture
def app_config():
    # CSRF on: the wording comparisons below must hold for the pages a browser gets.
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture(autouse=True)
def own_browsers(app):
    """Several browsers in one test: each keeps its own CSRF token."""
    app.test_client_class = OwnBrowserClient


def csrf(page) -> str:
    return CSRF_VALUE.search(page.text).group(0).split('value="')[1].rstrip('"')


def post(client, path, data=None, **kwargs):
    """POST like a browser: the CSRF token read from the page first."""
    data = dict(data or {})
    data["csrf_token"] = csrf(client.get(path))
    return client.post(path, data=data, **kwargs)


def sessions() -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession))


def use(client, purpose: str, token: str, headers=None):
    """Open the link like a browser and press its button (or POST blind when there is no form)."""
    path = LINK_PATHS[purpose].format(token)
    opened = client.get(path, headers=headers)
    field = CSRF_VALUE.search(opened.text)
    token_field = field.group(0).split('value="')[1].rstrip('"') if field else ""
    return opened, client.post(path, data={"csrf_token": token_field}, headers=headers)


@pytest.fixture
def staff(app):
    return make_staff()


def test_a_used_link_cannot_be_used_again(client, app):
    token = issue_link_token("sihteeri@yhdistys.example", "sign_in")
    db.session.commit()
    _opened, first = use(client, "sign_in", token)
    assert first.status_code == 303
    other = app.test_client()
    opened, again = use(other, "sign_in", token)
    assert opened.status_code == 410 and again.status_code == 410
    assert "käytetty" in again.text
    assert sessions() == 1


@pytest.mark.parametrize("purpose", ["sign_in", "staff_sign_in", "edit_request"])
def test_an_expired_link_does_nothing(client, staff, make_organisation, purpose):
    organisation = make_organisation("Vanhentunut ry")
    add_contacts(organisation, staff.email)
    token = issue_link_token(staff.email, purpose, organisation.id, now=utcnow() - timedelta(days=8))
    db.session.commit()
    opened, used = use(client, purpose, token)
    assert (opened.status_code, used.status_code) == (410, 410)
    assert sessions() == 0


@pytest.mark.parametrize(
    "issued, opened_at", [(issued, opened_at) for issued in LINK_PATHS for opened_at in LINK_PATHS if issued != opened_at]
)
def test_a_link_works_only_for_its_own_purpose(client, staff, make_organisation, issued, opened_at):
    organisation = make_organisation("Tarkoitus ry")
    add_contacts(organisation, staff.email)
    token = issue_link_token(staff.email, issued, organisation.id)
    db.session.commit()
    opened, used = use(client, opened_at, token)
    assert opened.status_code == 404
    assert used.status_code in (400, 404)  # 400: a page without a form has no CSRF token to send
    assert sessions() == 0
    assert client.get("/jarjestoille/omat").status_code == 303
    assert client.get("/yllapito/").status_code == 303


@pytest.mark.parametrize("purpose", ["sign_in", "staff_sign_in", "edit_request"])
def test_a_tampered_link_is_unknown(client, staff, make_organisation, purpose):
    organisation = make_organisation("Muokattu ry")
    add_contacts(organisation, staff.email)
    token = issue_link_token(staff.email, purpose, organisation.id)
    db.session.commit()
    for position in (0, len(token) // 2, len(token) - 1):
        tampered = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1:]
        opened, used = use(client, purpose, tampered)
        assert (opened.status_code, used.status_code) == (404, 404)
    assert sessions() == 0
    # The real link still works after the attempts.
    assert use(client, purpose, token)[1].status_code == 303


def test_an_edit_link_opens_only_its_own_organisation(client, make_organisation):
    mine = make_organisation("Oma ry")
    other = make_organisation("Toinen ry")
    add_contacts(mine, "sihteeri@oma.example")
    add_contacts(other, "sihteeri@toinen.example")
    token = issue_link_token("sihteeri@oma.example", "edit_request", mine.id)
    db.session.commit()
    _opened, used = use(client, "edit_request", token)
    assert used.headers["Location"] == f"/jarjestoille/omat/{mine.id}/tarkista"
    assert client.get(f"/jarjestoille/omat/{other.id}/tarkista").status_code == 404
    assert client.get(f"/jarjestoille/omat/{other.id}/muokkaa").status_code == 404
    assert client.post(f"/jarjestoille/omat/{other.id}/ajan-tasalla").status_code in (400, 404)


def test_another_organisations_contact_cannot_use_an_edit_link_to_reach_it(client, make_organisation):
    # A link sent for an organisation whose contact was removed later leads to "your organisations" only.
    organisation = make_organisation("Poistettu yhteys ry")
    token = issue_link_token("entinen@example.fi", "edit_request", organisation.id)
    db.session.commit()
    _opened, used = use(client, "edit_request", token)
    assert used.headers["Location"] == "/jarjestoille/omat"
    assert client.get(f"/jarjestoille/omat/{organisation.id}/muokkaa").status_code == 404


def _answer_for(app, path: str, email: str, sent_path: str) -> tuple[int, str, str, float]:
    client = app.test_client()
    started = time.perf_counter()
    # Timed until the answer is there, as its receiver would; the mail goes when it is closed.
    answer = post(client, path, once({"email": email}), buffered=False)
    elapsed = time.perf_counter() - started
    answer.close()
    page = client.get(answer.headers["Location"])
    assert answer.headers["Location"] == sent_path
    body = CSRF_ANYWHERE.sub(r"\1-\2", page.text).replace(email, "ADDRESS")
    return answer.status_code, answer.headers["Location"], body, elapsed


@pytest.mark.parametrize(
    "path, sent_path",
    [("/jarjestoille/", "/jarjestoille/linkki-lahetetty"), ("/yllapito/kirjaudu", "/yllapito/kirjaudu/lahetetty")],
)
def test_known_and_unknown_addresses_get_the_same_answer(app, staff, make_organisation, mailbox, path, sent_path):
    organisation = make_organisation("Tunnettu ry")
    add_contacts(organisation, staff.email)
    _answer_for(app, path, "lammitys@example.fi", sent_path)  # first request warms the caches
    known = [_answer_for(app, path, staff.email, sent_path) for _ in range(5)]
    unknown = [_answer_for(app, path, f"tuntematon{n}@example.fi", sent_path) for n in range(5)]
    assert {k[:3] for k in known} == {u[:3] for u in unknown} and len({k[:3] for k in known}) == 1
    # Measured, not asserted (a test must not depend on the machine's speed).
    median = lambda answers: sorted(a[3] for a in answers)[2] * 1000  # noqa: E731
    print(f"\n{path}: known {median(known):.1f} ms, unknown {median(unknown):.1f} ms (median of 5)")


def mail_links(mailbox) -> list[str]:
    links = []
    for message in mailbox.messages:
        for body in mailbox.bodies(message):
            links.extend(URL.findall(body))
    return links


def test_links_in_mail_never_come_from_a_forged_host(app, staff, make_organisation, mailbox):
    organisation = make_organisation("Isäntä ry", email="isanta@esimerkki.fi")
    add_contacts(organisation, "sihteeri@isanta.example")
    theme = seed_themes(app)[0]
    visitor = app.test_client()
    for path, data in [
        ("/jarjestoille/", {"email": "sihteeri@isanta.example"}),
        ("/yllapito/kirjaudu", {"email": staff.email}),
        (f"/jarjestot/{organisation.id}/yhteydenotto", {
            "name": "Maija", "email": "maija@example.fi", "preferred_channel": "sahkoposti", "consent": "y",
        }),
        ("/tyopajat/tilaa", order_form(theme.id)),
    ]:
        page = visitor.get(path if "yhteydenotto" not in path else f"/jarjestot/{organisation.id}", headers=FORGED)
        answer = visitor.post(path, data=once({**data, "csrf_token": csrf(page)}), headers=FORGED)
        assert answer.status_code == 303, (path, answer.status_code)
        # The staff link is made off the request's thread; the next request waits, as a test shares one session.
        background.wait_until_idle()
    staff_client = app.test_client()
    staff_token = issue_link_token(staff.email, "staff_sign_in")
    db.session.commit()
    assert use(staff_client, "staff_sign_in", staff_token, FORGED)[1].status_code == 303
    compose = staff_client.get(f"/yllapito/muokkauspyynto?jarjesto={organisation.id}", headers=FORGED)
    answer = staff_client.post(
        "/yllapito/muokkauspyynto",
        data=once(message="Päivittäkää.", organisation_ids=str(organisation.id), csrf_token=csrf(compose)),
        headers=FORGED,
    )
    assert answer.status_code == 303

    links = mail_links(mailbox)
    kinds = {"/jarjestoille/kirjaudu/", "/yllapito/kirjaudu/", "/yhteydenotto/kasitelty/", "/tyopajat/tila/",
             "/jarjestoille/muokkaa/"}
    assert all(any(kind in link for link in links) for kind in kinds), links
    assert links and [link for link in links if not (link + "/").startswith(BASE_URL + "/")] == []
    assert not any("evil.example" in "".join(mailbox.bodies(m)) for m in mailbox.messages)
