"""Join and sign in by e-mailed link, through real SMTP, with CSRF on."""
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from tests.clients import OwnBrowserClient, once
from app.accounts.access import contact_can_edit
from app.extensions import db as _db
from app.models import ErrorReport, LoginToken, OrganisationContact, OutboxMessage, UserSession, utcnow
from app.platform.log_filter import TokenMaskFilter, safe_log_text
from app.platform.tokens import hash_token


LINK_PATTERN = re.compile(r"http://portal\.test/jarjestoille/kirjaudu/([A-Za-z0-9_\-]+)")
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def csrf_of(page) -> str:
    return CSRF_PATTERN.search(page.text).group(1)


def ask_for_link(client, email, **kwargs):
    page = client.get("/jarjestoille/", **kwargs)
    return client.post("/jarjestoille/", data=once({"email": email, "csrf_token": csrf_of(page)}), **kwargs)


def link_from(mailbox, index=-1) -> str:
    text, _html = mailbox.bodies(mailbox.messages[index])
    return LINK_PATTERN.search(text).group(0)


def path_of(link: str) -> str:
    return link.removeprefix("http://portal.test")


def sign_in(client, mailbox, email="sihteeri@example.fi"):
    ask_for_link(client, email)
    path = path_of(link_from(mailbox))
    confirm = client.get(path)
    return client.post(path, data={"csrf_token": csrf_of(confirm)})


@pytest.fixture
def organisations(make_organisation):
    published = make_organisation("Muistiyhdistys ry")
    pending = make_organisation("Kuopion omaishoitajat ry", status="pending")
    make_organisation("Toisen yhdistys ry")
    for organisation in (published, pending):
        _db.session.add(OrganisationContact(organisation_id=organisation.id, email="sihteeri@example.fi"))
    _db.session.commit()
    return published, pending


def test_the_whole_journey_from_address_to_own_organisations(client, mailbox, organisations):
    # A forged Host header must not reach the link in the mail.
    client.environ_base["HTTP_HOST"] = "evil.example"
    landing = client.get("/jarjestoille/")
    assert landing.status_code == 200
    assert "Liity mukaan tai kirjaudu" in landing.text

    answer = ask_for_link(client, "Sihteeri@Example.fi")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/jarjestoille/linkki-lahetetty"
    sent_page = client.get("/jarjestoille/linkki-lahetetty")
    assert "Jos osoitetta voi käyttää, kirjautumislinkki on matkalla antamaasi osoitteeseen." in sent_page.text

    [mail] = mailbox.messages
    assert mail["To"] == "sihteeri@example.fi"
    link = link_from(mailbox)
    assert "evil.example" not in mailbox.bodies(mail)[0] + mailbox.bodies(mail)[1]
    path = path_of(link)

    for method in (client.get, client.head):
        opened = method(path)
        assert opened.status_code == 200
        assert opened.headers["Cache-Control"] == "no-store"
        assert "https:" not in opened.headers["Content-Security-Policy"]
    confirm = client.get(path)
    assert "Jatka" in confirm.text and "sihteeri@example.fi" in confirm.text
    assert "https://" not in confirm.text.split("</head>")[0]
    assert _db.session.scalars(select(LoginToken)).one().used_at is None

    signed_in = client.post(path, data={"csrf_token": csrf_of(confirm)})
    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == "/jarjestoille/omat"
    assert _db.session.scalars(select(UserSession.email)).all() == ["sihteeri@example.fi"]

    own = client.get("/jarjestoille/omat")
    assert own.status_code == 200
    assert "Muistiyhdistys ry" in own.text
    assert re.search(r"Kuopion omaishoitajat ry\s*<strong>\(odottaa hyväksyntää\)</strong>", own.text)
    assert "Toisen yhdistys ry" not in own.text


def test_a_used_link_explains_itself_and_offers_a_new_one(app, client, mailbox):
    sign_in(client, mailbox)
    path = path_of(link_from(mailbox))

    # Opened in another browser: a forwarded or leaked link, or the person's other device.
    other = OwnBrowserClient(app)
    again = other.get(path)
    assert again.status_code == 410
    assert "Linkki on jo käytetty" in again.text
    # Whoever opens a forwarded or leaked link learns nothing of its owner.
    assert "sihteeri" not in again.text
    assert again.headers["Cache-Control"] == "no-store"
    reused = other.post(path, data={"csrf_token": csrf_of(again)})
    assert reused.status_code == 410
    assert len(_db.session.scalars(select(UserSession)).all()) == 1


