"""Who gets into /yllapito: staff accounts, the staff sign-in link, and a walk over every staff URL."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.clients import once
from tests.admin_support import STAFF_EMAIL, make_staff, sign_in_contact, sign_in_staff
from werkzeug.routing import AnyConverter, IntegerConverter

from app.accounts.sessions import SESSION_LIMITS
from app.admin.access import OPEN_ENDPOINTS
from app.extensions import db as _db
from app.models import AuditEvent, LoginToken, OutboxMessage, StaffUser, UserSession, utcnow
from app.platform import background
from app.platform.tokens import TOKEN_LIFETIMES, issue_link_token

LINK_PATTERN = re.compile(r"http://portal\.test(/yllapito/kirjaudu/[A-Za-z0-9_\-]+)")


def staff_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/yllapito")]


def example_url(app, rule) -> str:
    """The rule's URL with a plausible value for each variable part."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = "x"
    return app.url_map.bind("portal.test").build(rule.endpoint, values)


def requests_to_check(app):
    for rule in staff_rules(app):
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        for method in ("GET", "POST"):
            yield rule, method


def test_the_walk_covers_every_staff_view_including_other_modules(app):
    endpoints = {rule.endpoint for rule in staff_rules(app)}
    # Views of every module of the blueprint, whoever wrote them, are in the walk.
    assert {"admin.dashboard", "admin.organisations", "admin.audit_log", "admin.restore"} <= endpoints
    assert any(endpoint.startswith("admin.taxonomy") for endpoint in endpoints)
    assert len(list(requests_to_check(app))) >= 2 * 20


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(app, client):
    for rule, method in requests_to_check(app):
        response = client.open(example_url(app, rule), method=method)
        if method in rule.methods:
            assert response.status_code == 303, (rule.rule, method, response.status_code)
            assert response.headers["Location"] == "/yllapito/kirjaudu", (rule.rule, method)
        else:
            assert response.status_code == 405, (rule.rule, method, response.status_code)


def test_organisation_contacts_are_refused_everywhere(app, client):
    sign_in_contact(client)
    for rule, method in requests_to_check(app):
        response = client.open(example_url(app, rule), method=method)
        expected = 403 if method in rule.methods else 405
        assert response.status_code == expected, (rule.rule, method, response.status_code)
    assert "Ei käyttöoikeutta" in client.get("/yllapito/").text


def test_staff_sign_in_by_mailed_link(client, mailbox):
    make_staff()
    page = client.get("/yllapito/kirjaudu")
    assert page.status_code == 200 and "Ylläpidon kirjautuminen" in page.text

    answer = client.post("/yllapito/kirjaudu", data=once({"email": "Yllapito@Keskus.example"}))
    assert answer.status_code == 303
    background.wait_until_idle()  # the link is made off the request's thread
    sent = client.get(answer.headers["Location"])
    assert "Jos antamasi osoite on ylläpitäjän osoite" in sent.text

    [mail] = mailbox.messages
    assert mail["To"] == STAFF_EMAIL
    path = LINK_PATTERN.search(mailbox.bodies(mail)[0]).group(1)
    confirm = client.get(path)
    assert confirm.status_code == 200 and "Jatka" in confirm.text
    assert confirm.headers["Cache-Control"] == "no-store"
    assert _db.session.scalars(select(LoginToken.used_at)).one() is None

    signed_in = client.post(path)
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/yllapito/"
    assert _db.session.scalars(select(UserSession.role)).all() == ["staff"]
    assert client.get("/yllapito/").status_code == 200
    event = _db.session.scalars(select(AuditEvent)).one()
    assert (event.actor, event.action) == (STAFF_EMAIL, "sign_in")
    assert client.post(path).status_code == 410


def test_other_addresses_get_the_same_answer_and_no_mail(client, mailbox):
    make_staff()
    make_staff("entinen@keskus.example")
    from app.admin.staff import deactivate_staff

    deactivate_staff("entinen@keskus.example")
    _db.session.commit()
    for email in ("sihteeri@yhdistys.example", "entinen@keskus.example"):
        answer = client.post("/yllapito/kirjaudu", data=once({"email": email}))
        assert answer.status_code == 303
        assert "Jos antamasi osoite on ylläpitäjän osoite" in client.get(answer.headers["Location"]).text
    background.wait_until_idle()
    assert mailbox.messages == []
    assert _db.session.scalars(select(LoginToken)).all() == []


def test_a_contact_sign_in_link_cannot_open_a_staff_session(app, client):
    make_staff()
    token = issue_link_token(STAFF_EMAIL, "sign_in")
    _db.session.commit()
    assert client.get(f"/yllapito/kirjaudu/{token}").status_code == 404
    assert client.post(f"/yllapito/kirjaudu/{token}").status_code == 404
    assert _db.session.scalars(select(UserSession)).all() == []


def test_staff_link_lifetime_is_within_an_hour():
    assert 15 * 60 <= TOKEN_LIFETIMES["staff_sign_in"].total_seconds() <= 60 * 60


