"""Fixtures: an app on a freshly migrated database (SQLite, or PostgreSQL when
TEST_DATABASE_URL points at one), cleaned after every test."""
import os
from pathlib import Path

import pytest
from jinja2 import StrictUndefined
from sqlalchemy import text
from tests.clients import ServerLikeClient

from app import create_app
from app.config import normalise_database_url
from app.extensions import db as _db
from app.platform import background

pytest_plugins = ["tests.conftest_mail"]

REQUIRED_IN_CI = os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str):
    """A missing tool skips the test on a laptop and fails it in CI."""
    if REQUIRED_IN_CI:
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


def make_test_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": "http://portal.test",
        "HTMX_SOURCE": "local",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # The test's own session keeps SQLite's write lock between requests (the app
        # context is shared), which the database:// storage would wait on;
        # tests/test_ratelimit.py and tests/test_request_transactions.py cover that storage.
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": "",
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def migrated_database(database_url):
    """Build the schema once per test run, through the real migrations."""
    from flask_migrate import downgrade, upgrade

    app = create_app(make_test_config(database_url))
    with app.app_context():
        downgrade(revision="base")
        upgrade()
        _db.engine.dispose()
    return database_url


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change settings of the `app` fixture."""
    return {}


@pytest.fixture
def app(migrated_database, app_config, tmp_path):
    # Files the app keeps (the HSDS data package) go to the test's own folder, never to instance/.
    files = {"HSDS_DATAPACKAGE_PATH": str(tmp_path / "hsds-datapackage.zip")}
    app = create_app(make_test_config(migrated_database, **{**files, **app_config}))
    app.jinja_env.undefined = StrictUndefined
    app.test_client_class = ServerLikeClient
    with app.app_context():
        yield app
        # Work a request handed to the background thread finishes before the tables go.
        background.wait_until_idle()
        _db.session.remove()
        empty_all_tables()
        _db.engine.dispose()


def empty_all_tables() -> None:
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def taxonomy(app):
    """The real taxonomy of app/data, as `flask seed taxonomy` loads it."""
    from app.admin.taxonomy_data import seed_taxonomy

    seed_taxonomy(Path(app.root_path) / "data")
    _db.session.commit()


@pytest.fixture
def demo(taxonomy):
    """The fictional demo organisations of app/data, indexed for search."""
    from app.directory.demo import seed_demo

    seed_demo(only_if_empty=False)
    _db.session.commit()


@pytest.fixture
def make_organisation(taxonomy):
    """Factory: a published, indexed organisation with the given fields.

    needs, activities and municipalities are given by name.
    """
    from app.models import Activity, Municipality, Need, Organisation
    from app.search.index import index_organisation

    def make(name="Testiyhdistys ry", *, needs=(), activities=(), municipalities=(), **fields):
        fields.setdefault("status", "published")
        fields.setdefault("description", "Kokoontuu kerran viikossa.")
        organisation = Organisation(name=name, **fields)
        organisation.needs = [_db.session.scalar(_db.select(Need).filter_by(name=n)) for n in needs]
        organisation.activities = [_db.session.scalar(_db.select(Activity).filter_by(name=a)) for a in activities]
        organisation.municipalities = [
            _db.session.scalar(_db.select(Municipality).filter_by(name_fi=m)) for m in municipalities
        ]
        assert None not in organisation.needs + organisation.activities + organisation.municipalities
        _db.session.add(organisation)
        _db.session.flush()
        index_organisation(organisation)
        _db.session.commit()
        return organisation

    return make


@pytest.fixture(params=["voikko", "fallback"])
def analyser(request):
    """The test runs with Voikko and with the fallback analyser; list it before fixtures that index.

    The Voikko run is skipped where libvoikko is not installed.
    """
    from app.search import analysis

    analysis.reset(force_fallback=request.param == "fallback")
    if request.param == "voikko" and analysis.analyser_name() != analysis.VOIKKO:
        pytest.skip("libvoikko is not installed")
    yield analysis.analyser_name()
    analysis.reset()
