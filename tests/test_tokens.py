"""One-time links: random, stored hashed, spent once, replaced by newer ones."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.conftest import make_test_config

from app import create_app
from app.extensions import db as _db
from app.models import LoginToken, utcnow
from app.platform.tokens import (
    TOKEN_LIFETIMES,
    consume_token,
    hash_token,
    issue_link_token,
    link_url,
    peek_token,
)


def issue(email="liisa@example.fi", purpose="sign_in", **kwargs) -> str:
    raw = issue_link_token(email, purpose, **kwargs)
    _db.session.commit()
    return raw


def test_only_the_hash_of_a_256_bit_token_is_stored(app):
    raw = issue(created_ip="192.0.2.7")

    assert len(raw) == 43  # 32 random bytes, URL-safe base64
    token = _db.session.scalars(select(LoginToken)).one()
    assert token.token_hash == hash_token(raw) and len(token.token_hash) == 64
    assert raw not in [str(value) for value in vars(token).values()]
    assert token.created_ip == "192.0.2.7"


def test_lifetimes_are_an_hour_for_sign_in_and_a_week_for_edit_requests():
    assert TOKEN_LIFETIMES["sign_in"] == timedelta(minutes=60)
    assert TOKEN_LIFETIMES["edit_request"] == timedelta(days=7)


def test_the_address_is_lower_cased(app):
    raw = issue("Liisa.Virtanen@Example.FI")
    assert peek_token(raw, "sign_in").email == "liisa.virtanen@example.fi"


def test_peeking_changes_nothing(app):
    raw = issue()

    for _ in range(3):
        state = peek_token(raw, "sign_in")
        assert (state.status, state.email) == ("valid", "liisa@example.fi")
    assert _db.session.scalars(select(LoginToken)).one().used_at is None


def test_a_token_is_spent_once(app):
    raw = issue()

    used = consume_token(raw, "sign_in")
    _db.session.commit()

    assert (used.status, used.email) == ("valid", "liisa@example.fi")
    assert consume_token(raw, "sign_in") is None
    assert peek_token(raw, "sign_in").status == "used"


def test_an_expired_token_cannot_be_spent(app):
    raw = issue()
    later = utcnow() + timedelta(minutes=61)

    assert peek_token(raw, "sign_in", now=later).status == "expired"
    assert consume_token(raw, "sign_in", now=later) is None
    assert peek_token(raw, "sign_in").status == "valid"


@pytest.mark.parametrize("raw", ["", "x", "a" * 43])
def test_unknown_tokens(app, raw):
    issue()
    assert peek_token(raw, "sign_in").status == "unknown"
    assert consume_token(raw, "sign_in") is None


def test_a_token_works_only_for_its_purpose(app):
    raw = issue(purpose="edit_request", organisation_id=None)

    assert peek_token(raw, "sign_in").status == "unknown"
    assert consume_token(raw, "sign_in") is None
    assert consume_token(raw, "edit_request").status == "valid"


def test_a_new_sign_in_link_cancels_the_older_ones_of_that_address(app):
    first, second = issue(), issue()
    other_address = issue("pekka@example.fi")
    edit_link = issue(purpose="edit_request")
    newest = issue()

    assert peek_token(first, "sign_in").status == "cancelled"
    assert peek_token(second, "sign_in").status == "cancelled"
    assert consume_token(first, "sign_in") is None
    assert peek_token(newest, "sign_in").status == "valid"
    assert peek_token(other_address, "sign_in").status == "valid"
    assert peek_token(edit_link, "edit_request").status == "valid"


def test_an_edit_request_link_carries_its_organisation(app, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry")
    raw = issue(purpose="edit_request", organisation_id=organisation.id)

    state = consume_token(raw, "edit_request")

    assert state.organisation_id == organisation.id


def test_unknown_purposes_are_refused(app):
    with pytest.raises(ValueError):
        issue_link_token("liisa@example.fi", "password_reset")


def test_two_simultaneous_uses_spend_the_token_once(app, migrated_database):
    raw = issue()
    config = make_test_config(migrated_database)
    barrier = threading.Barrier(4)
    winners, errors = [], []

    # The apps are built up front: CPython 3.11 can fail compiling in several threads at once.
    apps = [create_app(config) for _ in range(4)]

    def use(other_app):
        try:
            with other_app.app_context():
                barrier.wait(timeout=10)
                state = consume_token(raw, "sign_in")
                _db.session.commit()
                if state is not None:
                    winners.append(state.email)
                _db.session.remove()
                _db.engine.dispose()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=use, args=(other_app,)) for other_app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert winners == ["liisa@example.fi"]


def test_links_use_base_url_and_never_the_host_header(app):
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert link_url("accounts.open_link", token="abc") == "http://portal.test/jarjestoille/kirjaudu/abc"
    assert link_url("accounts.request_link") == "http://portal.test/jarjestoille/"


@pytest.mark.parametrize("app_config", [{"BASE_URL": "https://example.fi/tarjotin"}])
def test_links_keep_the_path_of_base_url(app):
    assert link_url("accounts.open_link", token="abc") == "https://example.fi/tarjotin/jarjestoille/kirjaudu/abc"
