"""Staff editing of the taxonomy: create, edit, delete when unused, merge into another term.

A term in use cannot be deleted, because deleting would silently drop it from
organisations; it can be merged instead.  A merge moves every organisation
(or, for a workshop theme, every order) to the target term without creating
duplicate links, writes a revision of each affected organisation and updates
its search document.

Search reads need names and synonyms at query time and matches organisations
through opaque need tokens, so a renamed need or a new synonym is found at
once.  The need and activity names are also analysed into the documents as
plain words; a rename updates the affected documents so the old name stops
matching.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.directory.records import record_revision
from app.extensions import db
from app.models import (
    Activity,
    Municipality,
    Need,
    Organisation,
    Sector,
    organisation_activity,
    organisation_municipality,
    organisation_need,
    sort_key,
    utcnow,
)
from app.models.taxonomy import split_list
from app.models.workshop import WorkshopOrder, WorkshopTheme
from app.platform.i18n import N_, with_values
from app.search.index import index_organisation


@dataclass(frozen=True)
class TermKind:
    """One editable taxonomy table."""

    slug: str  # the URL segment under /yllapito/luokitukset/
    model: type
    fields: tuple[str, ...]  # editable attributes, in form order
    unique: tuple[str, ...]  # attributes unique case-insensitively
    # The organisations' link: a many-to-many table, or the attribute of Organisation.
    link_table: object = None
    link_column: str = ""
    organisation_attribute: str = ""
    used_by_orders: bool = False

    @property
    def reindexes_on_rename(self) -> bool:
        """Need and activity names are words in the search documents."""
        return self.model in (Need, Activity)


KINDS: dict[str, TermKind] = {
    kind.slug: kind
    for kind in (
        TermKind(
            "tarpeet", Need,
            ("name", "group", "synonyms", "name_sv", "group_sv", "synonyms_sv", "name_en", "group_en", "synonyms_en"),
            ("name",),
            link_table=organisation_need, link_column="need_id", organisation_attribute="needs",
        ),
        TermKind(
            "toimintamuodot", Activity,
            ("name", "description", "position", "name_sv", "description_sv", "name_en", "description_en"), ("name",),
            link_table=organisation_activity, link_column="activity_id", organisation_attribute="activities",
        ),
        TermKind(
            "kunnat", Municipality, ("code", "name_fi", "name_sv"), ("code", "name_fi"),
            link_table=organisation_municipality, link_column="municipality_id",
            organisation_attribute="municipalities",
        ),
        TermKind(
            "toimialat", Sector, ("name", "position", "name_sv", "name_en"), ("name",), organisation_attribute="sector"
        ),
        TermKind(
            "tyopajateemat", WorkshopTheme,
            (
                "name", "description", "typical_goals", "position", "active",
                "name_sv", "description_sv", "typical_goals_sv", "name_en", "description_en", "typical_goals_en",
            ),
            ("name",), used_by_orders=True,
        ),
    )
}


# The revision summary of a merge, translated on display by app_text; the terms keep their Finnish names.
TERMS_MERGED = with_values(N_("Luokitus yhdistetty: %(source)s → %(target)s"))


class TermInUse(Exception):
    """The term is linked to organisations (or orders); `count` says how many."""

    def __init__(self, count: int):
        super().__init__(f"in use by {count}")
        self.count = count


class MergeIntoItself(ValueError):
    """A term cannot be merged into itself."""


def list_terms(kind: TermKind) -> list[tuple[object, int]]:
    """Every term of the kind A–Z in the page's language (by position first where the table has one), with its use count."""
    terms = list(db.session.scalars(select(kind.model)))
    counts = usage_counts(kind)
    position = (lambda term: term.position) if hasattr(kind.model, "position") else (lambda term: 0)
    terms.sort(key=lambda term: (position(term), sort_key(term.label)))
    return [(term, counts.get(term.id, 0)) for term in terms]


def usage_counts(kind: TermKind) -> dict[int, int]:
    """{term id: organisations (or orders) using it}, every status counted: a pending entry uses it too."""
    if kind.used_by_orders:
        column = WorkshopOrder.theme_id
        statement = select(column, func.count()).where(column.is_not(None)).group_by(column)
    elif kind.link_table is not None:
        column = kind.link_table.c[kind.link_column]
        statement = select(column, func.count()).group_by(column)
    else:
        column = Organisation.sector_id
        statement = select(column, func.count()).where(column.is_not(None)).group_by(column)
    return dict(db.session.execute(statement).all())


