"""Load the taxonomy (municipalities, needs, activities, sectors) from CSV files.

Needs, activities and sectors live in app/data/; the municipalities in the
region's folder (app/data/regions/<name>/), so another region is another folder. Loading is
an upsert by natural key, so running it again updates texts and adds new rows
but never deletes anything staff may have linked organisations to.  Each
Finnish text column has its Swedish and English beside it (`name_sv`,
`synonyms_en`, …; see TRANSLATED).
"""
import csv
import re
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Municipality, Need, Sector
from app.platform.region import current_region
from app.models.taxonomy import split_list
from app.platform.validation import whole_number


# The translated columns of each file, in file order after the Finnish ones.
TRANSLATED = {
    "needs": ("name_sv", "group_sv", "synonyms_sv", "name_en", "group_en", "synonyms_en"),
    "activities": ("name_sv", "description_sv", "name_en", "description_en"),
    "sectors": ("name_sv", "name_en"),
}


class TaxonomyFileError(ValueError):
    """A taxonomy CSV file that cannot be loaded; the message names file and line."""


def seed_taxonomy(data_dir: Path | str, region_dir: Path | str | None = None) -> dict[str, int]:
    """Upsert the taxonomy files of `data_dir` and the municipalities of `region_dir`; returns the rows per table.

    `region_dir` defaults to the folder of the configured region (the REGION setting).
    """
    data_dir = Path(data_dir)
    region_dir = Path(region_dir) if region_dir is not None else current_region().folder
    counts = {
        "municipalities": _load_municipalities(region_dir / "municipalities.csv"),
        "needs": _load_needs(data_dir / "needs.csv"),
        "activities": _load_activities(data_dir / "activities.csv"),
        "sectors": _load_sectors(data_dir / "sectors.csv"),
    }
    db.session.flush()
    return counts


def _read_rows(path: Path, columns: tuple[str, ...], key: str) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line numbers; checks the header, empty keys and duplicate keys."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != columns:
            raise TaxonomyFileError(f"{path.name}: the header must be {','.join(columns)}")
        rows = []
        seen: set[str] = set()
        for row in reader:
            line = reader.line_num
            if None in row or any(row[c] is None for c in columns):
                raise TaxonomyFileError(f"{path.name}:{line}: expected {len(columns)} columns")
            cleaned = {c: row[c].strip() for c in columns}
            if not cleaned[key]:
                raise TaxonomyFileError(f"{path.name}:{line}: {key} is empty")
            if cleaned[key].casefold() in seen:
                raise TaxonomyFileError(f"{path.name}:{line}: {key} {cleaned[key]!r} appears twice")
            seen.add(cleaned[key].casefold())
            rows.append((line, cleaned))
    return rows


def _position(path: Path, line: int, value: str) -> int:
    position = whole_number(value)
    if position is None:
        raise TaxonomyFileError(f"{path.name}:{line}: position must be a whole number")
    return position


def _set_texts(term, row: dict[str, str], columns: tuple[str, ...]) -> None:
    for column in columns:
        setattr(term, column, row[column])


def _load_municipalities(path: Path) -> int:
    existing = {m.code: m for m in db.session.scalars(select(Municipality))}
    rows = _read_rows(path, ("code", "name_fi", "name_sv"), "code")
    for line, row in rows:
        if not re.fullmatch(r"[0-9]{3}", row["code"]):
            raise TaxonomyFileError(f"{path.name}:{line}: code must be three digits")
        if not row["name_fi"]:
            raise TaxonomyFileError(f"{path.name}:{line}: name_fi is empty")
        municipality = existing.get(row["code"]) or Municipality(code=row["code"])
        municipality.name_fi = row["name_fi"]
        municipality.name_sv = row["name_sv"] or None
        db.session.add(municipality)
    return len(rows)


def _load_needs(path: Path) -> int:
    existing = {n.name: n for n in db.session.scalars(select(Need))}
    rows = _read_rows(path, ("name", "group", "synonyms", *TRANSLATED["needs"]), "name")
    for line, row in rows:
        if not row["group"]:
            raise TaxonomyFileError(f"{path.name}:{line}: group is empty")
        need = existing.get(row["name"]) or Need(name=row["name"])
        need.group = row["group"]
        _set_texts(need, row, TRANSLATED["needs"])
        for column in ("synonyms", "synonyms_sv", "synonyms_en"):
            setattr(need, column, ";".join(split_list(row[column])))
        db.session.add(need)
    return len(rows)


def _load_activities(path: Path) -> int:
    existing = {a.name: a for a in db.session.scalars(select(Activity))}
    rows = _read_rows(path, ("position", "name", "description", *TRANSLATED["activities"]), "name")
    for line, row in rows:
        activity = existing.get(row["name"]) or Activity(name=row["name"])
        activity.position = _position(path, line, row["position"])
        activity.description = row["description"]
        _set_texts(activity, row, TRANSLATED["activities"])
        db.session.add(activity)
    return len(rows)


def _load_sectors(path: Path) -> int:
    existing = {s.name: s for s in db.session.scalars(select(Sector))}
    rows = _read_rows(path, ("position", "name", *TRANSLATED["sectors"]), "name")
    for line, row in rows:
        sector = existing.get(row["name"]) or Sector(name=row["name"])
        sector.position = _position(path, line, row["position"])
        _set_texts(sector, row, TRANSLATED["sectors"])
        db.session.add(sector)
    return len(rows)
