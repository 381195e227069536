"""Settings from environment variables, with safe development defaults.

Every variable is documented in the README's configuration table.
"""
import os
from datetime import timedelta

DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"

# htmx is pinned to an exact 2.0.x release: npm's `latest` tag points at 4.x,
# whose markup is not compatible.  The SRI hash is that of dist/htmx.min.js in
# the npm package, which is the same file the CDN serves.
HTMX_VERSION = "2.0.11"

# The portal's languages, each by its own name, in the order of the language switch.
# The first is the default, served at the root; the others under /<code>/ (app.platform.languages).
# A new language needs its catalogue too (README, "Languages").
PORTAL_LANGUAGES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
DEFAULT_LANGUAGE = next(iter(PORTAL_LANGUAGES))


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + os.path.join(instance_path, "hyvinvointitarjotin.sqlite")
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL URLs at psycopg 3, the driver we install."""
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def engine_options(url: str) -> dict:
    """Connection settings of the database at `url`; PostgreSQL's pool is sized for a gunicorn worker's threads."""
    options: dict = {}
    if url.startswith("postgresql"):
        env = os.environ.get
        options.update(
            # A server restart or a proxy drops connections; a file database cannot,
            # so SQLite skips the extra statement on every checkout.
            pool_pre_ping=True,
            # One connection per gunicorn thread, plus headroom for the outbox
            # delivery that runs after a request has committed.
            pool_size=int(env("DATABASE_POOL_SIZE", "5")),
            max_overflow=int(env("DATABASE_MAX_OVERFLOW", "5")),
            # A request waits this long for a connection, then gets the 503 page.
            pool_timeout=10,
            # Server-side idle timeouts and failovers drop old connections.
            pool_recycle=1800,
            # A row lock held too long answers the 503 page, as SQLite's busy_timeout does.
            # No JIT: a search over 100 000 rows is costed above jit_above_cost, and compiling
            # took longer (10-40 ms) than running it.  Custom plans: psycopg prepares a statement
            # run five times, and a generic plan cannot see how common a search's words are
            # (a sequential scan for a rare word); planning a search costs about 0.1 ms.
            connect_args={"options": "-c lock_timeout=5000 -c jit=off -c plan_cache_mode=force_custom_plan"},
        )
    return options


def from_environment(instance_path: str) -> dict:
    """Read every setting the app knows from the environment."""
    env = os.environ.get
    database_url = _database_url(instance_path)
    return {
        "SECRET_KEY": env("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": env("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "TRUSTED_HOSTS": [h.strip() for h in env("TRUSTED_HOSTS", "").split(",") if h.strip()] or None,
        "MAIL_SERVER": env("MAIL_SERVER", ""),
        "MAIL_PORT": int(env("MAIL_PORT", "25")),
        "MAIL_USERNAME": env("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env("MAIL_USE_SSL")),
        "MAIL_DEFAULT_SENDER": env("MAIL_DEFAULT_SENDER", "Hyvinvointitarjotin <noreply@hyvinvointitarjotin.fi>"),
        "STAFF_NOTIFY_EMAIL": env("STAFF_NOTIFY_EMAIL", ""),
        # "worker": web workers only queue mail and the mail worker alone talks to
        # SMTP, so a web worker killed mid-request never leaves a conversation half
        # done; "request": each request's worker sends its own mail right after
        # the answer (no second process needed).  Production defaults to "worker".
        "MAIL_SENT_BY": env("MAIL_SENT_BY", ""),
        "HTMX_SOURCE": env("HTMX_SOURCE", "cdn"),
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "database://"),
        # Only for load tests, which send more contact requests than a person could.
        "RATELIMIT_ENABLED": _bool(env("RATELIMIT_ENABLED"), default=True),
        # A form post is counted after its view committed it (only accepted ones count):
        # a count the storage cannot write then (the database busy) is logged, not
        # raised, or the error page would follow a sent request and people send again.
        "RATELIMIT_SWALLOW_ERRORS": True,
        # How many reverse proxies in front set X-Forwarded-For / -Proto (0: none).
        "PROXY_FIX_X_FOR": int(env("PROXY_FIX_X_FOR", "0")),
        "PROXY_FIX_X_PROTO": int(env("PROXY_FIX_X_PROTO", "0")),
        "SEARCH_PAGE_SIZE": int(env("SEARCH_PAGE_SIZE", "20")),
        # The region the directory covers: a folder name under app/data/regions/ or a path to a
        # region folder (region.toml and municipalities.csv); its names come from there.
        "REGION": env("REGION", "pohjois-savo"),
        # The licence of the open data (HSDS API and export), named in every answer and in the package.
        "DATA_LICENCE": env("DATA_LICENCE", "CC-BY-4.0"),
        "DATA_LICENCE_URL": env("DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"),
        # Flask-Compress; off behind a reverse proxy that compresses.
        "COMPRESS_REGISTER": _bool(env("COMPRESS_RESPONSES"), default=True),
        # A streamed body (a long CSV export) goes out as it is made.
        "COMPRESS_STREAMS": False,
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/json", "image/svg+xml",
                               "text/csv", "text/plain", "application/xml"],
        "CONTACT_REQUEST_RETENTION_DAYS": int(env("CONTACT_REQUEST_RETENTION_DAYS", "90")),
        "ORGANISATION_PURGE_DAYS": int(env("ORGANISATION_PURGE_DAYS", "90")),
        "WORKSHOP_ORDER_RETENTION_DAYS": int(env("WORKSHOP_ORDER_RETENTION_DAYS", "365")),
        "EVENT_SIGNUP_RETENTION_DAYS": int(env("EVENT_SIGNUP_RETENTION_DAYS", "365")),
        "WTF_CSRF_TIME_LIMIT": None,  # a long edit must not fail on save
        "MAX_CONTENT_LENGTH": 512 * 1024,
        "BABEL_DEFAULT_LOCALE": DEFAULT_LANGUAGE,
        "BABEL_DEFAULT_TIMEZONE": "Europe/Helsinki",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The tray is kept across browser restarts (privacy notice); sign-in sessions end server-side sooner.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
    }


class ConfigurationError(RuntimeError):
    """The app was started for production without a setting it cannot do without."""


def derive_cookie_settings(config: dict) -> None:
    """Secure cookies whenever the site is served over https, however BASE_URL was set.

    The session cookie is the only cookie the app sets.
    """
    config["SESSION_COOKIE_SECURE"] = config["BASE_URL"].startswith("https://")


def derive_mail_sender(config: dict, production: bool) -> None:
    """Who talks to the SMTP server: the mail worker in production, the request elsewhere."""
    chosen = config.get("MAIL_SENT_BY") or ("worker" if production else "request")
    if chosen not in ("worker", "request"):
        raise ConfigurationError(f"MAIL_SENT_BY must be worker or request, not {chosen!r}.")
    config["MAIL_SENT_BY"] = chosen


def check_production(config: dict) -> None:
    """Refuse to run a production app with development settings."""
    if not config.get("SECRET_KEY") or config["SECRET_KEY"] == DEV_SECRET_KEY:
        raise ConfigurationError(
            "SECRET_KEY puuttuu: set SECRET_KEY to a long random value before running in production."
        )
    if not config.get("BASE_URL", "").startswith("https://"):
        # Links in e-mail are built from it, and cookies are Secure only on https.
        raise ConfigurationError(
            "BASE_URL ei ole https-osoite: set BASE_URL to the public https:// address of the site."
        )
    if not config.get("MAIL_SERVER"):
        # Sign-in links and contact requests travel by e-mail only.
        raise ConfigurationError("MAIL_SERVER puuttuu: set MAIL_SERVER (and MAIL_PORT, MAIL_USERNAME…) for production.")