def test_a_used_link_opened_again_where_it_signed_in_goes_on(app, client, mailbox, organisations):
    # The mail's link clicked a second time, or Back to its page and "Jatka" again: this
    # browser is already signed in as the link's address and needs no new link.
    sign_in(client, mailbox)
    path = path_of(link_from(mailbox))

    again = client.get(path)
    assert again.status_code == 303 and again.headers["Location"] == "/jarjestoille/omat"
    jatka = client.post(path, data={"csrf_token": csrf_of(client.get("/jarjestoille/omat"))})
    assert jatka.status_code == 303 and jatka.headers["Location"] == "/jarjestoille/omat"
    assert len(_db.session.scalars(select(UserSession)).all()) == 1

    # Signed in as someone else, the link is used all the same.
    sign_in(client, mailbox, "toinen@example.fi")
    assert client.get(path).status_code == 410


@pytest.mark.parametrize("path", ["/jarjestoille/", "/yllapito/kirjaudu"])
def test_the_session_cookie_holds_no_address(app, client, mailbox, path):
    # Flask's cookie is signed, not encrypted: whoever holds it reads what is in it.
    page = client.get(path)
    posted = client.post(path, data=once({"email": "sihteeri@example.fi", "csrf_token": csrf_of(page)}))
    assert "sihteeri" not in client.get(posted.headers["Location"]).text

    cookie = client.get_cookie("session").value
    assert "sihteeri" not in str(app.session_interface.get_signing_serializer(app).loads(cookie))


def test_an_expired_link_cannot_sign_in(client, mailbox):
    ask_for_link(client, "sihteeri@example.fi")
    path = path_of(link_from(mailbox))
    token = _db.session.scalars(select(LoginToken)).one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    _db.session.commit()

    opened = client.get(path)
    assert opened.status_code == 410 and "Linkki on vanhentunut" in opened.text
    posted = client.post(path, data={"csrf_token": csrf_of(opened)})
    assert posted.status_code == 410
    assert _db.session.scalars(select(UserSession)).all() == []


def test_a_newer_link_cancels_the_older_one(client, mailbox):
    ask_for_link(client, "sihteeri@example.fi")
    ask_for_link(client, "sihteeri@example.fi")
    older, newer = path_of(link_from(mailbox, 0)), path_of(link_from(mailbox, 1))

    opened = client.get(older)
    assert opened.status_code == 410 and "Linkki on korvattu uudella" in opened.text
    assert client.post(older, data={"csrf_token": csrf_of(opened)}).status_code == 410
    assert client.get(newer).status_code == 200


def test_an_unknown_link(client, mailbox):
    opened = client.get("/jarjestoille/kirjaudu/" + "x" * 43)
    assert opened.status_code == 404
    assert "Linkki ei kelpaa" in opened.text


def test_known_and_unknown_addresses_get_the_same_answer_and_the_same_work(client, mailbox, organisations):
    answers = []
    for email in ("sihteeri@example.fi", "tuntematon@example.fi"):
        posted = ask_for_link(client, email)
        page = client.get(posted.headers["Location"])
        answers.append((posted.status_code, posted.headers["Location"], page.status_code, page.text.replace(email, "")))
    assert answers[0] == answers[1]
    assert sorted(message["To"] for message in mailbox.messages) == ["sihteeri@example.fi", "tuntematon@example.fi"]
    assert len(_db.session.scalars(select(LoginToken)).all()) == 2


@pytest.mark.parametrize("email", ["", "ei-osoite", "liisa@", "liisa@example.fi\r\nBcc: x@example.fi", "a" * 250 + "@ex.fi"])
def test_an_invalid_address_is_shown_next_to_the_field_and_kept(client, mailbox, email):
    answer = ask_for_link(client, email)

    assert answer.status_code == 422
    assert 'class="virhe" id="email-virhe"' in answer.text
    assert "Tarkista seuraavat kohdat" in answer.text
    # The summary takes focus as the page loads: a screen reader starts from it.
    assert 'aria-labelledby="virheyhteenveto-otsikko" autofocus>' in answer.text
    assert "Sähköpostiosoite" in answer.text
    if email.strip() and "\n" not in email:
        assert f'value="{email}"' in answer.text
    assert _db.session.scalars(select(OutboxMessage)).all() == []


