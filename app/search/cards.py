"""An organisation as a result list shows it: a few plain values, read without the ORM.

A page of results is twenty short rows.  Loaded as ORM objects with their
municipalities and activities they cost more than the search that found them,
so the cards of a page are read with three plain statements, and the names of the
taxonomy come from the per-process taxonomy (search_query.load_taxonomy).  The search
page, the API's result summaries and its organisation details all describe an
organisation through a card, so they say the same things in the same order.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Column, CompoundSelect, bindparam, literal, select, union_all

from app.extensions import db
from app.models import Organisation, OrganisationPhone
from app.models.base import Translated
from app.models.organisation import organisation_activity, organisation_municipality, organisation_need
from app.search.query import TaxonomyLabels


@dataclass(frozen=True)
class ResultCard(Translated):
    """The public summary of one published organisation; its taxonomy names in the labels' language."""

    id: int
    name: str
    description: str
    description_sv: str
    description_en: str
    nationwide: bool
    paused_until: date | None
    municipalities: tuple[str, ...]
    activities: tuple[str, ...]
    needs: tuple[str, ...]
    meeting_times: str = ""
    # The first listed phone (E.164) and its role: what a nurse calls without opening the page.
    phone: str = ""
    phone_role: str = ""

    @classmethod
    def of(cls, organisation: Organisation, labels: TaxonomyLabels) -> "ResultCard":
        """The card of an organisation already loaded with its links."""
        return cls(
            id=organisation.id,
            name=organisation.name,
            description=organisation.description,
            description_sv=organisation.description_sv,
            description_en=organisation.description_en,
            nationwide=organisation.nationwide,
            paused_until=organisation.paused_until,
            municipalities=labels.names(labels.municipalities, {m.id for m in organisation.municipalities}),
            activities=labels.names(labels.activities, {a.id for a in organisation.activities}),
            needs=labels.names(labels.needs, {n.id for n in organisation.needs}),
            meeting_times=organisation.meeting_times or "",
            phone=organisation.phones[0].number if organisation.phones else "",
            phone_role=organisation.phones[0].role if organisation.phones else "",
        )


# Which link a row of the links statement is: a municipality, an activity or a need.
_MUNICIPALITY = ("m", organisation_municipality.c.municipality_id)
_ACTIVITY = ("a", organisation_activity.c.activity_id)
_NEED = ("n", organisation_need.c.need_id)


def _links_of(*links: tuple[str, Column]) -> CompoundSelect:
    """(organisation id, letter of the link, linked id) of the organisations :ids."""
    return union_all(*(
        select(column.table.c.organisation_id, literal(letter), column).where(
            column.table.c.organisation_id.in_(bindparam("ids", expanding=True))
        )
        for letter, column in links
    ))


# Built once, as Core statements on the tables: building a statement cost more than
# running it, and an ORM select of columns 40 µs more than the same on the table.
_ORGANISATION = Organisation.__table__.c
_CARDS = select(
    _ORGANISATION.id, _ORGANISATION.name, _ORGANISATION.description, _ORGANISATION.description_sv,
    _ORGANISATION.description_en, _ORGANISATION.nationwide,
    _ORGANISATION.paused_until, _ORGANISATION.meeting_times,
).where(_ORGANISATION.id.in_(bindparam("ids", expanding=True)), _ORGANISATION.status == "published")
_LINKS = _links_of(_MUNICIPALITY, _ACTIVITY, _NEED)
_PHONE = OrganisationPhone.__table__.c
# Every phone of the page's organisations, the first of each last, so a dict keeps it.
_PHONES = select(_PHONE.organisation_id, _PHONE.number, _PHONE.role).where(
    _PHONE.organisation_id.in_(bindparam("ids", expanding=True))
).order_by(_PHONE.position.desc(), _PHONE.id.desc())


def load_cards(ids: list[int], labels: TaxonomyLabels) -> list[ResultCard]:
    """The published organisations among `ids`, in the order of `ids`."""
    if not ids:
        return []
    params = {"ids": list(ids)}
    linked: dict[tuple[int, str], set[int]] = {}
    for organisation_id, letter, linked_id in db.session.execute(_LINKS, params):
        linked.setdefault((organisation_id, letter), set()).add(linked_id)
    phones = {organisation_id: (number, role) for organisation_id, number, role in db.session.execute(_PHONES, params)}
    cards = {
        row.id: ResultCard(
            id=row.id,
            name=row.name,
            description=row.description,
            description_sv=row.description_sv,
            description_en=row.description_en,
            nationwide=row.nationwide,
            paused_until=row.paused_until,
            municipalities=labels.names(labels.municipalities, linked.get((row.id, "m"), set())),
            activities=labels.names(labels.activities, linked.get((row.id, "a"), set())),
            needs=labels.names(labels.needs, linked.get((row.id, "n"), set())),
            meeting_times=row.meeting_times or "",
            phone=phones.get(row.id, ("", ""))[0],
            phone_role=phones.get(row.id, ("", ""))[1],
        )
        for row in db.session.execute(_CARDS, params)
    }
    return [cards[i] for i in ids if i in cards]
