"""Staff accounts and their sign-in links.

Accounts are made on the command line; signing in uses the same one-time link
mechanism as organisation contacts, with its own token purpose so a contact's
link can never open a staff session.
"""
from functools import partial

from sqlalchemy import delete, select

from app.config import DEFAULT_LANGUAGE
from app.extensions import db
from app.models import StaffUser, UserSession
from app.platform.i18n import current_language, in_language
from app.platform.outbox import after_answer, queue_mail
from app.platform.tokens import TOKEN_LIFETIMES, issue_link_token, link_url
from app.platform.validation import email_key, normalise_email

STAFF_SIGN_IN_MINUTES = int(TOKEN_LIFETIMES["staff_sign_in"].total_seconds() // 60)


def add_staff(email: str, name: str = "") -> StaffUser:
    """Create the account, or reactivate and rename an existing one; flush, no commit.

    Raises app.platform.validation.ValidationError for an invalid address.
    """
    email = normalise_email(email)
    staff = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    if staff is None:
        staff = StaffUser(email=email, name=name.strip())
        db.session.add(staff)
    else:
        staff.active = True
        if name.strip():
            staff.name = name.strip()
    db.session.flush()
    return staff


def all_staff() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def deactivate_staff(email: str) -> StaffUser | None:
    """Close the account and sign it out everywhere; None when there is no such account."""
    staff = db.session.scalar(select(StaffUser).where(StaffUser.email == email_key(email)))
    if staff is None:
        return None
    staff.active = False
    db.session.execute(delete(UserSession).where(UserSession.email == staff.email, UserSession.role == "staff"))
    db.session.flush()
    return staff


def set_notices(staff: StaffUser, receives: bool) -> None:
    """Turn the staff notices on or off for this member (app/platform/staff_notices.py); flush, no commit."""
    staff.receives_notices = receives
    db.session.flush()


def active_staff(email: str) -> StaffUser | None:
    return db.session.scalar(
        select(StaffUser).where(StaffUser.email == email_key(email), StaffUser.active.is_(True))
    )


def send_staff_sign_in_link(email: str, *, created_ip: str | None = None) -> None:
    """Send a sign-in link to `email` if it is an active staff account, after the answer.

    The request itself does the same for every address, so neither the answer
    nor its timing tells whether the address is a staff member's: the lookup,
    the link and the mail are made once the answer has been sent (outbox.after_answer),
    in the language the link was asked for in.
    """
    after_answer(partial(issue_staff_sign_in_link, email, created_ip=created_ip, language=current_language()))


def issue_staff_sign_in_link(email: str, *, created_ip: str | None = None, language: str = DEFAULT_LANGUAGE) -> bool:
    """Queue a sign-in link when `email` is an active staff account, and commit; False for any other address."""
    if active_staff(email) is None:
        return False
    token = issue_link_token(email, "staff_sign_in", created_ip=created_ip)
    with in_language(language):
        queue_mail(
            email_key(email),
            "staff_sign_in",
            link=link_url("admin.open_link", token=token),
            minutes=STAFF_SIGN_IN_MINUTES,
        )
    db.session.commit()
    return True
