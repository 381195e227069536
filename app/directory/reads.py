"""Reads for the public pages: one organisation, the A–Z list, the search form's choices.

Only published organisations ever leave this module; the admin-only figures and the
contacts are never loaded for a public page.
"""
from dataclasses import dataclass
from itertools import groupby

from flask import abort
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Activity, Municipality, Need, Organisation, sort_key
from app.search.index import per_directory_version
from app.search.query import TAXONOMY_SECONDS


def alphabetical(terms) -> list:
    """Taxonomy terms A–Z by their names in the page's language (Swedish names sort otherwise)."""
    return sorted(terms, key=lambda term: sort_key(term.label))


def all_municipalities() -> list[Municipality]:
    return alphabetical(db.session.scalars(select(Municipality)))


@dataclass
class TaxonomyChoices:
    """The taxonomy as the search form and the API list it."""

    need_groups: list[tuple[str, list[Need]]]
    activities: list[Activity]
    municipalities: list[Municipality]

    @property
    def needs(self) -> list[Need]:
        return [need for _group, needs in self.need_groups for need in needs]


@dataclass(frozen=True)
class FilterChoices:
    """The search page's lists as (id, name) pairs."""

    need_groups: tuple[tuple[str, tuple[tuple[int, str], ...]], ...]
    activities: tuple[tuple[int, str], ...]
    municipalities: tuple[tuple[int, str], ...]

    @property
    def need_names(self) -> dict[int, str]:
        return {need_id: name for _group, needs in self.need_groups for need_id, name in needs}


def published_organisation_or_404(organisation_id: int) -> Organisation:
    """A published organisation with everything its public page shows, or 404."""
    organisation = db.session.scalar(
        select(Organisation)
        .where(Organisation.id == organisation_id, Organisation.status == "published")
        .options(
            selectinload(Organisation.municipalities),
            selectinload(Organisation.needs),
            selectinload(Organisation.activities),
            selectinload(Organisation.phones),
            selectinload(Organisation.keywords),
            selectinload(Organisation.parent),
        )
    )
    if organisation is None:
        abort(404)
    return organisation


def published_parent(organisation: Organisation) -> Organisation | None:
    """The parent federation, only when it is itself public."""
    parent = organisation.parent
    return parent if parent is not None and parent.is_published else None


def published_members(organisation: Organisation) -> list[Organisation]:
    """Published local associations whose parent is this organisation."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.parent_id == organisation.id, Organisation.status == "published")
            .order_by(Organisation.sort_name)
        )
    )


def index_letter(sort_name: str) -> str:
    """The A–Z heading of a name, from its Finnish sort key (so W files under V)."""
    first = sort_name[:1]
    letters = {"{": "Å", "|": "Ä", "}": "Ö"}
    if first in letters:
        return letters[first]
    if first.isalpha():
        return first.upper()
    return "0–9"


@dataclass
class AToZ:
    """The A–Z list: the letters there are, and the organisations shown under each."""

    letters: list[str]
    groups: list[tuple[str, list[Organisation]]]
    letter: str | None  # the letter shown alone, or None for all

    @property
    def shown(self) -> int:
        return sum(len(organisations) for _letter, organisations in self.groups)


def organisations_a_to_z(municipality_id: int | None = None, letter: str | None = None) -> AToZ:
    """Published organisations in Finnish alphabetical order, grouped by letter.

    `municipality_id` keeps those active there (nationwide ones too, as in the search);
    `letter` shows only that letter's group, while `letters` still lists every letter
    (a letter with no organisations shows them all).
    """
    statement = (
        select(Organisation)
        .where(Organisation.status == "published")
        .options(selectinload(Organisation.municipalities))
        .order_by(Organisation.sort_name, Organisation.id)
    )
    if municipality_id is not None:
        statement = statement.where(
            or_(Organisation.nationwide, Organisation.municipalities.any(Municipality.id == municipality_id))
        )
    groups = [
        (heading, list(group))
        for heading, group in groupby(db.session.scalars(statement), key=lambda o: index_letter(o.sort_name))
    ]
    letters = [heading for heading, _group in groups]
    if letter not in letters:
        letter = None
    return AToZ(letters=letters, groups=[group for group in groups if letter in (None, group[0])], letter=letter)


def taxonomy_choices(language: str = "fi") -> TaxonomyChoices:
    """Needs by group, activities in their order, municipalities A–Z; groups and order in `language`."""
    # Groups keep the order of the taxonomy file (ids follow it), needs inside are A–Z.
    groups: dict[str, list[Need]] = {}
    for need in db.session.scalars(select(Need).order_by(Need.id)):
        groups.setdefault(need.translated("group", language), []).append(need)
    need_groups = [
        (group, sorted(needs, key=lambda n: sort_key(n.translated("name", language)))) for group, needs in groups.items()
    ]
    activities = list(db.session.scalars(select(Activity).order_by(Activity.position, Activity.name)))
    municipalities = sorted(
        db.session.scalars(select(Municipality)), key=lambda m: sort_key(m.translated("name", language))
    )
    return TaxonomyChoices(need_groups=need_groups, activities=activities, municipalities=municipalities)


@per_directory_version(ttl=TAXONOMY_SECONDS)
def filter_choices(version: str, language: str = "fi") -> FilterChoices:
    """taxonomy_choices() as plain values in `language`, kept per process like the search's taxonomy."""
    lists = taxonomy_choices(language)
    return FilterChoices(
        need_groups=tuple(
            (group, tuple((need.id, need.translated("name", language)) for need in needs))
            for group, needs in lists.need_groups
        ),
        activities=tuple((activity.id, activity.translated("name", language)) for activity in lists.activities),
        municipalities=tuple(
            (municipality.id, municipality.translated("name", language)) for municipality in lists.municipalities
        ),
    )


def published_organisation_id(name: str) -> int | None:
    """The directory's organisation when a typed name is exactly one published name (workshop orders, event sign-ups)."""
    ids = db.session.scalars(
        select(Organisation.id).where(
            Organisation.status == "published", func.lower(Organisation.name) == name.strip().lower()
        )
    ).all()
    return ids[0] if len(ids) == 1 else None


def published_organisation_names() -> list[str]:
    """Every published organisation's name, for a form's suggestion list."""
    return list(db.session.scalars(
        select(Organisation.name).where(Organisation.status == "published").order_by(Organisation.sort_name)
    ))
