"""Delivering the outbox over SMTP, at most once (app.platform.outbox queues the mail).

`deliver_due` sends what is due; it runs right after a request that queued
mail and in the `flask outbox deliver` worker, and it owns its transactions
because a claim (the `sending` mark, see _candidates) must be committed before
the slow SMTP conversation starts.
"""
import base64
import logging
import smtplib
from collections.abc import Callable, Iterable
from datetime import timedelta

from flask import current_app
from flask_mail import Connection, Message
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import OutboxMessage, utcnow
from app.platform.database import reading_only

log = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd, … failed attempt; the last value repeats.
RETRY_DELAYS_MINUTES = (1, 5, 15, 60, 180, 360, 720)
MAX_ATTEMPTS = 8
DELIVERY_BATCH = 50
# A message marked `sending` that is still `sending` this long after the mark
# belongs to a worker that died mid-conversation: far longer than the SMTP
# timeouts of one message allow.
SENDING_LEASE = timedelta(minutes=2)
# Writing the outcome after the server's 250 is tried this many times; each try
# waits up to the database's busy timeout.
RECORD_TRIES = 3
UNCERTAIN = "uncertain: the sender stopped during the SMTP conversation; the mail may have been delivered"
SMTP_TIMEOUT_SECONDS = 10


def deliver_due(limit: int = DELIVERY_BATCH, ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Send queued messages that are due (only `ids` when given, due or not): (sent, not sent).

    Call it after committing your own work: it commits as it goes.
    """
    if not can_deliver():
        return 0, 0
    if ids is None:
        _give_up_uncertain()
    return _deliver(_candidates(limit, ids))


def deliver_all_due(stopping: Callable[[], bool] = lambda: False) -> tuple[int, int]:
    """deliver_due() batch after batch until nothing is due: a backlog goes at once, (sent, not sent).

    A batch that sends nothing ends it: what failed waits for its next attempt.
    `stopping` is asked between batches, so a worker told to stop ends after
    the batch at hand instead of after the whole backlog.
    """
    sent = failed = 0
    while True:
        batch_sent, batch_failed = deliver_due()
        sent, failed = sent + batch_sent, failed + batch_failed
        if batch_sent == 0 or batch_sent + batch_failed < DELIVERY_BATCH or stopping():
            return sent, failed


def can_deliver() -> bool:
    # No SMTP server and not in development: keep everything queued.
    return bool(current_app.extensions["mail"].server) or current_app.debug


# Why a message is marked `sending` before the conversation, and never sent again
# blindly.  SMTP gives no way to ask a server whether it accepted a message, so
# a sender that dies between the server's 250 and writing "sent" cannot know
# what happened.  Resending would be at least once (the duplicate the issue saw);
# we choose at most once: the `sending` mark is committed right before the
# conversation (after the connection is open, so a server that cannot be
# reached leaves the message plainly queued), and a message still `sending`
# after SENDING_LEASE is set `failed` with the UNCERTAIN reason, logged, and
# listed on the staff dashboard, where "Yritä uudelleen" sends it again after a
# person has judged it.  The window is one SMTP conversation on an open connection
# plus one short write, so it is rare; a lost sign-in link is asked again, and
# a contact request the staff can resend knowingly.

def _candidates(limit: int, ids: Iterable[int] | None) -> list[int]:
    query = select(OutboxMessage.id).where(OutboxMessage.status == "queued")
    if ids is None:
        query = query.where(OutboxMessage.next_attempt_at <= utcnow()).limit(limit)
    else:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    with reading_only():
        found = list(db.session.scalars(query.order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)))
        db.session.rollback()
    return found


def _give_up_uncertain() -> int:
    """Messages left `sending` by a sender that died: failed, for a person to judge (see above)."""
    stale = list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= utcnow())
    ))
    for message in stale:
        message.status, message.last_error = "failed", UNCERTAIN
        log.warning("mail %s: %s", message.id, UNCERTAIN)
    db.session.commit()
    return len(stale)


def _mark_sending(message_id: int, attempts: int) -> bool:
    """The exclusive claim, committed before the conversation: False when another sender has it.

    The guard on `attempts` makes it exclusive where row locks do not exist
    (SQLite readers): only one sender can move it from the value it read.
    """
    try:
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "queued",
                   OutboxMessage.attempts == attempts)
            .values(status="sending", attempts=attempts + 1, next_attempt_at=utcnow() + SENDING_LEASE)
        )
        db.session.commit()
    except OperationalError:
        # Locked for longer than the busy timeout: nothing was sent, it stays queued.
        db.session.rollback()
        return False
    return result.rowcount == 1


def _deliver(candidates: list[int]) -> tuple[int, int]:
    if not current_app.extensions["mail"].server:
        return _keep_for_dev_mailbox(candidates), 0
    return _send_over_smtp(candidates)


def _keep_for_dev_mailbox(candidates: list[int]) -> int:
    # Development: "delivered" means kept, bodies included, for /dev/mailbox.
    kept = 0
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(candidates))):
        message.status, message.sent_at, message.last_error = "sent", utcnow(), ""
        message.attempts += 1
        kept += 1
    db.session.commit()
    return kept


def _send_over_smtp(candidates: list[int]) -> tuple[int, int]:
    # Read in a transaction that takes no write lock and ended before the mail
    # server is reached: SQLite has one write lock, and every other writer (a
    # contact request, a save) would wait for the whole SMTP conversation.
    with reading_only():
        letters = [
            (message.id, message.attempts, _as_flask_mail_message(message))
            for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(candidates)))
        ]
        db.session.rollback()
    sent = failed = 0
    connection = None
    # Why the server could not be reached: the rest of the batch waits for the
    # next round instead of each message waiting for its own timeout.
    unreachable = None
    try:
        for message_id, attempts, letter in letters:
            if connection is None and unreachable is None:
                try:
                    connection = _TimedConnection(current_app.extensions["mail"]).__enter__()
                except Exception as error:  # noqa: BLE001 - recorded on every message of the batch
                    unreachable = error
            if unreachable is not None:
                # Nothing reached the server: an ordinary retry later, never `sending`
                # (a sender killed here must not leave it looking uncertain).
                failed += _record_unreachable(message_id, attempts, unreachable)
                continue
            if not _mark_sending(message_id, attempts):
                continue
            error = None
            try:
                connection.send(letter)
            except Exception as send_error:  # noqa: BLE001 - every failure is recorded on the message
                error = send_error
                if _connection_is_broken(error):
                    connection = _close_quietly(connection)
            if error is None:
                sent += 1
            else:
                failed += 1
            _record(message_id, error)
    finally:
        _close_quietly(connection)
    return sent, failed


def _record(message_id: int, error: Exception | None) -> None:
    """The outcome in a short write transaction of its own, right after the send.

    Tried RECORD_TRIES times; if every try fails the message stays `sending`
    and is given up as uncertain after the lease, never sent again blindly.
    """
    for attempt in range(1, RECORD_TRIES + 1):
        try:
            message = db.session.get(OutboxMessage, message_id, populate_existing=True)
            if message is None:
                return  # erased meanwhile (platform.erasure)
            if error is None:
                _record_success(message)
            else:
                _record_failure(message, *classify_failure(error))
            db.session.commit()
            return
        except OperationalError:
            db.session.rollback()
            log.warning("mail %s: outcome not recorded (try %d of %d)", message_id, attempt, RECORD_TRIES)


def _record_unreachable(message_id: int, attempts: int, error: Exception) -> int:
    """Count the attempt and set the back-off, unless another sender took the message meanwhile: 1 or 0."""
    try:
        message = db.session.get(OutboxMessage, message_id, populate_existing=True)
        if message is None or message.status != "queued" or message.attempts != attempts:
            db.session.rollback()
            return 0
        message.attempts += 1
        _record_failure(message, *classify_failure(error))
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        return 0
    return 1


def _record_success(message: OutboxMessage) -> None:
    # The body may hold a sign-in link: once delivered it is not kept.
    message.status, message.sent_at, message.last_error = "sent", utcnow(), ""
    message.text_body, message.html_body, message.attachments = "", "", []


def _record_failure(message: OutboxMessage, permanent: bool, reason: str) -> None:
    message.last_error = reason[:500]
    if permanent or message.attempts >= MAX_ATTEMPTS:
        message.status = "failed"
        log.warning("mail %s failed for good: %s", message.id, reason)
        return
    delay = RETRY_DELAYS_MINUTES[min(message.attempts, len(RETRY_DELAYS_MINUTES)) - 1]
    message.status, message.next_attempt_at = "queued", utcnow() + timedelta(minutes=delay)
    log.info("mail %s will be retried in %d min: %s", message.id, delay, reason)


def classify_failure(error: Exception) -> tuple[bool, str]:
    """(permanent?, reason). A 5xx about the message or its recipient is permanent;
    connection problems, 4xx answers and authentication trouble are retried."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        reason = "; ".join(f"{code} {_decode(text)}" for code, text in error.recipients.values())
        return all(code >= 500 for code in codes), reason
    if isinstance(error, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return error.smtp_code >= 500, f"{error.smtp_code} {_decode(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return False, f"{error.smtp_code} {_decode(error.smtp_error)}"
    if isinstance(error, (OSError, smtplib.SMTPException)):
        return False, f"{type(error).__name__}: {error}"
    return True, f"{type(error).__name__}: {error}"


def _connection_is_broken(error: Exception) -> bool:
    return not isinstance(error, (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError))


def _decode(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _as_flask_mail_message(message: OutboxMessage) -> Message:
    mail = Message(
        subject=message.subject,
        recipients=[message.to],
        body=message.text_body,
        html=message.html_body or None,
    )
    mail.msgId = message.message_id
    for attachment in message.attachments:
        mail.attach(attachment["name"], attachment["mimetype"], base64.b64decode(attachment["content"]))
    return mail


class _TimedConnection(Connection):
    """Flask-Mail's connection opens SMTP without a timeout; a silent server
    would hold a request or the worker forever."""

    def configure_host(self) -> smtplib.SMTP:
        state = self.mail
        smtp_class = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = smtp_class(state.server, state.port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            if state.use_tls:
                host.starttls()
            if state.username and state.password:
                host.login(state.username, state.password)
        except Exception:
            host.close()
            raise
        return host


def _close_quietly(connection: _TimedConnection | None) -> None:
    if connection is not None and connection.host is not None:
        try:
            connection.host.quit()
        except (OSError, smtplib.SMTPException):
            connection.host.close()
    return None
