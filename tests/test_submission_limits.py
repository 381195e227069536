"""Submission limits that fit a health centre, on the production storage (database://):
only accepted submissions count, a burst per session and per address, and a refused
visitor keeps what was typed and learns how long to wait."""
import pytest
from tests.clients import OwnBrowserClient, once
from tests.test_contact_requests import VALID

from app.extensions import db
from app.models import SharedTray
from app.platform.ratelimit import LINKS_PER_ADDRESS, SUBMISSIONS_PER_SESSION


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "database://"}


def post(client, path, data):
    """A POST, then the session's end a real server's teardown gives: the test shares one app
    context with the requests, and an open SQLite transaction would block the limiter's own.
    Each call is a newly rendered form: its own one-time key."""
    db.session.remove()
    response = client.post(path, data=once(data), headers={"Sec-Fetch-Site": "same-origin"})
    db.session.remove()
    return response


def post_contact(client, organisation_id, **changes):
    data = {key: value for key, value in {**VALID, **changes}.items() if value is not None}
    return post(client, f"/jarjestot/{organisation_id}/yhteydenotto", data)


def browser(app):
    """Another browser behind the same address: a session of its own."""
    app.test_client_class = OwnBrowserClient
    return app.test_client()


PER_SESSION = int(SUBMISSIONS_PER_SESSION.split()[0])


def test_refused_forms_do_not_count(client, make_organisation):
    organisation_id = make_organisation(email="info@esimerkki.fi").id
    statuses = [post_contact(client, organisation_id, consent=None).status_code for _ in range(PER_SESSION + 5)]
    assert statuses == [422] * (PER_SESSION + 5)
    assert post_contact(client, organisation_id).status_code == 303


def test_one_session_gets_a_burst_and_then_the_form_back_with_the_wait(client, app, make_organisation):
    organisation_id = make_organisation(email="info@esimerkki.fi").id
    statuses = [post_contact(client, organisation_id).status_code for _ in range(PER_SESSION)]
    assert statuses == [303] * PER_SESSION

    refused = post_contact(client, organisation_id, name="Viimeinen Asiakas", message="Tämä ei saa kadota.")

    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert 'value="Viimeinen Asiakas"' in page
    assert "Tämä ei saa kadota." in page
    assert "minuuttia ja lähetä sitten uudelleen" in page
    # A colleague at the same health centre is not held up.
    assert post_contact(browser(app), organisation_id).status_code == 303


def test_the_tray_form_is_kept_too(client, make_organisation):
    organisation_id = make_organisation(email="info@esimerkki.fi").id
    post(client, "/tarjotin/lisaa", {"organisation_id": organisation_id})
    for _ in range(PER_SESSION):
        assert post(client, "/tarjotin/yhteydenotto", VALID).status_code == 303

    refused = post(client, "/tarjotin/yhteydenotto", {**VALID, "name": "Tarjottimen Asiakas"})

    assert refused.status_code == 429
    assert 'value="Tarjottimen Asiakas"' in refused.get_data(as_text=True)


def test_a_view_without_its_own_form_page_shows_what_was_typed(client, mailbox):
    # The sign-in link's form: its refusal is the 429 page, which shows the typed address back.
    for _ in range(int(LINKS_PER_ADDRESS.split()[0])):
        assert post(client, "/jarjestoille/", {"email": "sihteeri@esimerkki.fi"}).status_code == 303

    refused = post(client, "/jarjestoille/", {"email": "sihteeri@esimerkki.fi"})

    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert '<li class="virheilmoitus-teksti">sihteeri@esimerkki.fi</li>' in page
    assert "ja yritä sitten uudelleen" in page and "<dt>email</dt>" not in page
    assert "submission_key" not in page  # the form's one-time key is not something the visitor typed


def test_mailing_a_shared_list_is_limited_and_keeps_the_address(client, db, make_organisation):
    organisation_id = make_organisation(email="info@esimerkki.fi").id
    post(client, "/tarjotin/lisaa", {"organisation_id": organisation_id})
    post(client, "/tarjotin/jaa", {})
    code = db.session.scalar(db.select(SharedTray.code))
    for attempt in range(PER_SESSION):
        assert post(client, f"/lista/{code}/laheta", {"list_address": f"a{attempt}@example.fi"}).status_code == 303

    refused = post(client, f"/lista/{code}/laheta", {"list_address": "viimeinen@example.fi"})

    assert refused.status_code == 429
    assert 'value="viimeinen@example.fi"' in refused.get_data(as_text=True)


def test_the_same_form_sent_twice_is_answered_at_once_with_its_first_answer(client, make_organisation, mailbox):
    # A double click without JavaScript: the second request carries the same one-time key.
    organisation_id = make_organisation(email="info@esimerkki.fi").id
    data = once({key: value for key, value in VALID.items() if value is not None})
    path = f"/jarjestot/{organisation_id}/yhteydenotto"
    db.session.remove()

    first = client.post(path, data=data)
    db.session.remove()
    mailed = len(mailbox.messages)
    second = client.post(path, data=data)

    # The repeat used to wait out SQLite's busy timeout behind its own read of the key,
    # then answer 500 when the rate limit counted it.
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert mailed > 0 and len(mailbox.messages) == mailed


def test_a_repeat_of_the_last_allowed_submission_gets_its_first_answer_and_counts_nothing(client, app,
                                                                                         make_organisation, mailbox):
    # The session's last allowed request, clicked twice: it went through, so the repeat must say so
    # (the limit used to refuse it before the repeat was recognised: "not sent, wait an hour").
    organisation_id = make_organisation(email="info@esimerkki.fi").id
    for _ in range(PER_SESSION - 1):
        assert post_contact(client, organisation_id).status_code == 303
    last = once({key: value for key, value in VALID.items() if value is not None})
    path = f"/jarjestot/{organisation_id}/yhteydenotto"
    answers = []
    for _ in range(3):
        db.session.remove()
        answers.append(client.post(path, data=last))
    db.session.remove()
    assert [answer.status_code for answer in answers] == [303] * 3
    assert len({answer.headers["Location"] for answer in answers}) == 1
    # Only the first of them counted: the next new request is the first one refused.
    assert post_contact(client, organisation_id).status_code == 429
