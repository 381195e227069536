"""`flask backup PATH`: an online copy of the SQLite database, checked, and restorable.

These tests build their own SQLite databases, so they run the same whichever
database TEST_DATABASE_URL points the other tests at.
"""
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, update
from tests.conftest import make_test_config

from app import create_app
from app.admin.taxonomy_data import seed_taxonomy
from app.extensions import db
from app.models import Organisation
from app.search.engine import SearchQuery, search
from app.search.index import index_organisation

NAMES = ["Kuopion Muistiyhdistys ry", "Varkauden Diabetesyhdistys ry", "Iisalmen Omaishoitajat ry"]


def sqlite_app(path: Path):
    return create_app(make_test_config(f"sqlite:///{path}"))


def names_and_hits(app) -> tuple[list[str], int]:
    with app.app_context():
        names = list(db.session.scalars(select(Organisation.name).order_by(Organisation.name)))
        hits = search(SearchQuery(text="muistiyhdistys")).total
        db.session.remove()
        db.engine.dispose()
    return names, hits


@pytest.fixture
def live_app(tmp_path):
    """A migrated SQLite database with three indexed organisations."""
    app = sqlite_app(tmp_path / "live.sqlite")
    with app.app_context():
        upgrade()
        seed_taxonomy(Path(app.root_path) / "data")
        for name in NAMES:
            organisation = Organisation(name=name, status="published", description="Kokoontuu kerran viikossa.")
            db.session.add(organisation)
            db.session.flush()
            index_organisation(organisation)
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_backup_while_the_app_is_serving_restores_to_equal_data(live_app, tmp_path):
    target = tmp_path / "copies" / "backup.sqlite"
    target.parent.mkdir()
    with live_app.app_context():
        # The app holds a connection with the write lock and a change it has not committed.
        held = db.engine.connect()
        held.execute(update(Organisation).values(name="Kesken jäänyt muutos"))
        try:
            result = live_app.test_cli_runner().invoke(args=["backup", str(target)])
        finally:
            held.rollback()
            held.close()
    assert result.exit_code == 0, result.output
    size = target.stat().st_size
    assert result.output.strip() == f"{target}: {size} bytes, integrity_check ok"
    assert not target.with_name("backup.sqlite.partial").exists()
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)

    restored = sqlite_app(target)
    names, hits = names_and_hits(restored)
    assert (names, hits) == names_and_hits(live_app)
    assert names == sorted(NAMES) and hits >= 1  # the search index came along


def test_backup_never_overwrites_the_database_itself(live_app, tmp_path):
    result = live_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "live.sqlite")])
    assert result.exit_code == 1
    assert "would overwrite the database itself" in result.output
    assert names_and_hits(live_app)[0] == sorted(NAMES)


def test_backup_of_postgresql_points_to_pg_dump(tmp_path):
    app = create_app(make_test_config("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup.sqlite")])
    assert result.exit_code == 1
    assert "pg_dump" in result.output and "backup not made" in result.output
    assert not (tmp_path / "backup.sqlite").exists()
