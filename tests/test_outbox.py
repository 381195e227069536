"""The outbox: queued in the caller's transaction, delivered once over real SMTP."""
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import select, update
from tests.clients import once
from tests.conftest import make_test_config

from app import create_app
from app.extensions import db as _db
from app.models import LoginToken, OutboxMessage, utcnow
from app.platform import background
from app.platform.mail_delivery import DELIVERY_BATCH, MAX_ATTEMPTS, UNCERTAIN, deliver_all_due, deliver_due
from app.platform.outbox import QUEUED_LEASE, queue_mail


LINK = "http://portal.test/jarjestoille/kirjaudu/abc123"


def queue_sign_in(to="liisa@example.fi", **extra):
    context = {"link": LINK, "start_url": "http://portal.test/jarjestoille/", "minutes": 60, **extra}
    return queue_mail(to, "sign_in", **context)


def only_message() -> OutboxMessage:
    _db.session.expire_all()
    return _db.session.scalars(select(OutboxMessage)).one()


def test_a_queued_message_is_delivered_with_both_bodies_and_its_message_id(app, mailbox):
    message = queue_sign_in()
    _db.session.commit()

    assert deliver_due() == (1, 0)

    [received] = mailbox.messages
    assert received["To"] == "liisa@example.fi"
    assert received["Subject"] == "Kirjautumislinkki Hyvinvointitarjottimeen"
    assert "noreply@hyvinvointitarjotin.fi" in received["From"]
    assert received["Message-ID"] == message.message_id
    assert message.message_id.endswith("@portal.test>")
    text, html = mailbox.bodies(received)
    assert LINK in text and "<a" not in text
    assert f'href="{LINK}"' in html
    assert mailbox.envelopes == [("noreply@hyvinvointitarjotin.fi", ["liisa@example.fi"])]


def test_the_write_lock_is_free_while_a_message_is_on_its_way(app, mailbox):
    """SQLite has one write lock: a mail server taking its time must not hold up every other writer."""
    if _db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock; PostgreSQL locks rows")
    import sqlite3

    queue_sign_in()
    _db.session.commit()
    path, writes = _db.engine.url.database, []

    def write_elsewhere():
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once while anyone holds the write lock
            other.execute("ROLLBACK")
            writes.append("written")
        except sqlite3.OperationalError as error:
            writes.append(str(error))
        finally:
            other.close()

    mailbox.while_receiving = write_elsewhere
    assert deliver_due() == (1, 0)

    assert writes == ["written"]
    assert only_message().status == "sent"


def test_bodies_and_attachments_are_cleared_once_sent(app, mailbox):
    queue_sign_in(attachments=[("kutsu.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")])
    _db.session.commit()

    deliver_due()

    [received] = mailbox.messages
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "kutsu.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert b"BEGIN:VCALENDAR" in attachment.get_payload(decode=True)
    stored = only_message()
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 1, "")
    assert stored.sent_at is not None
    assert (stored.text_body, stored.html_body, stored.attachments) == ("", "", [])
    assert stored.subject == "Kirjautumislinkki Hyvinvointitarjottimeen"


def test_smtp_down_keeps_the_message_queued_and_delivers_it_once_later(app, unstarted_mailbox):
    queue_sign_in()
    _db.session.commit()
    before = utcnow()

    assert deliver_due() == (0, 1)

    stored = only_message()
    assert (stored.status, stored.attempts) == ("queued", 1)
    assert "ConnectionRefused" in stored.last_error
    assert before + timedelta(seconds=50) < stored.next_attempt_at < before + timedelta(minutes=2)
    assert LINK in stored.text_body
    assert deliver_due() == (0, 0), "not due again before its back-off"

    unstarted_mailbox.start()
    stored.next_attempt_at = utcnow() - timedelta(seconds=1)
    _db.session.commit()
    assert deliver_due() == (1, 0)
    assert deliver_due() == (0, 0)

    assert len(unstarted_mailbox.messages) == 1
    stored = only_message()
    assert (stored.status, stored.attempts, stored.last_error) == ("sent", 2, "")


def test_a_permanent_refusal_marks_the_message_failed(app, mailbox):
    mailbox.reject_recipients_with = "550 5.1.1 Mailbox unavailable"
    queue_sign_in("ei-ole@example.fi")
    _db.session.commit()

    assert deliver_due() == (0, 1)

    stored = only_message()
    assert stored.status == "failed"
    assert stored.last_error.startswith("550 5.1.1 Mailbox unavailable")
    assert mailbox.messages == []
    assert deliver_due() == (0, 0)


