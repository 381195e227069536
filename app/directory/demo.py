"""The fictional demo organisations shipped in app/data/demo_organisations.jsonl.

Every name, address, phone number and e-mail address in that file is invented;
the file goes through the normal importer, so it is also a working import example.
"""
from pathlib import Path

from sqlalchemy import exists, select

from app.directory.importer import import_organisations
from app.extensions import db
from app.models import Organisation

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_organisations.jsonl"


def seed_demo(only_if_empty: bool) -> int:
    """Import the demo organisations; returns how many were created (0 when skipped)."""
    if only_if_empty and db.session.scalar(select(exists().where(Organisation.id.is_not(None)))):
        return 0
    with DEMO_FILE.open(encoding="utf-8") as lines:
        return import_organisations(lines)
