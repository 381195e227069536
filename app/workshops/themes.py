"""Workshop themes: the ones offered on the order form, and their seed from a CSV file."""
import csv
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import WorkshopTheme


def active_themes() -> list[WorkshopTheme]:
    return list(
        db.session.scalars(
            select(WorkshopTheme).where(WorkshopTheme.active.is_(True)).order_by(WorkshopTheme.position, WorkshopTheme.name)
        )
    )


THEME_TRANSLATIONS = (
    "name_sv", "description_sv", "typical_goals_sv", "name_en", "description_en", "typical_goals_en",
)


def seed_workshop_themes(path: Path) -> int:
    """Add the themes of a CSV file (name, description, typical_goals, position, translations) that are missing.

    Themes are staff-managed: an existing theme of the same name is left as staff edited it,
    except that its empty Swedish and English texts are filled from the file.
    Returns how many were added.
    """
    existing = {theme.name: theme for theme in db.session.scalars(select(WorkshopTheme))}
    added = 0
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["name"].strip()
            if not name:
                continue
            theme = existing.get(name)
            if theme is None:
                theme = WorkshopTheme(
                    name=name,
                    description=row["description"].strip(),
                    typical_goals=row["typical_goals"].strip(),
                    position=int(row["position"]),
                    active=True,
                )
                db.session.add(theme)
                existing[name] = theme
                added += 1
            for column in THEME_TRANSLATIONS:
                if not getattr(theme, column):
                    setattr(theme, column, (row.get(column) or "").strip())
    db.session.flush()
    return added
