"""A signed-in person's POST to a rate-limited form, on the production limiter storage.

The app here runs as a server runs it: every request in an app context of its own
(nothing of the test holds a transaction between requests) and the rate limits
counted by `database://` in the same database file.  On SQLite a request that held
the write lock while the limiter counted on a second connection waited for itself
until the busy timeout, then answered 503.
"""
import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event
from tests.clients import ServerLikeClient, once
from tests.conftest import empty_all_tables, make_test_config

from app import create_app
from app.extensions import db
from app.models import ContactRequest, Organisation, OutboxMessage
from app.platform import database
from app.platform.tokens import issue_link_token

SECRETARY = "sihteeri@yhdistys.example"


@pytest.fixture
def server(migrated_database, monkeypatch):
    # A self-deadlock shows after the busy timeout; a short one keeps the failing test quick.
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
    app = create_app(make_test_config(migrated_database, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="database://"))
    app.test_client_class = ServerLikeClient
    yield app
    with app.app_context():
        empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def organisation_id(server) -> int:
    with server.app_context():
        organisation = Organisation(
            name="Muistiyhdistys ry", description="Kokoontuu.", status="published", email="info@yhdistys.example"
        )
        db.session.add(organisation)
        db.session.commit()
        return organisation.id


@pytest.fixture
def signed_in(server):
    with server.app_context():
        token = issue_link_token(SECRETARY, "sign_in")
        db.session.commit()
    client = server.test_client()
    assert client.post(f"/jarjestoille/kirjaudu/{token}").status_code == 303
    return client


CONTACT = {
    "name": "Liisa Esimerkki",
    "email": "liisa@example.fi",
    "phone": "",
    "preferred_channel": "sahkoposti",
    "message": "Haluaisin tietää vertaistukiryhmästä.",
    "consent": "y",
}


def test_a_signed_in_contact_request_is_stored(server, signed_in, organisation_id):
    response = signed_in.post(f"/jarjestot/{organisation_id}/yhteydenotto", data=once(CONTACT))

    assert response.status_code == 303, response.text
    with server.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ContactRequest)) == 1


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/tarjotin/yhteydenotto", 409),  # an empty tray: the form again, with what was typed
        ("/tyopajat/tilaa", 422),
        ("/tyopajat/palaute/tuntematon", 404),
        ("/jarjestoille/", 422),
        ("/yllapito/kirjaudu", 422),
    ],
)
def test_every_rate_limited_form_answers_a_signed_in_post(signed_in, path, expected):
    assert signed_in.post(path, data={}).status_code == expected


@contextmanager
def counters_locked_after_the_view_commits(app):
    """Another connection takes the write lock (SQLite) or locks the rate-limit counters
    (PostgreSQL) right after the view's commit, so only the limiter's count after the
    answer has to wait for it, until its lock wait ends."""
    held = []

    def take_lock(_session):
        if held:
            return
        url = db.engine.url
        if url.get_backend_name() == "sqlite":
            connection = sqlite3.connect(url.database, isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            held.append((connection, None))
        else:
            engine = create_engine(url)
            connection = engine.raw_connection()
            connection.cursor().execute("LOCK TABLE rate_limit_counter IN EXCLUSIVE MODE")
            held.append((connection, engine))

    def short_lock_wait(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 300")
        dbapi_connection.commit()

    with app.app_context():
        db.engine.dispose()
        if db.engine.dialect.name != "sqlite":
            event.listen(db.engine, "connect", short_lock_wait)
        event.listen(db.session, "after_commit", take_lock)
        try:
            yield
        finally:
            event.remove(db.session, "after_commit", take_lock)
            for connection, engine in held:
                connection.rollback()
                connection.close()
                if engine is not None:
                    engine.dispose()
            if db.engine.dialect.name != "sqlite":
                event.remove(db.engine, "connect", short_lock_wait)
            db.engine.dispose()


def test_a_sent_request_whose_count_cannot_be_written_still_says_sent(server, organisation_id):
    """The limiter counts an accepted post after the view committed it: a database too busy
    for that count must not turn "sent" into the error page, which made people send again."""
    server.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production, not raise
    client = server.test_client()
    with counters_locked_after_the_view_commits(server):
        response = client.post(f"/jarjestot/{organisation_id}/yhteydenotto", data=once(CONTACT))

    assert response.status_code == 303, response.text
    assert "yhteydenotto" in response.headers["Location"]
    with server.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(ContactRequest)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 2
