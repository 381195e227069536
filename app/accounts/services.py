"""What the account pages do, callable without a request."""
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Revision, utcnow
from app.platform.outbox import queue_mail
from app.platform.tokens import TOKEN_LIFETIMES, issue_link_token, link_url
from app.platform.validation import email_key

SIGN_IN_LINK_MINUTES = int(TOKEN_LIFETIMES["sign_in"].total_seconds() // 60)


def send_sign_in_link(email: str, *, created_ip: str | None = None) -> None:
    """Issue a sign-in link to any valid address and queue the mail; flush, no commit.

    The same work for every address, known or not, so neither the answer nor
    its timing tells whether the address belongs to an organisation.
    """
    token = issue_link_token(email, "sign_in", created_ip=created_ip)
    queue_mail(
        email,
        "sign_in",
        link=link_url("accounts.open_link", token=token),
        start_url=link_url("accounts.request_link"),
        minutes=SIGN_IN_LINK_MINUTES,
    )


# Anyone can sign in, and each new entry mails every staff member: an address adds at most
# this many a day (a coordinator with more asks staff, who add entries without a limit).
NEW_ENTRIES_PER_DAY = 5


def entries_added_today(email: str, *, now: datetime | None = None) -> int:
    """How many organisations `email` has added in the last 24 hours, whatever became of them since.

    Counted from the entries' first revisions, which name their author: removing oneself
    from an entry's contacts, or its deletion, does not free a place.
    """
    since = (now or utcnow()) - timedelta(days=1)
    # Only this address's revisions of the last day are read (created_at's index), each
    # checked for an earlier one of its organisation (organisation_id's index); grouping
    # the whole revision table for every new entry grew with the directory.
    earlier = aliased(Revision)
    return db.session.scalar(
        select(func.count()).select_from(Revision).where(
            Revision.author == email_key(email), Revision.created_at >= since,
            ~exists().where(earlier.organisation_id == Revision.organisation_id, earlier.id < Revision.id),
        )
    )