def test_a_temporary_refusal_is_retried_with_back_off(app, mailbox):
    mailbox.reject_recipients_with = "451 4.3.0 Try again later"
    queue_sign_in()
    _db.session.commit()

    deliver_due()

    stored = only_message()
    assert (stored.status, stored.attempts) == ("queued", 1)
    assert stored.last_error.startswith("451")


def test_the_last_attempt_gives_up(app, unstarted_mailbox):
    message = queue_sign_in()
    message.attempts = MAX_ATTEMPTS - 1
    _db.session.commit()

    deliver_due()

    stored = only_message()
    assert (stored.status, stored.attempts) == ("failed", MAX_ATTEMPTS)


def test_back_off_grows_between_attempts(app, unstarted_mailbox):
    message = queue_sign_in()
    _db.session.commit()
    delays = []
    for _ in range(4):
        started = utcnow()
        deliver_due()
        stored = only_message()
        delays.append(round((stored.next_attempt_at - started).total_seconds() / 60))
        stored.next_attempt_at = utcnow() - timedelta(seconds=1)
        _db.session.commit()
    assert delays == [1, 5, 15, 60]
    assert message.id == stored.id


def worker_environment(database_url: str, mailbox) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "worker-test-secret",
        "BASE_URL": "https://portal.test",
        "MAIL_SERVER": mailbox.host,
        "MAIL_PORT": str(mailbox.port),
        "FLASK_DEBUG": "0",
    }


def start_worker(database_url: str, mailbox) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "deliver", "--loop", "--interval", "0.2"],
        cwd=Path(__file__).resolve().parent.parent, env=worker_environment(database_url, mailbox),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def past_the_leases() -> None:
    _db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    _db.session.commit()


def test_a_worker_killed_after_the_server_accepted_does_not_send_twice(app, mailbox, migrated_database):
    """SIGKILL between SMTP's 250 and the write: the message is not sent again blindly, staff see it."""
    queue_sign_in()
    _db.session.commit()
    receiving, locked = threading.Event(), threading.Event()

    def hold_until_locked():
        receiving.set()
        locked.wait(timeout=30)

    mailbox.while_receiving = hold_until_locked
    worker = start_worker(migrated_database, mailbox)
    lock = _db.engine.connect()
    try:
        assert receiving.wait(timeout=30)
        # Another connection writes the row, so the worker cannot record the 250 it is about to get.
        lock.begin()
        lock.execute(update(OutboxMessage).values(last_error="held by the test"))
        locked.set()
        deadline = time.monotonic() + 30
        while not mailbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.kill()
        _output, errors = worker.communicate(timeout=30)
        lock.rollback()
        lock.close()
    assert len(mailbox.messages) == 1, errors
    mailbox.while_receiving = None
    assert only_message().status == "sending"

    past_the_leases()
    assert deliver_due() == (0, 0)
    assert deliver_due() == (0, 0)

    assert len(mailbox.messages) == 1
    stored = only_message()
    assert (stored.status, stored.last_error) == ("failed", UNCERTAIN)


def test_an_accepted_message_whose_outcome_cannot_be_written_is_not_sent_again(app, mailbox):
    """The database refuses the write after the 250 (locked): the row is left `sending`, not queued."""
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    def locked(session, _context, _instances):
        if any(isinstance(row, OutboxMessage) and row.status == "sent" for row in session.dirty):
            raise OperationalError("UPDATE outbox_message", {}, Exception("database is locked"))

    queue_sign_in()
    _db.session.commit()
    event.listen(_db.session, "before_flush", locked)
    try:
        assert deliver_due() == (1, 0)
    finally:
        event.remove(_db.session, "before_flush", locked)
    assert only_message().status == "sending"
    assert deliver_due() == (0, 0)

    past_the_leases()
    assert deliver_due() == (0, 0)
    assert len(mailbox.messages) == 1
    assert only_message().status == "failed"


def test_a_worker_killed_before_the_conversation_leaves_the_message_to_be_sent(app, mailbox):
    """Queued by a request whose worker died before sending: the mail worker sends it after the lease."""
    queue_sign_in()
    _db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow() + QUEUED_LEASE))
    _db.session.commit()
    assert deliver_due() == (0, 0)

    past_the_leases()
    assert deliver_due() == (1, 0)
    assert (only_message().status, only_message().attempts) == ("sent", 1)


@pytest.mark.parametrize("to", ["liisa@example.fi\r\nBcc: kaikki@example.fi", "liisa@example.fi\nX: y", "a@b.fi\r"])
def test_line_breaks_in_the_address_are_refused(app, to):
    with pytest.raises(ValueError):
        queue_sign_in(to)
    assert _db.session.scalars(select(OutboxMessage)).all() == []