@pytest.mark.parametrize(("prefix", "first_word"), [("", "Virhe: "), ("/sv", "Fel: "), ("/en", "Error: ")])
def test_a_refused_form_says_so_first_in_the_title(client, mailbox, prefix, first_word):
    # The title is what a screen reader says first of the page that came back.
    page = client.get(f"{prefix}/jarjestoille/")
    assert f"<title>{first_word}" not in page.text
    answer = client.post(f"{prefix}/jarjestoille/", data=once({"email": "liisa@", "csrf_token": csrf_of(page)}))

    assert answer.status_code == 422
    assert f"<title>{first_word}" in answer.text


def test_a_post_without_csrf_token_is_refused(client, mailbox):
    answer = client.post("/jarjestoille/", data=once({"email": "sihteeri@example.fi"}))
    assert answer.status_code == 400
    assert mailbox.messages == []


def test_smtp_trouble_does_not_break_the_request(client, unstarted_mailbox):
    answer = ask_for_link(client, "sihteeri@example.fi")

    assert answer.status_code == 303
    message = _db.session.scalars(select(OutboxMessage)).one()
    assert (message.status, message.attempts) == ("queued", 1)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True}])
def test_links_per_address_are_limited(client, mailbox):
    for _ in range(5):
        assert ask_for_link(client, "sihteeri@example.fi").status_code == 303
    refused = ask_for_link(client, "Sihteeri@example.fi")
    assert refused.status_code == 429
    assert "Liian monta yritystä" in refused.text
    assert ask_for_link(client, "toinen@example.fi").status_code == 303
    assert len(mailbox.messages) == 6


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True}])
@pytest.mark.parametrize("disguised", ["sihteeri@\uff45xample.fi", "\uff53ihteeri@example.fi", "sihteeri\uff20example.fi"])
def test_the_limit_per_address_counts_the_address_the_mail_goes_to(client, mailbox, disguised):
    # Full-width letters or at-sign: another key for a raw-text limit, the same mailbox for SMTP.
    for _ in range(5):
        assert ask_for_link(client, "sihteeri@example.fi").status_code == 303
    assert ask_for_link(client, disguised).status_code == 429
    assert len(mailbox.messages) == 5


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_the_staff_limit_per_address_counts_the_normalised_address(client):
    for _ in range(5):
        assert client.post("/yllapito/kirjaudu", data=once({"email": "yllapito@keskus.example"})).status_code == 303
    assert client.post("/yllapito/kirjaudu", data=once({"email": "yllapito@k\uff45skus.example"})).status_code == 429


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True}])
def test_addresses_refused_for_a_typo_use_up_no_tries(client, mailbox):
    # Eleven typos from one address on the net, five of them in the same mailbox's name: no mail went
    # anywhere, so neither limit may stand in the way of the address typed right.
    for typo in ["sihteeri@example", "sihteeri@@example.fi", "sihteeri example.fi", "sihteeri@example,fi",
                 "sihteeri@.example.fi"] + [f"osoite{number}@" for number in range(6)]:
        assert ask_for_link(client, typo).status_code == 422
    assert ask_for_link(client, "sihteeri@example.fi").status_code == 303
    assert len(mailbox.messages) == 1


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}])
def test_a_staff_members_typos_use_up_no_tries(client):
    for _ in range(11):
        assert client.post("/yllapito/kirjaudu", data=once({"email": "yllapito@keskus"})).status_code == 422
    assert client.post("/yllapito/kirjaudu", data=once({"email": "yllapito@keskus.example"})).status_code == 303


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True}])
def test_links_per_ip_address_are_limited(client, mailbox):
    for number in range(10):
        assert ask_for_link(client, f"osoite{number}@example.fi").status_code == 303
    assert ask_for_link(client, "viimeinen@example.fi").status_code == 429
    other_ip = {"REMOTE_ADDR": "192.0.2.99"}
    page = client.get("/jarjestoille/", environ_base=other_ip)
    answer = client.post(
        "/jarjestoille/", data=once({"email": "viimeinen@example.fi", "csrf_token": csrf_of(page)}), environ_base=other_ip
    )
    assert answer.status_code == 303


def session_row() -> UserSession:
    _db.session.expire_all()
    return _db.session.scalars(select(UserSession)).one()


