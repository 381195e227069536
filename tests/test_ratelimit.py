"""Rate limits kept in the database hold across worker processes (RATELIMIT_STORAGE_URI=database://)."""
import time

import pytest
from tests.clients import once
from tests.conftest import make_test_config

from app import create_app
from app.extensions import db
from app.models import RateLimitCounter
from app.platform.ratelimit import DatabaseStorage, purge_expired_counters


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "database://"}


def test_two_workers_share_one_count(app, migrated_database):
    # A second app instance on the same database stands for a second gunicorn worker.
    other_worker = create_app(
        make_test_config(migrated_database, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="database://")
    )
    first, second = app.test_client(), other_worker.test_client()
    statuses = []
    for attempt in range(12):
        client = first if attempt % 2 == 0 else second
        statuses.append(client.post("/jarjestoille/", data=once({"email": f"henkilo{attempt}@example.fi"})).status_code)
    with other_worker.app_context():
        db.engine.dispose()
    # 10 per hour per IP (app/accounts/routes.py), whichever worker answers.
    assert statuses[:10] == [303] * 10
    assert statuses[10:] == [429, 429]


def test_a_window_starts_again_when_it_ends(app):
    storage = DatabaseStorage()
    assert storage.incr("avain", expiry=60) == 1
    assert storage.incr("avain", expiry=60) == 2
    assert storage.get("avain") == 2
    assert storage.get_expiry("avain") > time.time()

    db.session.execute(db.update(RateLimitCounter).values(expires_at=time.time() - 1))
    db.session.commit()

    assert storage.get("avain") == 0
    assert storage.incr("avain", expiry=60) == 1


def test_purge_removes_ended_windows(app):
    storage = DatabaseStorage()
    storage.incr("vanha", expiry=1)
    storage.incr("uusi", expiry=3600)

    assert purge_expired_counters(now=time.time() + 10) == 1
    db.session.commit()
    assert storage.get("uusi") == 1
    storage.clear("uusi")
    assert storage.get("uusi") == 0


def test_a_used_links_fresh_link_is_limited_per_link(app, client, mailbox):
    from app.platform.tokens import issue_link_token

    raw = issue_link_token("sihteeri@example.fi", "sign_in")
    db.session.commit()
    assert client.post(f"/jarjestoille/kirjaudu/{raw}").status_code == 303
    answers = [client.post(f"/jarjestoille/kirjaudu/{raw}/uusi").status_code for _ in range(4)]
    # 3 per hour per link (app/accounts/routes.py LINKS_PER_TOKEN); the mail goes only when allowed.
    assert answers == [303, 303, 303, 429]
    assert len(mailbox.messages) == 3


def test_event_sign_ups_count_only_when_accepted_and_a_refused_one_keeps_the_form(app, client, mailbox, taxonomy):
    from tests.events_support import make_event, signup_form

    event = make_event(capacity=50)
    path = f"/tapahtumat/{event.id}/ilmoittaudu"
    # Typos first: refused forms (422) do not use up the address's 10 sign-ups an hour.
    mistakes = [client.post(path, data=signup_form("ei-osoite", submission_key=f"virhe{n:_<38}")).status_code
                for n in range(3)]
    accepted = [client.post(path, data=signup_form(f"osallistuja{n}@example.fi")).status_code for n in range(10)]
    assert mistakes == [422] * 3 and accepted == [303] * 10

    refused = client.post(path, data=signup_form("yksitoista@example.fi", name="Yrjö Yksitoista"))

    assert refused.status_code == 429
    assert "liian monta lomaketta" in refused.text
    # The sign-up form itself, with what was typed, not a list of raw field names.
    assert 'value="Yrjö Yksitoista"' in refused.text and 'value="yksitoista@example.fi"' in refused.text
    assert "submission_key</dt>" not in refused.text


def test_workshop_orders_count_only_when_accepted_and_a_refused_one_keeps_the_form(app, client, mailbox):
    from tests.test_workshops_helpers import order_form, seed_themes

    theme_id = seed_themes(app)[0].id
    # Typos first: refused forms (422) do not use up the address's 10 orders an hour.
    mistakes = [client.post("/tyopajat/tilaa", data=order_form(theme_id, email="ei-osoite")).status_code
                for _ in range(3)]
    accepted = [client.post("/tyopajat/tilaa", data=order_form(theme_id, organisation_name=f"Yhdistys {n}")).status_code
                for n in range(10)]
    assert mistakes == [422] * 3 and accepted == [303] * 10

    refused = client.post("/tyopajat/tilaa", data=order_form(theme_id, organisation_name="Yhdestoista Yhdistys ry"))

    assert refused.status_code == 429
    assert "liian monta lomaketta" in refused.text
    # The order form itself, with what was typed, not a list of raw field names.
    assert 'value="Yhdestoista Yhdistys ry"' in refused.text and "Haluamme selkeyttää" in refused.text
    assert "submission_key</dt>" not in refused.text
