"""The one way to issue an e-mailed link: a random token, stored only as a hash.

The raw token exists only in the e-mail.  Opening a link reads it
(`peek_token`); only the deliberate second step spends it (`consume_token`),
with a conditional UPDATE that exactly one request can win.
"""
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.models import LoginToken, utcnow
from app.platform.i18n import current_language
from app.platform.languages import is_language_free, language_prefix
from app.platform.validation import email_key

TOKEN_LIFETIMES = {
    "sign_in": timedelta(minutes=60),
    "edit_request": timedelta(days=7),
    "staff_sign_in": timedelta(minutes=30),
    # "Olemme olleet yhteydessä" in a contact-request mail; as long as the request is kept.
    "contact_handled": timedelta(days=90),
    # A contact approves or declines someone's "Tämä on meidän" (app/accounts/claims.py).
    "access_claim": timedelta(days=14),
}
# Purposes where a new link makes the address's older unused links invalid.
REPLACES_OLDER = {"sign_in", "staff_sign_in"}


@dataclass(frozen=True)
class TokenState:
    """What a link is: status is valid, expired, used, cancelled or unknown."""

    status: str
    email: str = ""
    organisation_id: int | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def derived_token(purpose: str, nonce: str) -> str:
    """A link token that can be shown or mailed again: keyed by the secret key and a stored random nonce.

    For links that stay usable (a survey, a sign-up's change-or-cancel page);
    only its hash_token() is stored to find the row.  Changing SECRET_KEY
    changes these links.
    """
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    digest = hmac.new(key, f"{purpose}:{nonce}".encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue_link_token(
    email: str,
    purpose: str,
    organisation_id: int | None = None,
    *,
    created_ip: str | None = None,
    now: datetime | None = None,
) -> str:
    """Store a new token for `email` and return the raw value for the link; flush, no commit."""
    if purpose not in TOKEN_LIFETIMES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    now = now or utcnow()
    email = email_key(email)
    if purpose in REPLACES_OLDER:
        db.session.execute(
            update(LoginToken)
            .where(
                LoginToken.email == email,
                LoginToken.purpose == purpose,
                LoginToken.used_at.is_(None),
                LoginToken.cancelled_at.is_(None),
            )
            .values(cancelled_at=now)
        )
    raw = secrets.token_urlsafe(32)
    db.session.add(
        LoginToken(
            token_hash=hash_token(raw),
            email=email,
            purpose=purpose,
            organisation_id=organisation_id,
            created_at=now,
            expires_at=now + TOKEN_LIFETIMES[purpose],
            created_ip=created_ip,
        )
    )
    db.session.flush()
    return raw


def peek_token(raw: str, purpose: str, *, now: datetime | None = None) -> TokenState:
    """What the link is, without changing anything (GET and HEAD must be safe)."""
    token = db.session.scalar(
        select(LoginToken).where(LoginToken.token_hash == hash_token(raw), LoginToken.purpose == purpose)
    )
    if token is None:
        return TokenState("unknown")
    if token.used_at is not None:
        status = "used"
    elif token.cancelled_at is not None:
        status = "cancelled"
    elif token.expires_at <= (now or utcnow()):
        status = "expired"
    else:
        status = "valid"
    return TokenState(status, token.email, token.organisation_id)


def consume_token(raw: str, purpose: str, *, now: datetime | None = None) -> TokenState | None:
    """Spend the token: its state when this call used it, None when it was not usable."""
    now = now or utcnow()
    token_hash = hash_token(raw)
    result = db.session.execute(
        update(LoginToken)
        .where(
            LoginToken.token_hash == token_hash,
            LoginToken.purpose == purpose,
            LoginToken.used_at.is_(None),
            LoginToken.cancelled_at.is_(None),
            LoginToken.expires_at > now,
        )
        .values(used_at=now)
    )
    if result.rowcount != 1:
        return None
    email, organisation_id = db.session.execute(
        select(LoginToken.email, LoginToken.organisation_id).where(LoginToken.token_hash == token_hash)
    ).one()
    return TokenState("valid", email, organisation_id)


def link_url(endpoint: str, **values) -> str:
    """An absolute URL on the configured BASE_URL, never on the request's Host header.

    In the language texts are rendered in (app.platform.i18n.in_language), so a
    link in a mail opens the page in the mail's language.  Works without a
    request too (CLI commands that send links).
    """
    base = urlsplit(current_app.config["BASE_URL"])
    script_name = base.path.rstrip("/")
    if not is_language_free(endpoint):
        script_name += language_prefix(current_language())
    adapter = current_app.url_map.bind(base.netloc, script_name=script_name or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