def test_line_breaks_in_the_subject_are_refused(app):
    app.jinja_env.loader = ChoiceLoader([
        DictLoader({
            "emails/greeting.txt": "{% block subject %}Tervehdys {{ name }}{% endblock %}\nHei",
            "emails/greeting.html": "<p>Hei</p>",
        }),
        app.jinja_env.loader,
    ])
    queue_mail("a@example.fi", "greeting", name="Liisa")
    with pytest.raises(ValueError):
        queue_mail("a@example.fi", "greeting", name="Liisa\r\nBcc: kaikki@example.fi")


def test_a_rolled_back_message_is_never_sent(app, mailbox):
    queue_sign_in()
    _db.session.rollback()

    assert deliver_due() == (0, 0)
    assert mailbox.messages == []


def test_without_smtp_and_without_debug_mail_stays_queued(app):
    queue_sign_in()
    _db.session.commit()

    assert deliver_due() == (0, 0)
    assert only_message().status == "queued"


@pytest.mark.parametrize("app_config", [{"DEBUG": True}])
def test_development_mailbox_shows_delivered_mail_with_links(app, client):
    queue_sign_in(link='http://portal.test/jarjestoille/kirjaudu/abc?x=1&y=2" onclick="alert(1)')
    _db.session.commit()
    assert deliver_due() == (1, 0)
    stored = only_message()
    assert stored.status == "sent" and "kirjaudu" in stored.text_body, "development keeps the bodies"

    listing = client.get("/dev/mailbox")
    assert listing.status_code == 200
    assert "Kirjautumislinkki Hyvinvointitarjottimeen" in listing.text
    page = client.get(f"/dev/mailbox/{stored.id}")
    assert page.status_code == 200
    assert '<a href="http://portal.test/jarjestoille/kirjaudu/abc?x=1&amp;y=2">' in page.text
    assert 'onclick="alert' not in page.text
    html = client.get(f"/dev/mailbox/{stored.id}/html")
    assert html.status_code == 200 and "<a href=" in html.text


def test_the_development_mailbox_does_not_exist_outside_debug_mode(client):
    assert client.get("/dev/mailbox").status_code == 404


def test_the_cli_delivers_what_is_due(app, runner, mailbox):
    queue_sign_in()
    _db.session.commit()

    result = runner.invoke(args=["outbox", "deliver"])

    assert result.exit_code == 0, result.output
    assert "sent: 1" in result.output
    assert len(mailbox.messages) == 1


def test_the_cli_delivers_a_backlog_longer_than_one_batch(app, runner, mailbox):
    for number in range(DELIVERY_BATCH + 3):
        queue_sign_in(f"vastaanottaja{number}@example.fi")
    _db.session.commit()

    result = runner.invoke(args=["outbox", "deliver"])

    assert result.exit_code == 0, result.output
    assert f"sent: {DELIVERY_BATCH + 3}" in result.output
    assert len(mailbox.messages) == DELIVERY_BATCH + 3


def test_a_worker_told_to_stop_ends_after_the_batch_at_hand(app, mailbox):
    for number in range(DELIVERY_BATCH + 3):
        queue_sign_in(f"vastaanottaja{number}@example.fi")
    _db.session.commit()

    sent, failed = deliver_all_due(stopping=lambda: True)

    assert (sent, failed) == (DELIVERY_BATCH, 0)
    assert len(mailbox.messages) == DELIVERY_BATCH
    assert deliver_all_due() == (3, 0)


def test_concurrent_workers_send_each_message_once(app, mailbox, migrated_database):
    for number in range(12):
        queue_sign_in(f"vastaanottaja{number}@example.fi")
    _db.session.commit()
    worker_config = make_test_config(
        migrated_database, MAIL_SERVER=mailbox.host, MAIL_PORT=mailbox.port, MAIL_SUPPRESS_SEND=False
    )
    results, errors = [], []

    # The apps are built up front: CPython 3.11 can fail compiling in several threads at once.
    worker_apps = [create_app(worker_config) for _ in range(3)]

    def worker(worker_app):
        try:
            with worker_app.app_context():
                results.append(deliver_due(limit=5))
                results.append(deliver_due(limit=5))
                results.append(deliver_due(limit=5))
                _db.session.remove()
                _db.engine.dispose()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(worker_app,)) for worker_app in worker_apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(sent for sent, _failed in results) == 12
    recipients = sorted(message["To"] for message in mailbox.messages)
    assert recipients == sorted(f"vastaanottaja{number}@example.fi" for number in range(12))