def test_the_page_asked_for_opens_after_signing_in(client):
    make_staff()
    assert client.get("/yllapito/loki?toiminto=approve").headers["Location"] == "/yllapito/kirjaudu"
    assert sign_in_staff(client).headers["Location"] == "/yllapito/loki?toiminto=approve"


def test_deactivating_signs_staff_out_at_once(client, runner):
    make_staff()
    sign_in_staff(client)
    assert client.get("/yllapito/").status_code == 200
    result = runner.invoke(args=["staff", "deactivate", STAFF_EMAIL])
    assert result.exit_code == 0, result.output
    assert client.get("/yllapito/").headers["Location"] == "/yllapito/kirjaudu"


def test_a_staff_session_left_idle_for_an_hour_ends(client):
    make_staff()
    sign_in_staff(client)
    row = _db.session.scalars(select(UserSession)).one()
    row.last_seen_at = utcnow() - SESSION_LIMITS["staff"].idle - timedelta(minutes=1)
    _db.session.commit()
    assert client.get("/yllapito/").status_code == 303


def test_a_form_sent_after_the_staff_session_ended_comes_back_with_what_was_typed(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    organisation = make_organisation("Pyydettävä ry")
    # Written over lunch: the session ended before Send was pressed.
    row = _db.session.scalars(select(UserSession)).one()
    row.last_seen_at = utcnow() - SESSION_LIMITS["staff"].idle - timedelta(minutes=1)
    _db.session.commit()

    answer = client.post(
        "/yllapito/muokkauspyynto", data=once(message="Päivittäkää aukioloajat.", organisation_ids=str(organisation.id)),
        headers={"Sec-Fetch-Site": "same-origin", "Referer": "http://localhost/yllapito/muokkauspyynto"},
    )

    assert answer.status_code == 400
    assert "Istuntosi oli päättynyt" in answer.text and "Päivittäkää aukioloajat." in answer.text
    # The way back: the form again, which asks to sign in first and then opens.
    assert 'href="/yllapito/muokkauspyynto"' in answer.text
    assert _db.session.scalars(select(OutboxMessage)).all() == []


def test_staff_commands_add_list_deactivate(runner):
    added = runner.invoke(args=["staff", "add", "Uusi@Keskus.example", "--name", "Uusi Ylläpitäjä"])
    assert added.exit_code == 0 and "uusi@keskus.example" in added.output
    assert "uusi@keskus.example\tUusi Ylläpitäjä\tactive" in runner.invoke(args=["staff", "list"]).output
    assert runner.invoke(args=["staff", "deactivate", "uusi@keskus.example"]).exit_code == 0
    assert "\tinactive" in runner.invoke(args=["staff", "list"]).output
    assert runner.invoke(args=["staff", "add", "uusi@keskus.example"]).exit_code == 0
    assert _db.session.scalars(select(StaffUser.active)).all() == [True]
    bad = runner.invoke(args=["staff", "add", "ei-osoite"])
    assert bad.exit_code == 1
    assert runner.invoke(args=["staff", "deactivate", "tuntematon@keskus.example"]).exit_code == 1


def test_sign_out(client):
    make_staff()
    sign_in_staff(client)
    assert client.post("/yllapito/kirjaudu-ulos").headers["Location"] == "/yllapito/kirjaudu"
    assert client.get("/yllapito/").status_code == 303


def test_sign_out_empties_the_cookie(client):
    make_staff()
    sign_in_staff(client)
    with client.session_transaction() as session:
        session["tray"] = [1]
        session["staff_link_sent"] = True

    client.post("/yllapito/kirjaudu-ulos")

    with client.session_transaction() as session:
        assert "tray" not in session and "staff_link_sent" not in session and "session_secret" not in session


@pytest.mark.parametrize("path", ["/yllapito/kirjaudu", "/yllapito/kirjaudu/lahetetty"])
def test_the_sign_in_pages_are_open(client, path):
    assert client.get(path).status_code in (200, 303)


@pytest.mark.parametrize(("language", "staff_words"), [("", "Ylläpito"), ("/sv", "Administration"), ("/en", "Admin")])
def test_a_staff_pages_title_says_it_is_a_staff_page(client, make_organisation, language, staff_words):
    """The staff and the public page of the same organisation (or the two "Tilastot") are told
    apart by their titles: in the browser's tabs, and as a screen reader announces a page."""
    organisation = make_organisation("Muistiyhdistys ry")
    make_staff()
    sign_in_staff(client)

    def title(path: str) -> str:
        page = client.get(language + path)
        assert page.status_code == 200, path
        return re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)

    for public, staff in [(f"/jarjestot/{organisation.id}", f"/yllapito/jarjestot/{organisation.id}"),
                          ("/tilastot", "/yllapito/tilastot")]:
        assert title(staff) != title(public)
        assert f" – {staff_words} – " in title(staff)
    assert title("/yllapito/").count(staff_words) == 1
