"""Application factory: config → languages → responses → extensions → features → accounts → errors
→ security → templates → CLI, one setup_* function each."""
import logging
import os

from flask import Flask
from werkzeug.routing import IntegerConverter

from app import config as settings
from app.extensions import babel, csrf, db, limiter, mail, migrate
from app.platform.languages import LanguageFlask
from app.platform.validation import MAX_DATABASE_ID

log = logging.getLogger(__name__)


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in URLs only matches ids a database integer column can hold.

    A larger number is simply a URL that does not exist (404), instead of an
    overflow in the database driver.
    """

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    app = LanguageFlask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseIdConverter
    setup_config(app, test_config)
    setup_languages(app)
    setup_responses(app)
    setup_extensions(app)
    setup_blueprints(app)
    setup_accounts(app)
    setup_errors(app)
    setup_security(app)
    setup_templates(app)
    setup_cli(app)
    return app


def setup_config(app: Flask, test_config: dict | None) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(settings.from_environment(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.from_mapping(test_config)
    # Derived from the URL finally chosen, so a database named by the instance or test config gets its own settings.
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", settings.engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    # The API answers keep the order the contract documents.
    app.json.sort_keys = False
    settings.derive_cookie_settings(app.config)
    production = not (app.debug or app.testing)
    settings.derive_mail_sender(app.config, production)
    if production:
        settings.check_production(app.config)
    if app.config["TRUSTED_HOSTS"]:
        app.config["TRUSTED_HOSTS"] = list(app.config["TRUSTED_HOSTS"])


def setup_languages(app: Flask) -> None:
    """The language prefix in URLs (app.platform.languages); before the proxy fix, which wraps it."""
    from app.platform.languages import register_languages

    register_languages(app)


def setup_responses(app: Flask) -> None:
    """Proxy headers, too long URLs, compression, conditional GET, hashed static files, the health route.

    Before every step that registers an after_request function: the compression
    hook must be the app's first, so that it runs last.
    """
    from werkzeug.middleware.proxy_fix import ProxyFix

    from app.platform.assets import register_assets
    from app.platform.errors import refuse_long_urls
    from app.platform.health import bp as health_bp
    from app.platform.responses import register_response_hooks

    if app.config["PROXY_FIX_X_FOR"] or app.config["PROXY_FIX_X_PROTO"]:
        # The rate limits key on the client's address, not the proxy's.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=app.config["PROXY_FIX_X_PROTO"]
        )
    app.before_request(refuse_long_urls)
    register_response_hooks(app)
    register_assets(app)
    app.register_blueprint(health_bp)


def setup_extensions(app: Flask) -> None:
    from app.platform import ratelimit  # noqa: F401  (registers the database:// rate-limit storage)
    from app.platform.database import configure_sqlite
    from app.platform.i18n import install_template_translations, select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_translations(app)
    limiter.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)


def setup_blueprints(app: Flask) -> None:
    from app import accounts, admin, contact, directory, events, pages, search, workshops
    from flask_cors import CORS

    from app.api.hsds.routes import bp as hsds_bp
    from app.api.routes import bp as api_bp

    for feature in (search, directory, contact, pages, accounts, workshops, events):
        feature.register(app)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(hsds_bp, url_prefix="/api/hsds")
    # The APIs are read-only JSON over GET; CSRF protects forms, not them.
    csrf.exempt(api_bp)
    csrf.exempt(hsds_bp)
    # Any site may read the open data from a browser; nothing is sent with credentials.
    CORS(app, resources={r"/api/(v1|hsds)(/.*)?": {
        "origins": "*", "send_wildcard": True, "methods": ["GET", "HEAD", "OPTIONS"], "expose_headers": ["ETag", "Link"],
    }})
    # Last: the features above attach their staff views to its blueprint.
    admin.register(app)
    if app.debug and not app.config["MAIL_SERVER"]:
        # Development only: shows the mail that would have been sent.
        from app.platform.dev_mailbox import bp as dev_bp

        app.register_blueprint(dev_bp, url_prefix="/dev")


def setup_accounts(app: Flask) -> None:
    from app.platform.log_filter import install_token_log_filter
    from app.platform.outbox import register_delivery_after_commit
    from app.accounts.sessions import register_session_hooks

    register_session_hooks(app)
    register_delivery_after_commit(app)
    install_token_log_filter(app.logger)


def setup_errors(app: Flask) -> None:
    from app.platform.errors import register_error_handlers

    register_error_handlers(app)


def setup_security(app: Flask) -> None:
    from app.platform.security import register_security_headers

    register_security_headers(app)


def setup_templates(app: Flask) -> None:
    from app.platform.region import install_region
    from app.platform.templating import register_template_helpers

    register_template_helpers(app)
    install_region(app)


def setup_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)
