"""Notices to staff: a new entry, a resubmitted one, a workshop order.

They reach every active staff member who has not turned them off in their
profile, and STAFF_NOTIFY_EMAIL as well when it names a shared mailbox; an
address gets one copy.  Staff are thus kept informed with no setting at all.
"""
from flask import current_app
from sqlalchemy import select

from app.config import DEFAULT_LANGUAGE
from app.extensions import db
from app.models import StaffUser
from app.platform.i18n import in_language
from app.platform.outbox import queue_mail


def notice_recipients() -> list[str]:
    """The addresses a staff notice goes to, each once, in a stable order."""
    addresses = list(db.session.scalars(
        select(StaffUser.email)
        .where(StaffUser.active.is_(True), StaffUser.receives_notices.is_(True))
        .order_by(StaffUser.email)
    ))
    shared = (current_app.config.get("STAFF_NOTIFY_EMAIL") or "").strip().lower()
    if shared and shared not in addresses:
        addresses.append(shared)
    return addresses


def notify_staff(template: str, **context) -> int:
    """Queue `template` to every recipient of staff notices; the number queued."""
    recipients = notice_recipients()
    # The centre's staff work in Finnish, whatever language the visitor used.
    with in_language(DEFAULT_LANGUAGE):
        for address in recipients:
            queue_mail(address, template, **context)
    return len(recipients)
