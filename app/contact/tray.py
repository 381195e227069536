"""The tray (tarjotin): organisations a person collects while searching.

The ids live in the caller's session; these functions take the list and
return the new one, so they stay callable without a request.
"""
import secrets
from datetime import datetime, timedelta

import segno
from markupsafe import Markup
from sqlalchemy import delete, select

from app.extensions import db
from app.models import Organisation, utcnow
from app.models.contact import SharedTray
from app.platform.outbox import queue_mail, queued_since
from app.platform.submissions import REPEAT_WINDOW

TRAY_LIMIT = 30
SHARE_LIFETIME = timedelta(days=90)
# Letters and digits that cannot be mistaken for each other when read aloud or copied by hand.
_SHARE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SHARE_CODE_LENGTH = 10


class TrayFull(Exception):
    """The tray already holds TRAY_LIMIT organisations."""


def clean_ids(raw: object) -> list[int]:
    """Whatever the session held, as a list of distinct positive ints in order."""
    if not isinstance(raw, list):
        return []
    seen: list[int] = []
    for value in raw:
        if isinstance(value, int) and value > 0 and value not in seen:
            seen.append(value)
    return seen[:TRAY_LIMIT]


def add(ids: list[int], organisation_id: int) -> list[int]:
    """The tray with the organisation added; unpublished ones are silently not added."""
    if organisation_id in ids:
        return ids
    if len(ids) >= TRAY_LIMIT:
        raise TrayFull
    if not _is_published(organisation_id):
        return ids
    return [*ids, organisation_id]


def remove(ids: list[int], organisation_id: int) -> list[int]:
    return [i for i in ids if i != organisation_id]


def neighbour(ids: list[int], organisation_id: int) -> int | None:
    """The organisation next to one taken off a list: the one after it, else the one before, else None."""
    if organisation_id not in ids:
        return None
    position = ids.index(organisation_id)
    if position + 1 < len(ids):
        return ids[position + 1]
    return ids[position - 1] if position else None


def published_on_tray(ids: list[int]) -> list[Organisation]:
    """The organisations still published, in the order they were added."""
    if not ids:
        return []
    found = {
        o.id: o
        for o in db.session.scalars(
            select(Organisation).where(Organisation.id.in_(ids), Organisation.status == "published")
        )
    }
    return [found[i] for i in ids if i in found]


def published_organisation(organisation_id: int) -> Organisation | None:
    """The organisation when it is published, for a tray button: any id can be posted, and
    the answer must not name an entry the public cannot see (pending, hidden, rejected)."""
    return next(iter(published_on_tray([organisation_id])), None) if organisation_id else None


def share(ids: list[int], *, now: datetime | None = None) -> SharedTray:
    """A read-only snapshot of the tray under a short random code; flush, no commit."""
    now = now or utcnow()
    shared = SharedTray(
        code="".join(secrets.choice(_SHARE_ALPHABET) for _ in range(SHARE_CODE_LENGTH)),
        organisation_ids=list(ids),
        created_at=now,
        expires_at=now + SHARE_LIFETIME,
    )
    db.session.add(shared)
    db.session.flush()
    return shared


def shared_list(code: str, *, now: datetime | None = None) -> SharedTray | None:
    """The snapshot behind a share code, or None when unknown or expired."""
    if len(code) != SHARE_CODE_LENGTH or not set(code) <= set(_SHARE_ALPHABET):
        # Not a code share() could have made (PostgreSQL would refuse a NUL in it).
        return None
    shared = db.session.scalar(select(SharedTray).where(SharedTray.code == code))
    if shared is None or shared.expires_at <= (now or utcnow()):
        return None
    return shared


def purge_expired_shares(*, now: datetime | None = None) -> int:
    result = db.session.execute(delete(SharedTray).where(SharedTray.expires_at <= (now or utcnow())))
    return result.rowcount


def _is_published(organisation_id: int) -> bool:
    return (
        db.session.scalar(
            select(Organisation.id).where(Organisation.id == organisation_id, Organisation.status == "published")
        )
        is not None
    )


def qr_svg(url: str, title: str) -> Markup:
    """The share link as a QR code in inline SVG: printed with the list, no JavaScript, no image request."""
    # segno writes the SVG itself: no text of ours reaches it but the escaped title.
    return Markup(segno.make(url, error="m").svg_inline(scale=3, title=title, svgclass="qr-koodi"))


def mail_list(address: str, shared: SharedTray, share_url: str, *, now: datetime | None = None) -> bool:
    """Queue the shared list to an address; the address lives only in the outbox message. Flush, no commit.

    False, and nothing queued, when the same list went to the same address within
    REPEAT_WINDOW: the browser's Back restores a sent form under a new one-time key.
    """
    now = now or utcnow()
    topic = f"shared-list:{shared.code}"
    if queued_since(address, topic, now - REPEAT_WINDOW):
        return False
    queue_mail(
        address, "shared_tray", topic=topic,
        share_url=share_url, organisations=published_on_tray(shared.organisation_ids),
    )
    return True
