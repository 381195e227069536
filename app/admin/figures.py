"""The directory's figures, for staff and for the public statistics page: plain query
functions returning rows.  What happened in a period (contact requests, workshop orders)
is app/admin/period_figures.py.

Counts of organisations cover published organisations only.  A nationwide
organisation is counted once on its own row, "Koko Suomi", and not in the rows
of the municipalities it may also list, so no organisation is counted twice in
a municipality table.

The admin-only figures (volunteers, members, volunteer hours) are sums over the
organisations that reported them; a cell based on fewer than
`MIN_ORGANISATIONS` organisations is None ("suppressed"), so no single small
association's figures can be read from a table.
"""
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import Select, and_, distinct, func, select

from app.directory.reads import all_municipalities
from app.extensions import db
from app.models import (
    Activity,
    Need,
    Organisation,
    Sector,
    organisation_activity,
    organisation_municipality,
    organisation_need,
    sort_key,
)
from app.platform.i18n import current_language

MIN_ORGANISATIONS = 3


class Count(NamedTuple):
    label: str
    count: int


class NeedCount(NamedTuple):
    name: str
    group: str
    count: int


class ActivityMatrix(NamedTuple):
    """Published organisations per activity (rows) and municipality (columns)."""

    activities: list[str]
    municipalities: list[str]  # the last one is "Koko Suomi"
    counts: list[list[int]]  # counts[activity][municipality]


class FigureRow(NamedTuple):
    """Admin-only figures of one group; None marks a suppressed cell."""

    label: str
    organisations: int | None
    volunteers: int | None
    members: int | None
    volunteer_hours: int | None


def _published():
    # A soft-deleted organisation is gone for statistics even before it is purged.
    return and_(Organisation.status == "published", Organisation.deleted_at.is_(None))


def _nationwide_label() -> str:
    """The label of the nationwide organisations' row in municipality tables."""
    return _("Koko Suomi")


def _municipalities() -> list[tuple[int, str]]:
    """(id, name in the page's language) of every municipality, A–Z."""
    return [(municipality.id, municipality.label) for municipality in all_municipalities()]


def _local_links() -> Select:
    """(organisation_id, municipality_id) of published organisations that are not nationwide."""
    return (
        select(organisation_municipality.c.organisation_id, organisation_municipality.c.municipality_id)
        .join(Organisation, Organisation.id == organisation_municipality.c.organisation_id)
        .where(_published(), Organisation.nationwide.is_(False))
    )


def _nationwide_count() -> int:
    return db.session.scalar(select(func.count(Organisation.id)).where(_published(), Organisation.nationwide.is_(True)))


def organisations_per_municipality() -> list[Count]:
    """Every municipality A–Z with its local organisations, then the nationwide ones."""
    links = _local_links().subquery()
    counts = dict(
        db.session.execute(
            select(links.c.municipality_id, func.count(distinct(links.c.organisation_id))).group_by(
                links.c.municipality_id
            )
        ).all()
    )
    rows = [Count(name, counts.get(municipality_id, 0)) for municipality_id, name in _municipalities()]
    rows.append(Count(_nationwide_label(), _nationwide_count()))
    return rows


def organisations_per_activity() -> list[Count]:
    """Every activity in its own order with the number of published organisations offering it."""
    statement = (
        select(Activity, func.count(Organisation.id))
        .select_from(Activity)
        .outerjoin(organisation_activity, organisation_activity.c.activity_id == Activity.id)
        .outerjoin(Organisation, and_(Organisation.id == organisation_activity.c.organisation_id, _published()))
        .group_by(Activity.id, Activity.name, Activity.position)
        .order_by(Activity.position, Activity.name)
    )
    return [Count(activity.label, count) for activity, count in db.session.execute(statement)]


def organisations_per_need_group() -> list[Count]:
    """Each need group with the number of published organisations having any need of it."""
    language = current_language()
    group = getattr(Need, f"group_{language}") if language != "fi" else Need.group
    # An untranslated group is named in Finnish (the translation is empty).
    label = func.coalesce(func.nullif(group, ""), Need.group)
    statement = (
        select(label, func.count(distinct(Organisation.id)))
        .select_from(Need)
        .outerjoin(organisation_need, organisation_need.c.need_id == Need.id)
        .outerjoin(Organisation, and_(Organisation.id == organisation_need.c.organisation_id, _published()))
        .group_by(label)
    )
    rows = [Count(name, count) for name, count in db.session.execute(statement)]
    return sorted(rows, key=lambda row: sort_key(row.label))


