"""Faults: SMTP down, the database locked by someone else, a worker killed mid-save,
two people saving the same organisation at once.  Nothing a person did is lost,
nothing is half-written, and mail goes out exactly once."""
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, func, select, update
from tests.clients import once
from tests.admin_support import add_contacts, make_staff, sign_in_contact, sign_in_staff
from tests.test_self_service import changed, form_data
from tests.test_workshops_helpers import order_form, seed_themes

import app.platform.database as database
from app.extensions import db
from app.models import (
    ContactRequest,
    LoginToken,
    Organisation,
    OutboxMessage,
    Revision,
    WorkshopOrder,
    utcnow,
)
from app.platform.mail_delivery import deliver_due
from app.search.engine import SearchQuery, search

STAFF_NOTIFY = "toimisto@keskus.example"
ROOT = Path(__file__).resolve().parent.parent
CONTACT = {
    "name": "Maija Meikäläinen",
    "phone": "040 123 4567",
    "email": "maija@example.fi",
    "preferred_channel": "puhelin",
    "message": "Haluaisin tietoa vertaistukiryhmästä.",
    "consent": "y",
}


@pytest.fixture
def app_config():
    return {"STAFF_NOTIFY_EMAIL": STAFF_NOTIFY}


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- SMTP down -------------------------------------------------------------------------


def assert_queued_and_delivered_once_later(mailbox, expected: list[str]) -> None:
    """The try right after the request failed; when SMTP is back each mail goes out once."""
    db.session.expire_all()
    queued = db.session.scalars(select(OutboxMessage)).all()
    assert sorted(m.to.lower() for m in queued) == sorted(expected)
    assert all(m.status == "queued" and m.attempts == 1 and m.last_error for m in queued)
    assert mailbox.messages == []

    mailbox.start()
    # Time passes: the failed attempt put each message a minute into the future.
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    deliver_due()
    deliver_due()

    assert sorted(m["To"].lower() for m in mailbox.messages) == sorted(expected)
    db.session.expire_all()
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"sent"}


def test_join_succeeds_while_smtp_is_down(client, unstarted_mailbox):
    answer = client.post("/jarjestoille/", data=once({"email": "Uusi@Yhdistys.example"}))
    assert answer.status_code == 303
    assert "Tarkista sähköpostisi" in client.get(answer.headers["Location"]).text
    assert_queued_and_delivered_once_later(unstarted_mailbox, ["uusi@yhdistys.example"])


def test_contact_request_from_an_organisation_page_succeeds_while_smtp_is_down(
    client, unstarted_mailbox, make_organisation
):
    organisation = make_organisation("Muistiyhdistys ry", email="muisti@esimerkki.fi")
    answer = client.post(f"/jarjestot/{organisation.id}/yhteydenotto", data=once(CONTACT))
    assert answer.status_code == 303
    assert "Muistiyhdistys ry" in client.get(answer.headers["Location"]).text
    assert count(ContactRequest) == 1
    assert_queued_and_delivered_once_later(unstarted_mailbox, ["maija@example.fi", "muisti@esimerkki.fi"])


def test_contact_request_from_the_tray_succeeds_while_smtp_is_down(client, unstarted_mailbox, make_organisation):
    for name, address in [("Eka ry", "eka@esimerkki.fi"), ("Toka ry", "toka@esimerkki.fi")]:
        client.post("/tarjotin/lisaa", data={"organisation_id": make_organisation(name, email=address).id})
    answer = client.post("/tarjotin/yhteydenotto", data=once(CONTACT))
    assert answer.status_code == 303
    assert count(ContactRequest) == 2
    assert_queued_and_delivered_once_later(
        unstarted_mailbox, ["eka@esimerkki.fi", "maija@example.fi", "toka@esimerkki.fi"]
    )


