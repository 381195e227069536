"""The one way to send e-mail: queue it in the outbox, deliver it after commit.

`queue_mail` writes the message in the caller's transaction, so mail exists
exactly when the change that caused it was committed; app.platform.mail_delivery
sends it: in the mail worker only when MAIL_SENT_BY is "worker" (production),
otherwise right after the request that committed it, the worker taking what fails.
"""
import base64
import logging
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, render_template
from sqlalchemy import event, select

from app.extensions import db
from app.models import OutboxMessage, utcnow
from app.platform import background
from app.platform.mail_delivery import can_deliver, deliver_due

log = logging.getLogger(__name__)

# Mail queued by a request waits this long for the request's own delivery
# before the mail worker may take it (the request's worker may have died).
QUEUED_LEASE = timedelta(minutes=1)
_QUEUED_KEY = "outbox_queued"
_COMMITTED_KEY = "outbox_committed"
_AFTER_ANSWER_KEY = "after_answer"
# Set on every request: the mail it commits is sent by _deliver_committed.
_DELIVERED_AFTER_ANSWER_KEY = "outbox_delivered_after_answer"


def queue_mail(
    to: str, template: str, *, attachments: Iterable[tuple[str, str, bytes]] = (), topic: str = "", **context
) -> OutboxMessage:
    """Add a message rendered from emails/<template>.txt and .html; flush, no commit.

    The subject is the `subject` block of the .txt template.  `attachments` are
    (file name, MIME type, content) triples.  `topic` names what the message is
    about, for `queued_since`.  CR or LF in the address or the subject raises
    ValueError: they would let text reach the mail headers.
    """
    subject = render_subject(template, **context)
    if _has_line_break(to) or _has_line_break(subject):
        raise ValueError("line break in a mail header")
    to = to.strip()
    message = OutboxMessage(
        to=to,
        subject=subject,
        text_body=render_template(f"emails/{template}.txt", **context),
        html_body=render_template(f"emails/{template}.html", **context),
        attachments=[
            {"name": name, "mimetype": mimetype, "content": base64.b64encode(content).decode("ascii")}
            for name, mimetype, content in attachments
        ],
        # Not email.utils.make_msgid: it draws on the shared `random` state, which a
        # seeded generator (or a forked worker) can repeat.
        message_id=f"<{secrets.token_hex(16)}@{_mail_domain()}>",
        next_attempt_at=utcnow(),
        topic=topic,
    )
    if g.get(_DELIVERED_AFTER_ANSWER_KEY) and _sent_by_request():
        # This request's worker sends it right after the answer; the mail worker
        # leaves it alone for the lease unless this worker dies first.
        message.next_attempt_at = message.next_attempt_at + QUEUED_LEASE
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(_QUEUED_KEY, []).append(message.id)
    return message


def queued_since(to: str | None, topic: str, since: datetime) -> bool:
    """Whether a message about `topic` was queued to `to` (None: to anyone) at or after `since`.

    For a repeat that carries a new one-time key (the browser's Back restores a sent
    form): where the address is kept nowhere else, the outbox is what remembers it.
    """
    query = select(OutboxMessage.id).where(
        OutboxMessage.topic == topic, OutboxMessage.created_at >= since,
        # A message that failed for good was not sent: sending again is no repeat.
        OutboxMessage.status != "failed",
    )
    if to is not None:
        query = query.where(OutboxMessage.to == to.strip())
    return db.session.scalar(query.limit(1)) is not None


def retry_failed(message_id: int) -> OutboxMessage | None:
    """Put a failed message back in the queue with a fresh set of attempts; flush, no commit.

    None when there is no such failed message.  It goes out after the commit,
    like newly queued mail.
    """
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status != "failed":
        return None
    message.status, message.attempts, message.next_attempt_at = "queued", 0, utcnow()
    db.session.flush()
    db.session.info.setdefault(_QUEUED_KEY, []).append(message.id)
    return message


def render_subject(template: str, **context) -> str:
    jinja_template = current_app.jinja_env.get_template(f"emails/{template}.txt")
    current_app.update_template_context(context)
    return "".join(jinja_template.blocks["subject"](jinja_template.new_context(context))).strip()


def _mail_domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def _has_line_break(value: str) -> bool:
    return "\r" in value or "\n" in value


# Delivery right after the request that queued mail.  Message ids move from
# "queued" to "committed" only when the transaction that wrote them commits.

def _remember_committed(session) -> None:
    queued = session.info.pop(_QUEUED_KEY, None)
    if queued:
        session.info.setdefault(_COMMITTED_KEY, []).extend(queued)


def _forget_rolled_back(session) -> None:
    session.info.pop(_QUEUED_KEY, None)


def after_answer(work: Callable[[], object]) -> None:
    """Do `work` off this request's thread once the request has committed (app.platform.background).

    For work whose cost would tell something if the request's thread did it (a
    staff sign-in link is made only for staff addresses).  It runs in an app
    context of its own, and the mail it commits is delivered right after it.
    """
    g.setdefault(_AFTER_ANSWER_KEY, []).append(work)


def _deliver_committed(response: Response) -> Response:
    """Deliver the mail that the request committed once its answer has been sent; hand its after_answer work on.

    After, not before: the answer does not wait for the mail server, and so its
    timing does not tell whether a mail was sent.  The delivery is registered
    with the response and runs when the WSGI server closes it after writing the
    body, in the same worker thread, in an app context of its own.
    """
    g.pop(_DELIVERED_AFTER_ANSWER_KEY, None)
    ids = db.session.info.pop(_COMMITTED_KEY, None)
    work = g.pop(_AFTER_ANSWER_KEY, [])
    deliver = ids and _sent_by_request() and can_deliver()
    if deliver or work:
        # The view has committed; end any transaction it reopened (as the teardown
        # would), so that the work does not wait for this request's write lock.
        db.session.rollback()
        app = current_app._get_current_object()
    if deliver:
        response.call_on_close(lambda: _in_own_context(app, [partial(deliver_due, ids=ids)]))
    if work:
        background.submit(partial(_in_own_context, app, work))
    return response


def _in_own_context(app: Flask, work: list[Callable[[], object]]) -> None:
    """Each step in an app context of its own, followed by the delivery of the mail it committed."""
    for step in work:
        with app.app_context():
            try:
                step()
                committed = db.session.info.pop(_COMMITTED_KEY, None)
                if committed and _sent_by_request():
                    deliver_due(ids=committed)
            except Exception:  # noqa: BLE001 - the answer has already been sent; the mail worker retries
                db.session.rollback()
                log.exception("work after the answer failed; queued mail waits for the mail worker")


def _sent_by_request() -> bool:
    return current_app.config["MAIL_SENT_BY"] == "request"


def _deliver_after_answer() -> None:
    g.setdefault(_DELIVERED_AFTER_ANSWER_KEY, True)


def register_delivery_after_commit(app: Flask) -> None:
    if not event.contains(db.session, "after_commit", _remember_committed):
        event.listen(db.session, "after_commit", _remember_committed)
        event.listen(db.session, "after_rollback", _forget_rolled_back)
    app.before_request(_deliver_after_answer)
    app.after_request(_deliver_committed)