def test_an_idle_session_ends_after_two_hours(client, mailbox):
    sign_in(client, mailbox)
    session_row().last_seen_at = utcnow() - timedelta(hours=2, minutes=1)
    _db.session.commit()

    answer = client.get("/jarjestoille/omat")

    assert answer.status_code == 303 and answer.headers["Location"] == "/jarjestoille/"
    assert _db.session.scalars(select(UserSession)).all() == []


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client, mailbox):
    sign_in(client, mailbox)
    row = session_row()
    row.created_at = utcnow() - timedelta(hours=12, minutes=1)
    row.last_seen_at = utcnow() - timedelta(minutes=5)
    _db.session.commit()

    assert client.get("/jarjestoille/omat").status_code == 303
    assert _db.session.scalars(select(UserSession)).all() == []


def test_activity_is_recorded_at_most_once_a_minute(client, mailbox):
    sign_in(client, mailbox)
    recent = utcnow() - timedelta(seconds=20)
    session_row().last_seen_at = recent
    _db.session.commit()
    client.get("/jarjestoille/omat")
    assert session_row().last_seen_at == recent

    older = utcnow() - timedelta(minutes=90)
    session_row().last_seen_at = older
    _db.session.commit()
    assert client.get("/jarjestoille/omat").status_code == 200
    assert session_row().last_seen_at > older + timedelta(minutes=89)


def test_signing_out_deletes_the_session(client, mailbox):
    sign_in(client, mailbox)
    own = client.get("/jarjestoille/omat")

    answer = client.post("/jarjestoille/kirjaudu-ulos", data={"csrf_token": csrf_of(own)})

    assert answer.status_code == 303
    assert _db.session.scalars(select(UserSession)).all() == []
    assert client.get("/jarjestoille/omat").status_code == 303
    assert "Olet kirjautunut ulos." in client.get("/jarjestoille/").text


def test_signing_out_leaves_nothing_of_the_visit_in_the_cookie(client, mailbox):
    """A shared computer: the next person must not find the tray, the CSRF token or the "link sent" mark."""
    sign_in(client, mailbox)
    own = client.get("/sv/jarjestoille/omat")
    with client.session_transaction() as session:
        session["tray"] = [1, 2]
        token_before = session["csrf_token"]
        session["link_sent"] = True

    client.post("/sv/jarjestoille/kirjaudu-ulos", data={"csrf_token": csrf_of(own)})

    with client.session_transaction() as session:
        assert "tray" not in session and "link_sent" not in session and "session_secret" not in session
        assert session.get("csrf_token") != token_before
        # The language chosen is no one's personal data: the goodbye page keeps it.
        assert session.get("kieli") == "sv"


def test_deleting_the_row_signs_the_browser_out(client, mailbox):
    sign_in(client, mailbox)
    _db.session.execute(delete(UserSession))
    _db.session.commit()

    assert client.get("/jarjestoille/omat").status_code == 303


def test_signing_in_again_replaces_the_session(client, mailbox):
    sign_in(client, mailbox)
    first = session_row().id
    sign_in(client, mailbox)

    assert session_row().id != first


def test_removing_the_contact_ends_access_at_once(client, mailbox, organisations):
    published, _pending = organisations
    sign_in(client, mailbox)
    assert contact_can_edit("sihteeri@example.fi", published.id)

    _db.session.execute(
        delete(OrganisationContact).where(OrganisationContact.organisation_id == published.id)
    )
    _db.session.commit()

    own = client.get("/jarjestoille/omat")
    assert "Muistiyhdistys ry" not in own.text
    assert "Kuopion omaishoitajat ry" in own.text
    assert not contact_can_edit("sihteeri@example.fi", published.id)


def test_own_organisations_need_a_session(client):
    answer = client.get("/jarjestoille/omat")
    assert answer.status_code == 303 and answer.headers["Location"] == "/jarjestoille/"


def test_tokens_are_masked_in_access_logs():
    token = "Abc_def-123" * 4
    werkzeug_record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s %s',
        ("127.0.0.1", "now", f"GET /jarjestoille/kirjaudu/{token} HTTP/1.1", "200", "-"), None,
    )
    gunicorn_record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, '"%(r)s" "%(f)s"',
        ({"r": f"POST /jarjestoille/kirjaudu/{token} HTTP/1.1", "f": f"https://x.fi/jarjestoille/kirjaudu/{token}"},),
        None,
    )
    for record in (werkzeug_record, gunicorn_record):
        assert TokenMaskFilter().filter(record)
        line = record.getMessage()
        assert token not in line
        assert "/jarjestoille/kirjaudu/[piilotettu]" in line