def test_staff_edit_request_succeeds_while_smtp_is_down(client, unstarted_mailbox, make_organisation):
    make_staff()
    sign_in_staff(client)
    organisation = make_organisation("Pyydettävä ry")
    add_contacts(organisation, "a@yhdistys.example", "b@yhdistys.example")
    answer = client.post(
        "/yllapito/muokkauspyynto", data=once(message="Päivittäkää tiedot.", organisation_ids=str(organisation.id))
    )
    assert answer.status_code == 303
    assert "Lähetetty 2 yhteyshenkilölle" in client.get(answer.headers["Location"]).text
    assert_queued_and_delivered_once_later(unstarted_mailbox, ["a@yhdistys.example", "b@yhdistys.example"])


def test_workshop_order_succeeds_while_smtp_is_down(app, client, unstarted_mailbox):
    theme = seed_themes(app)[0]
    answer = client.post("/tyopajat/tilaa", data=order_form(theme.id))
    assert answer.status_code == 303
    [order] = db.session.scalars(select(WorkshopOrder)).all()
    assert order.reference in client.get(answer.headers["Location"]).text
    assert_queued_and_delivered_once_later(unstarted_mailbox, ["maija@example.fi", STAFF_NOTIFY])


# --- The database locked by another process ---------------------------------------------


