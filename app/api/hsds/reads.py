"""What the HSDS API and export read: published organisations, found by the one search, a page at a time."""
import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.api.hsds.records import ACCESSIBILITY_FIELDS, derived_id
from app.extensions import db
from app.models import Activity, Need, Organisation
from app.search.engine import SearchQuery, matching_ids

LOADED = (
    selectinload(Organisation.municipalities),
    selectinload(Organisation.needs),
    selectinload(Organisation.activities),
    selectinload(Organisation.phones),
    selectinload(Organisation.parent),
)


@dataclass
class Page:
    organisations: list[Organisation]
    total: int
    page: int
    per_page: int

    @property
    def total_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def term_by_uuid(term_uuid: str) -> Need | Activity | None:
    # UUIDs are stored lower-case; a reader may write them in capitals (RFC 9562 allows both).
    term_uuid = term_uuid.lower()
    for model in (Need, Activity):
        term = db.session.scalar(select(model).where(model.uuid == term_uuid))
        if term is not None:
            return term
    return None


# The organisations records.has_location() gives a location, as a condition on the table.
HAS_LOCATION = or_(
    Organisation.street_address != "",
    Organisation.accessibility_notes != "",
    *(getattr(Organisation, field) != "unknown" for field, _label in ACCESSIBILITY_FIELDS),
)


def find_organisations(text: str, terms: list[Need | Activity], modified_after: datetime | None,
                       page: int, per_page: int, *, with_location: bool = False) -> Page:
    """Published organisations in the search's order (A–Z without text), narrowed by modification time
    and, for the services at locations, to those with a location."""
    query = SearchQuery(
        text=text,
        need_ids=[t.id for t in terms if isinstance(t, Need)],
        activity_ids=[t.id for t in terms if isinstance(t, Activity)],
    )
    ids = matching_ids(query)
    conditions = [Organisation.updated_at >= modified_after] if modified_after is not None else []
    conditions += [HAS_LOCATION] if with_location else []
    if conditions and ids:
        kept = set(db.session.scalars(select(Organisation.id).where(Organisation.id.in_(ids), *conditions)))
        ids = [i for i in ids if i in kept]
    chosen = ids[(page - 1) * per_page: page * per_page]
    loaded = {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(chosen)).options(*LOADED))}
    return Page([loaded[i] for i in chosen if i in loaded], len(ids), page, per_page)


def published_by_uuid(organisation_uuid: str) -> Organisation | None:
    return db.session.scalar(
        select(Organisation)
        .where(Organisation.uuid == organisation_uuid.lower(), Organisation.status == "published")
        .options(*LOADED)
    )


def published_by_derived_id(derived: str, kind: str) -> Organisation | None:
    """The published organisation whose `kind` record (e.g. its service) has this id.

    A uuid5 cannot be turned back, so the ids of every published organisation's
    record are computed: about a millisecond per thousand organisations.
    """
    derived = derived.lower()
    for organisation_id, organisation_uuid in db.session.execute(
        select(Organisation.id, Organisation.uuid).where(Organisation.status == "published")
    ):
        if derived_id(organisation_uuid, kind) == derived:
            return db.session.scalar(select(Organisation).where(Organisation.id == organisation_id).options(*LOADED))
    return None


def published_organisations_in_batches(size: int = 500):
    """Every published organisation, loaded with its links, in id order a batch at a time (the export)."""
    last_id = 0
    while True:
        batch = list(db.session.scalars(
            select(Organisation)
            .where(Organisation.status == "published", Organisation.id > last_id)
            .order_by(Organisation.id)
            .limit(size)
            .options(*LOADED)
        ))
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


def all_terms() -> list[Activity | Need]:
    activities = list(db.session.scalars(select(Activity).order_by(Activity.position, Activity.name)))
    return [*activities, *db.session.scalars(select(Need).order_by(Need.name))]