# URL variables that hold a link's secret.
SECRET_VARIABLES = {"token", "code", "batch"}


def test_every_route_with_a_secret_in_its_path_is_masked(app):
    secret = "Abc_def-123" * 4
    routes = [rule for rule in app.url_map.iter_rules() if SECRET_VARIABLES & rule.arguments]
    assert len(routes) >= 15
    for rule in routes:
        values = {name: secret if name in SECRET_VARIABLES else 7 for name in rule.arguments}
        path = app.url_map.bind("portal.test").build(rule.endpoint, values, method=sorted(rule.methods)[0])
        assert secret not in safe_log_text(f"GET {path} HTTP/1.1"), rule.rule


def test_the_stored_token_is_not_the_one_in_the_mail(client, mailbox):
    ask_for_link(client, "sihteeri@example.fi")
    raw = LINK_PATTERN.search(mailbox.bodies(mailbox.messages[0])[0]).group(1)

    stored = _db.session.scalars(select(LoginToken)).one()
    assert stored.token_hash == hash_token(raw) != raw
    sent = _db.session.scalars(select(OutboxMessage)).one()
    assert raw not in sent.text_body + sent.html_body, "the body is cleared once sent"


def test_the_app_installs_the_mask_on_the_access_loggers(app):
    for name in ("werkzeug", "gunicorn.access"):
        assert any(isinstance(f, TokenMaskFilter) for f in logging.getLogger(name).filters)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True, "DEBUG": True}])
def test_in_development_the_link_waits_in_the_development_mailbox(client):
    assert ask_for_link(client, "sihteeri@example.fi").status_code == 303

    message = _db.session.scalars(select(OutboxMessage)).one()
    assert message.status == "sent"
    mail_page = client.get(f"/dev/mailbox/{message.id}")
    path = path_of(LINK_PATTERN.search(mail_page.text).group(0))
    confirm = client.get(path)
    assert client.post(path, data={"csrf_token": csrf_of(confirm)}).headers["Location"] == "/jarjestoille/omat"


def test_a_form_sent_after_signing_out_in_another_tab_says_why_and_shows_what_was_typed(
    client, mailbox, make_organisation
):
    organisation = make_organisation("Muistiyhdistys ry")
    sign_in(client, mailbox)
    report_page = client.get(f"/jarjestot/{organisation.id}")  # a tab with a form of this session
    own = client.get("/jarjestoille/omat")
    client.post("/jarjestoille/kirjaudu-ulos", data={"csrf_token": csrf_of(own)})  # another tab

    report = once(report_text="Puhelinnumero on vaihtunut.", csrf_token=csrf_of(report_page))
    answer = client.post(f"/jarjestot/{organisation.id}/virheilmoitus", data=report, headers={
        "Sec-Fetch-Site": "same-origin", "Referer": f"http://localhost/jarjestot/{organisation.id}?haku=q%3Dmuisti"})

    assert answer.status_code == 400
    assert "Lomaketta ei voitu lähettää, koska se oli vanhentunut" in answer.text
    assert '<li class="virheilmoitus-teksti">Puhelinnumero on vaihtunut.</li>' in answer.text
    # Back would bring the same stale form: the page does not suggest it.
    assert "Takaisin-painikkeella" not in answer.text
    assert f'<a href="/jarjestot/{organisation.id}?haku=q%3Dmuisti">Avaa lomake uudelleen</a>' in answer.text
    assert csrf_of(report_page) not in answer.text and report["submission_key"] not in answer.text
    assert _db.session.scalars(select(ErrorReport)).all() == []


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://muu.example"},
    {"Referer": "https://muu.example/lomake"},
    {},
])
def test_another_sites_form_cannot_put_its_words_on_our_error_page(client, make_organisation, headers):
    """Words posted from elsewhere ("call this number") are never shown as "Kirjoittamasi tiedot"."""
    organisation = make_organisation("Muistiyhdistys ry")
    answer = client.post(f"/jarjestot/{organisation.id}/virheilmoitus", headers=headers,
                         data=once(report_text="Soita heti numeroon 0700 123 456."))
    assert answer.status_code == 400
    assert "0700 123 456" not in answer.text and "Kirjoittamasi tiedot" not in answer.text
