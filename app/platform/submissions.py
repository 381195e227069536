"""Nothing sent twice: every form that creates something carries a one-time key.

A double click, a reload of the POST or a slow network that makes someone press
again all send the same key.  The first request stores the key together with
the URL of its answer; any later request with that key is answered with a
redirect to the same URL and creates nothing.  The key row is inserted before
the form's work is done, in the same transaction, so two requests arriving at
once cannot both go ahead: the primary key makes the second wait for the first
and fail, and it then answers like any repeat.

The submit button's progress state (static/js/submit-once.js) only spares the
server the repeat; this module is what guarantees it.
"""
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import redirect, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField

from app.extensions import db
from app.models import FormSubmission
from app.platform.database import reading_only

KEY_FIELD = "submission_key"
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
# A repeat comes within seconds or, from a tab left open, within days.
KEY_RETENTION = timedelta(days=30)
# The browser's Back restores a sent form under a new one-time key when it fetches the
# page again: the same thing sent by the same person within this time is the one already
# sent.  Each feature finds "the same thing" in its own records (a contact request, a shared
# list's mail, an error report, a workshop order or change request, an event message, a
# staff edit request).
REPEAT_WINDOW = timedelta(minutes=30)


def new_key() -> str:
    return secrets.token_urlsafe(32)


class OnceForm(FlaskForm):
    """A creating form: a fresh key with every empty form, kept while the input is corrected.

    A form that also edits (the organisation form) drops the field when it edits:
    `del form.submission_key`; a repeated edit is caught by its version instead.
    """

    submission_key = HiddenField()

    def process(self, formdata=None, *args, **kwargs):
        super().process(formdata, *args, **kwargs)
        # formdata=None: a form shown beside another one that was sent (a status page's
        # cancel form next to its change form) reads nothing from that POST, so it needs
        # a key of its own too.
        if KEY_FIELD in self and (formdata is None or not self.is_submitted()):
            self.submission_key.data = new_key()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if KEY_FIELD in self and not KEY_PATTERN.fullmatch(self.submission_key.data or ""):
            # A form from a page older than the keys, or a crafted request: the
            # answer carries a fresh key, so sending it again works.
            self.submission_key.data = new_key()
            self.form_errors.append(_("Lomake oli vanhentunut. Tarkista tiedot ja lähetä uudelleen."))
            return False
        return valid


def earlier_answer():
    """The redirect a repeated POST gets, or None when this key has not been used.

    A view asks before anything that could answer differently the second time
    (a sign-up closed meanwhile); the contact forms ask once the form is valid,
    so that an invalid one still needs no database.
    """
    key = request.form.get(KEY_FIELD, "")
    if request.method != "POST" or not KEY_PATTERN.fullmatch(key):
        return None
    with reading_only():
        earlier = db.session.get(FormSubmission, key)
        result_url = earlier.result_url if earlier is not None else None
        # The read ends here.  A repeat's answer then holds no write lock while the
        # rate limit counts it after the view (a double click without JavaScript
        # waited out the busy timeout and got a 500), and a first submission begins
        # a writer's transaction of its own.
        db.session.rollback()
    return redirect(result_url, code=303) if result_url else None


def submit_once(form: OnceForm, create: Callable[[], str | None]):
    """Run `create` once for the form's key, commit, and redirect to the URL it returns.

    `create` does the form's work (services flush) and returns where to send the
    person.  If it returns None nothing is kept, and neither is the key: the
    caller shows the form again.  Exceptions from `create` pass through; the
    caller rolls back.
    """
    submission = FormSubmission(key=form.submission_key.data)
    db.session.add(submission)
    try:
        db.session.flush()
    except IntegrityError:
        # The same key sent at the same moment: the other request has done the work.
        # The primary key made this insert wait until that request committed.
        db.session.rollback()
        answer = earlier_answer()
        if answer is None:
            raise
        return answer
    target = create()
    if target is None:
        db.session.rollback()
        return None
    submission.result_url = target
    db.session.commit()
    return redirect(target, code=303)


def purge_old_submissions(*, now: datetime) -> int:
    """Keys older than KEY_RETENTION: a repeat that late is a new submission."""
    return db.session.execute(
        delete(FormSubmission).where(FormSubmission.created_at < now - KEY_RETENTION)
    ).rowcount