def usage_count(kind: TermKind, term) -> int:
    return usage_counts(kind).get(term.id, 0)


def value_taken(kind: TermKind, attribute: str, value: str, exclude_id: int | None = None) -> bool:
    """True when another term of the kind has this value, ignoring case (ä and Ä too)."""
    wanted = value.strip().casefold()
    column = getattr(kind.model, attribute)
    rows = db.session.execute(select(kind.model.id, column)).all()
    return any(row_id != exclude_id and (other or "").casefold() == wanted for row_id, other in rows)


def save_term(kind: TermKind, term, values: dict):
    """Create (term None) or update a term from cleaned form values; returns it, flushed."""
    if term is None:
        term = kind.model()
        db.session.add(term)
        renamed = False
    else:
        renamed = kind.reindexes_on_rename and values.get("name") != term.name
    for attribute in kind.fields:
        setattr(term, attribute, values[attribute])
    db.session.flush()
    if renamed:
        for organisation in _organisations_using(kind, term):
            index_organisation(organisation)
    return term


def delete_term(kind: TermKind, term) -> None:
    """Delete an unused term; raises TermInUse with the count when something uses it."""
    count = usage_count(kind, term)
    if count:
        raise TermInUse(count)
    db.session.delete(term)
    db.session.flush()


def merge_terms(kind: TermKind, source, target, author: str) -> int:
    """Move everything using `source` to `target`, then delete `source`; returns the number moved.

    Each moved organisation gets a revision and a fresh search document.  A
    merged need leaves its name and synonyms as synonyms of the target, so
    people who search with the old word still find the organisations.
    """
    if source.id == target.id:
        raise MergeIntoItself()
    if kind.used_by_orders:
        orders = list(db.session.scalars(select(WorkshopOrder).where(WorkshopOrder.theme_id == source.id)))
        for order in orders:
            order.theme = target
        moved = len(orders)
    else:
        organisations = _organisations_using(kind, source)
        summary = _l(TERMS_MERGED, source=source.name, target=target.name)
        for organisation in organisations:
            _repoint(kind, organisation, source, target)
            # Written explicitly: a change of links alone would not raise the version,
            # and an editor with the form open must learn that the entry changed.
            organisation.updated_at = utcnow()
        db.session.flush()
        for organisation in organisations:
            record_revision(organisation, author, summary)
            index_organisation(organisation)
        moved = len(organisations)
    if isinstance(source, Need):
        for suffix in ("", "_sv", "_en"):
            setattr(target, f"synonyms{suffix}", merged_synonyms(target, source, suffix))
    db.session.delete(source)
    db.session.flush()
    return moved


def merged_synonyms(target: Need, source: Need, suffix: str = "") -> str:
    """The target's synonyms followed by the source's name and synonyms, each word once.

    `suffix` "_sv" or "_en" merges the Swedish or English ones.
    """
    target_name, source_name = getattr(target, "name" + suffix), getattr(source, "name" + suffix)
    seen = {target_name.casefold()}
    words = []
    for word in [*split_list(getattr(target, "synonyms" + suffix)), source_name,
                 *split_list(getattr(source, "synonyms" + suffix))]:
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            words.append(word)
    return ";".join(words)


def _organisations_using(kind: TermKind, term) -> list[Organisation]:
    if kind.used_by_orders:
        return []
    if kind.link_table is not None:
        table = kind.link_table
        statement = (
            select(Organisation)
            .join(table, table.c.organisation_id == Organisation.id)
            .where(table.c[kind.link_column] == term.id)
        )
    else:
        statement = select(Organisation).where(Organisation.sector_id == term.id)
    return list(db.session.scalars(statement.order_by(Organisation.id)))


def _repoint(kind: TermKind, organisation: Organisation, source, target) -> None:
    if kind.link_table is None:
        setattr(organisation, kind.organisation_attribute, target)
        return
    linked = getattr(organisation, kind.organisation_attribute)
    linked.remove(source)
    if target not in linked:
        linked.append(target)