def need_counts() -> list[NeedCount]:
    """Every need with the number of published organisations for it, fewest first, then A–Z."""
    statement = (
        select(Need, func.count(Organisation.id))
        .select_from(Need)
        .outerjoin(organisation_need, organisation_need.c.need_id == Need.id)
        .outerjoin(Organisation, and_(Organisation.id == organisation_need.c.organisation_id, _published()))
        .group_by(Need.id)
    )
    rows = [NeedCount(need.label, need.translated("group"), count) for need, count in db.session.execute(statement)]
    return sorted(rows, key=lambda row: (row.count, sort_key(row.name)))


def need_gaps(max_count: int = 2) -> list[NeedCount]:
    """Needs that no organisation or only a few (at most `max_count`) cover: the gaps in the offer."""
    return [row for row in need_counts() if row.count <= max_count]


def activities_by_municipality() -> ActivityMatrix:
    """Published organisations offering each activity in each municipality, plus nationwide ones."""
    activities = [
        (activity.id, activity.label)
        for activity in db.session.scalars(select(Activity).order_by(Activity.position, Activity.name))
    ]
    municipalities = _municipalities()
    links = _local_links().subquery()
    local = {
        (activity_id, municipality_id): count
        for activity_id, municipality_id, count in db.session.execute(
            select(organisation_activity.c.activity_id, links.c.municipality_id, func.count(distinct(links.c.organisation_id)))
            .join(links, links.c.organisation_id == organisation_activity.c.organisation_id)
            .group_by(organisation_activity.c.activity_id, links.c.municipality_id)
        )
    }
    nationwide = dict(
        db.session.execute(
            select(organisation_activity.c.activity_id, func.count(Organisation.id))
            .join(Organisation, Organisation.id == organisation_activity.c.organisation_id)
            .where(_published(), Organisation.nationwide.is_(True))
            .group_by(organisation_activity.c.activity_id)
        ).all()
    )
    counts = [
        [local.get((activity_id, municipality_id), 0) for municipality_id, _name in municipalities]
        + [nationwide.get(activity_id, 0)]
        for activity_id, _name in activities
    ]
    return ActivityMatrix(
        activities=[name for _id, name in activities],
        municipalities=[name for _id, name in municipalities] + [_nationwide_label()],
        counts=counts,
    )


def _figure_columns(organisation_id):
    """Aggregates of one group: its organisations, and per figure its sum and how many reported it."""
    return (
        func.count(distinct(organisation_id)),
        func.sum(Organisation.volunteer_count),
        func.count(Organisation.volunteer_count),
        func.sum(Organisation.member_count),
        func.count(Organisation.member_count),
        func.sum(Organisation.volunteer_hours_per_year),
        func.count(Organisation.volunteer_hours_per_year),
    )


def _suppressed(value: int | None, organisations: int) -> int | None:
    return None if organisations < MIN_ORGANISATIONS else int(value or 0)


def _figure_row(label: str, aggregates) -> FigureRow:
    if aggregates is None:
        return FigureRow(label, 0, None, None, None)
    organisations, volunteers, n_volunteers, members, n_members, hours, n_hours = aggregates
    return FigureRow(
        label=label,
        # Zero organisations reveals nothing; one or two would point at them.
        organisations=organisations if organisations == 0 or organisations >= MIN_ORGANISATIONS else None,
        volunteers=_suppressed(volunteers, n_volunteers),
        members=_suppressed(members, n_members),
        volunteer_hours=_suppressed(hours, n_hours),
    )


def admin_figures_by_sector() -> list[FigureRow]:
    """Volunteers, members and volunteer hours per sector (toimiala), small cells suppressed.

    Organisations without a sector get their own row at the end when there are any.
    """
    statement = (
        select(Organisation.sector_id, *_figure_columns(Organisation.id))
        .where(_published())
        .group_by(Organisation.sector_id)
    )
    by_sector = {row[0]: tuple(row[1:]) for row in db.session.execute(statement)}
    sectors = db.session.scalars(select(Sector).order_by(Sector.position, Sector.name))
    rows = [_figure_row(sector.label, by_sector.get(sector.id)) for sector in sectors]
    if None in by_sector:
        rows.append(_figure_row(_("Toimiala puuttuu"), by_sector[None]))
    return rows


def admin_figures_by_municipality() -> list[FigureRow]:
    """Volunteers, members and volunteer hours per municipality and for "Koko Suomi", small cells suppressed."""
    links = _local_links().subquery()
    statement = (
        select(links.c.municipality_id, *_figure_columns(Organisation.id))
        .join(Organisation, Organisation.id == links.c.organisation_id)
        .group_by(links.c.municipality_id)
    )
    by_municipality = {row[0]: tuple(row[1:]) for row in db.session.execute(statement)}
    rows = [_figure_row(name, by_municipality.get(municipality_id)) for municipality_id, name in _municipalities()]
    nationwide = db.session.execute(
        select(*_figure_columns(Organisation.id)).where(_published(), Organisation.nationwide.is_(True))
    ).one()
    rows.append(_figure_row(_nationwide_label(), tuple(nationwide)))
    return rows