def test_the_worker_loop_delivers_and_stops_on_sigterm(app, mailbox, migrated_database):
    queue_sign_in()
    _db.session.commit()
    worker = start_worker(migrated_database, mailbox)
    try:
        deadline = time.monotonic() + 30
        while not mailbox.messages and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
        assert len(mailbox.messages) == 1
    finally:
        worker.send_signal(signal.SIGTERM)
        output, errors = worker.communicate(timeout=30)
    assert worker.returncode == 0, errors
    assert "stopped" in output
    assert only_message().status == "sent"


def test_mail_a_request_queued_goes_after_its_answer_has_been_sent(app, mailbox):
    """The answer does not wait for the mail server, so its timing tells nothing about the mail."""
    client = app.test_client()

    answer = client.post("/jarjestoille/", data=once({"email": "sihteeri@yhdistys.example"}), buffered=False)

    assert answer.status_code == 303
    assert mailbox.messages == []
    assert only_message().status == "queued"
    # Outside a request a transaction begins IMMEDIATE on SQLite: end the test's own first.
    _db.session.rollback()
    answer.close()  # what the WSGI server does once it has sent the body
    assert len(mailbox.messages) == 1
    _db.session.expire_all()
    assert only_message().status == "sent"


@pytest.mark.parametrize("email, links", [("yllapito@keskus.example", 1), ("sihteeri@yhdistys.example", 0)])
def test_a_staff_sign_in_leaves_no_work_on_the_request_thread(app, mailbox, monkeypatch, email, links):
    """Whether the address is a staff member's is looked up off the request's thread.

    On a keep-alive connection the next request waits for whatever the thread
    does after the answer; so the thread must do the same for every address.
    """
    from app.admin import staff
    from tests.admin_support import make_staff

    make_staff()
    looked_up_on = []
    real_lookup = staff.active_staff
    monkeypatch.setattr(
        staff, "active_staff", lambda address: looked_up_on.append(threading.current_thread()) or real_lookup(address)
    )
    client = app.test_client()

    answer = client.post("/yllapito/kirjaudu", data=once({"email": email}), buffered=False)
    _db.session.rollback()
    answer.close()
    background.wait_until_idle()

    assert answer.status_code == 303
    assert len(looked_up_on) == 1 and looked_up_on[0] is not threading.current_thread()
    assert len(mailbox.messages) == links
    assert len(_db.session.scalars(select(LoginToken)).all()) == links


def test_mail_a_request_queued_is_left_to_its_worker_until_the_lease_ends(app, mailbox):
    """Queued already claimed: the mail worker neither sends it twice nor loses it when the request's worker dies."""
    client = app.test_client()

    client.post("/jarjestoille/", data=once({"email": "sihteeri@yhdistys.example"}), buffered=False)
    # The answer is never closed: as if the worker died before sending.
    _db.session.rollback()

    assert deliver_due() == (0, 0)
    assert mailbox.messages == []
    past_the_leases()
    assert deliver_due() == (1, 0)
    assert len(mailbox.messages) == 1


def test_with_the_worker_as_only_sender_a_request_only_queues(app, mailbox):
    """MAIL_SENT_BY=worker: a web worker killed mid-request can never hold an SMTP conversation."""
    app.config["MAIL_SENT_BY"] = "worker"
    client = app.test_client()

    answer = client.post("/jarjestoille/", data=once({"email": "sihteeri@yhdistys.example"}), buffered=False)
    _db.session.rollback()
    answer.close()
    background.wait_until_idle()

    assert mailbox.messages == []
    assert only_message().status == "queued"
    # No lease to wait for: the mail worker takes it on its next round.
    _db.session.rollback()
    assert deliver_due() == (1, 0)
    assert len(mailbox.messages) == 1


@pytest.mark.parametrize("chosen, production, expected", [
    ("", True, "worker"), ("", False, "request"), ("request", True, "request"), ("worker", False, "worker"),
])
def test_production_leaves_sending_to_the_mail_worker_by_default(chosen, production, expected):
    from app.config import derive_mail_sender

    config = {"MAIL_SENT_BY": chosen}
    derive_mail_sender(config, production)
    assert config["MAIL_SENT_BY"] == expected


def test_an_unknown_mail_sender_is_refused():
    from app.config import ConfigurationError, derive_mail_sender

    with pytest.raises(ConfigurationError):
        derive_mail_sender({"MAIL_SENT_BY": "both"}, True)


def test_a_message_that_failed_for_good_is_no_repeat(app):
    from app.platform.outbox import queued_since

    since = utcnow() - timedelta(minutes=30)
    message = queue_sign_in(topic="shared-list:abc")
    _db.session.commit()
    assert queued_since("liisa@example.fi", "shared-list:abc", since)
    message.status = "failed"
    _db.session.commit()
    assert not queued_since("liisa@example.fi", "shared-list:abc", since), "nothing reached the person"
