"""Staff's view of the directory: every organisation in every status, filtered.

The same filter drives the admin list and "send an edit request to all
matching", so what staff see is exactly who gets the message.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from app.directory.freshness import stale_condition
from app.extensions import db
from app.models import Organisation, OrganisationContact, organisation_municipality, utcnow
from app.platform.validation import contains_pattern, database_id, list_page

STATUS_LABELS = {
    "pending": _l("Odottaa hyväksyntää"),
    "published": _l("Julkaistu"),
    "hidden": _l("Piilotettu"),
    "rejected": _l("Hylätty"),
    "deleted": _l("Poistettu"),
}
PAGE_SIZE = 50
MAX_TEXT = 200


@dataclass
class OrganisationFilter:
    text: str = ""
    status: str = ""
    municipality_id: int | None = None
    stale: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args: MultiDict) -> "OrganisationFilter":
        """Tolerant: values that do not parse are ignored."""
        status = args.get("tila", "")
        return cls(
            text=args.get("q", "").strip()[:MAX_TEXT],
            status=status if status in STATUS_LABELS else "",
            municipality_id=database_id(args.get("kunta")),
            stale=args.get("vanhentunut") == "1",
            page=list_page(args.get("sivu")),
        )

    def to_args(self, **changes) -> dict[str, str]:
        values = {
            "q": self.text,
            "tila": self.status,
            "kunta": str(self.municipality_id or ""),
            "vanhentunut": "1" if self.stale else "",
            "sivu": str(self.page) if self.page > 1 else "",
        }
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value}

    @property
    def is_empty(self) -> bool:
        return not (self.text or self.status or self.municipality_id or self.stale)


def filtered_query(selection: OrganisationFilter, *, now: datetime | None = None) -> Select:
    query = select(Organisation)
    if selection.status == "deleted":
        query = query.where(Organisation.deleted_at.is_not(None))
    else:
        # Deleted organisations wait for the purge out of sight, unless asked for.
        query = query.where(Organisation.deleted_at.is_(None))
        if selection.status:
            query = query.where(Organisation.status == selection.status)
    if selection.municipality_id:
        query = query.where(
            exists().where(
                organisation_municipality.c.organisation_id == Organisation.id,
                organisation_municipality.c.municipality_id == selection.municipality_id,
            )
        )
    if selection.stale:
        # Only published entries can be stale: reminders go to those alone.
        query = query.where(Organisation.status == "published", stale_condition(now or utcnow()))
    if selection.text:
        pattern = contains_pattern(selection.text)
        query = query.where(
            or_(
                Organisation.name.ilike(pattern, escape="\\"),
                exists().where(
                    OrganisationContact.organisation_id == Organisation.id,
                    OrganisationContact.email.ilike(pattern, escape="\\"),
                ),
            )
        )
    return query.order_by(Organisation.sort_name, Organisation.id)


def filtered_page(selection: OrganisationFilter, per_page: int = PAGE_SIZE) -> Pagination:
    # The list shows each organisation's number of contacts: load them in one query.
    query = filtered_query(selection).options(selectinload(Organisation.contacts))
    return db.paginate(query, page=selection.page, per_page=per_page, error_out=False, count=True)


def matching_ids(selection: OrganisationFilter) -> list[int]:
    """Every organisation the filter matches, on all pages."""
    query = filtered_query(selection).with_only_columns(Organisation.id)
    return list(db.session.scalars(query))


def organisations_by_ids(ids: list[int]) -> list[Organisation]:
    if not ids:
        return []
    return list(
        db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.sort_name))
    )