class LockHolder:
    """Another connection that takes the write lock (SQLite) or the organisation's row
    lock (PostgreSQL) and keeps it until released or `hold_seconds` have passed."""

    def __init__(self, organisation_id: int, hold_seconds: float):
        self.organisation_id = organisation_id
        self.hold_seconds = hold_seconds
        self.url = db.engine.url
        self.locked = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(10), "the lock was not taken"
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(10)

    def _hold(self):
        url, engine = self.url, None
        if url.get_backend_name() == "sqlite":
            connection = sqlite3.connect(url.database, isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
        else:
            engine = create_engine(url)
            connection = engine.raw_connection()
            connection.cursor().execute("SELECT id FROM organisation WHERE id = %s FOR UPDATE", (self.organisation_id,))
        self.locked.set()
        self.release.wait(self.hold_seconds)
        connection.rollback()
        connection.close()
        if engine is not None:
            engine.dispose()


@pytest.fixture
def lock_wait(monkeypatch):
    """Set how long the app waits for a lock (busy_timeout / lock_timeout) for new connections."""

    def set_wait(milliseconds: int) -> None:
        db.session.remove()
        db.engine.dispose()
        if is_sqlite():
            monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", milliseconds)
            return

        # The app sets no lock_timeout on PostgreSQL (see the report); the test sets one,
        # as production should, so a stuck lock ends in the 503 page instead of a hang.
        def on_connect(dbapi_connection, _record):
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = {int(milliseconds)}")
            dbapi_connection.commit()

        event.listen(db.engine, "connect", on_connect)

    return set_wait


def edited_organisation(client, make_organisation):
    organisation = make_organisation("Lukittu ry", description="Vanha kuvaus.")
    add_contacts(organisation, "sihteeri@yhdistys.example")
    sign_in_contact(client, "sihteeri@yhdistys.example")
    path = f"/jarjestoille/omat/{organisation.id}/muokkaa"
    return organisation, path, changed(form_data(client.get(path)), description="Uusi kuvaus.")


def test_a_save_behind_a_long_lock_answers_503_and_writes_nothing(client, make_organisation, lock_wait):
    organisation, path, data = edited_organisation(client, make_organisation)
    organisation_id = organisation.id
    lock_wait(300)
    with LockHolder(organisation_id, hold_seconds=10):
        answer = client.post(path, data=data, headers={"Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 503
    assert "Palvelu on hetken ruuhkautunut" in answer.text and "eikä mitään tallentunut puolittain" in answer.text
    # What was typed comes back to be copied; not the form's codes, ids, stored record or tokens.
    assert re.findall(r'<li class="virheilmoitus-teksti">([^<]*)</li>', answer.text) == [
        "Lukittu ry", "Uusi kuvaus.", "sihteeri@yhdistys.example",
    ]
    assert answer.headers["Retry-After"] == "5"
    assert db.session.get(Organisation, organisation_id).description == "Vanha kuvaus."
    assert count(Revision) == 0


def test_a_contact_request_behind_a_long_lock_answers_503_and_stores_nothing(client, make_organisation, lock_wait):
    organisation_id = make_organisation("Lukittu ry", email="lukittu@esimerkki.fi").id
    lock_wait(300)
    with LockHolder(organisation_id, hold_seconds=10):
        answer = client.post(f"/jarjestot/{organisation_id}/yhteydenotto", data=once(CONTACT))
    assert answer.status_code == 503 and "Yritä hetken kuluttua uudelleen" in answer.text
    assert (count(ContactRequest), count(OutboxMessage)) == (0, 0)


def test_join_behind_a_long_lock_answers_503_and_issues_no_link(client, make_organisation, lock_wait):
    if not is_sqlite():
        pytest.skip("SQLite only: joining touches no organisation row a PostgreSQL row lock could hold")
    lock_wait(300)
    with LockHolder(0, hold_seconds=10):
        answer = client.post("/jarjestoille/", data=once({"email": "uusi@yhdistys.example"}))
    assert answer.status_code == 503
    assert (count(LoginToken), count(OutboxMessage)) == (0, 0)


def test_a_tray_button_does_not_wait_for_a_writer(client, make_organisation, lock_wait):
    """It only reads the database (the tray is in the session), so a writer holding the lock is no reason to wait."""
    organisation_id = make_organisation("Kiireinen ry").id
    lock_wait(300)
    with LockHolder(organisation_id, hold_seconds=10) as lock:
        answer = client.post("/tarjotin/lisaa", data={"organisation_id": organisation_id, "next": "/haku"})
        assert lock.thread.is_alive()  # answered while the lock was still held
    assert answer.status_code == 303
    with client.session_transaction() as session:
        assert session["tray"] == [organisation_id]


def test_a_short_lock_is_waited_out(client, make_organisation, lock_wait):
    organisation, path, data = edited_organisation(client, make_organisation)
    organisation_id = organisation.id
    lock_wait(5000)
    with LockHolder(organisation_id, hold_seconds=0.3) as lock:
        answer = client.post(path, data=data)
        assert lock.thread.is_alive() is False  # the save could only finish after the lock was gone
    assert answer.status_code == 303
    assert db.session.get(Organisation, organisation_id).description == "Uusi kuvaus."
    assert count(Revision) == 1


# --- A worker killed in the middle of a save ----------------------------------------------

SAVE_WORKER = """
import os, sys, time
from app import create_app
from app.extensions import db
from app.models import Need, Organisation
from app.directory.organisations import OrganisationData, update_organisation
from tests.conftest import make_test_config

app = create_app(make_test_config(os.environ["FAULT_DATABASE_URL"]))
with app.app_context():
    organisation = db.session.get(Organisation, int(sys.argv[1]))
    need = db.session.scalar(db.select(Need).filter_by(name="Diabetes"))
    data = OrganisationData(
        name="Keskeytysyhdistys ry", description="Tallennus, joka keskeytyi.", need_ids=[need.id],
        nationwide=True, contacts=["sihteeri@yhdistys.example"], keywords=["vertaistuki"],
    )
    update_organisation(organisation, data, "tyoprosessi@example.fi", base_version=organisation.version, base_record=None)
    print("flushed", flush=True)
    if sys.argv[2] == "after-commit":
        db.session.commit()
        print("committed", flush=True)
    time.sleep(60)
"""


def run_save_and_kill(organisation_id: int, when: str) -> None:
    """Run the save in a worker process and SIGKILL it once it reports `when`'s point."""
    worker = subprocess.Popen(
        [sys.executable, "-c", SAVE_WORKER, str(organisation_id), when],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "FAULT_DATABASE_URL": str(db.engine.url.render_as_string(hide_password=False))},
    )
    awaited = "committed" if when == "after-commit" else "flushed"
    try:
        for line in worker.stdout:
            if line.strip() == awaited:
                break
        else:
            pytest.fail("the worker ended early: " + worker.stderr.read())
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(10)
        worker.stdout.close()
        worker.stderr.close()
    assert worker.returncode == -signal.SIGKILL


def found_by(words: str) -> list[int]:
    return [o.id for o in search(SearchQuery(text=words)).organisations]


@pytest.mark.parametrize("when, saved", [("before-commit", False), ("after-commit", True)])
def test_a_worker_killed_mid_save_leaves_all_or_nothing(make_organisation, when, saved):
    organisation = make_organisation("Alkuperäinen ry", description="Alkuperäinen kuvaus.", needs=["Muistisairaus"])
    add_contacts(organisation, "sihteeri@yhdistys.example")
    organisation_id, version = organisation.id, organisation.version
    db.session.close()

    run_save_and_kill(organisation_id, when)

    stored = db.session.get(Organisation, organisation_id)
    after = (stored.name, stored.description, [n.name for n in stored.needs], stored.nationwide, stored.keyword_list)
    revisions = db.session.scalars(select(Revision).where(Revision.organisation_id == organisation_id)).all()
    if saved:
        assert after == ("Keskeytysyhdistys ry", "Tallennus, joka keskeytyi.", ["Diabetes"], True, ["vertaistuki"])
        assert stored.version == version + 1
        assert len(revisions) == 1 and revisions[0].snapshot["name"] == "Keskeytysyhdistys ry"
        assert found_by("keskeytysyhdistys") == [organisation_id] and found_by("alkuperäinen") == []
    else:
        assert after == ("Alkuperäinen ry", "Alkuperäinen kuvaus.", ["Muistisairaus"], False, [])
        assert stored.version == version
        assert revisions == []
        assert found_by("keskeytysyhdistys") == [] and found_by("alkuperäinen") == [organisation_id]
    # The database is usable at once: the dead worker left no lock behind.
    stored.meeting_times = "Tiistaisin"
    db.session.commit()


# --- Two contacts saving at the same moment ------------------------------------------------


def test_two_contacts_saving_at_once_one_wins_the_other_gets_the_conflict_page(app, make_organisation, monkeypatch):
    organisation = make_organisation("Yhteinen ry")
    add_contacts(organisation, "eka@yhdistys.example", "toka@yhdistys.example")
    path = f"/jarjestoille/omat/{organisation.id}/muokkaa"
    people = {}
    for email, name in [("eka@yhdistys.example", "Ensimmäisen nimi ry"), ("toka@yhdistys.example", "Toisen nimi ry")]:
        client = app.test_client()
        sign_in_contact(client, email)
        people[name] = (client, changed(form_data(client.get(path)), name=name))
    db.session.commit()

    if not is_sqlite():
        # PostgreSQL lets both read the same version; meet there so both writes race.
        # (On SQLite the second request waits for the first one's write lock instead.)
        import app.accounts.routes as routes

        real_update, both_read = routes.update_organisation, threading.Barrier(2, timeout=10)

        def update_together(*args, **kwargs):
            both_read.wait()
            return real_update(*args, **kwargs)

        monkeypatch.setattr(routes, "update_organisation", update_together)

    start, answers = threading.Barrier(2, timeout=10), {}

    def save(name):
        client, data = people[name]
        start.wait()
        answers[name] = client.post(path, data=data)

    threads = [threading.Thread(target=save, args=(name,)) for name in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(a.status_code for a in answers.values()) == [303, 409]
    [winner] = [name for name, a in answers.items() if a.status_code == 303]
    [loser] = [name for name, a in answers.items() if a.status_code == 409]
    conflict = answers[loser].text
    assert "Joku muu tallensi tiedot sillä välin" in conflict
    assert f'value="{loser}"' in conflict  # their input is kept
    db.session.expire_all()
    assert db.session.get(Organisation, organisation.id).name == winner
    assert count(Revision) == 1
