"""All models, importable from one place (Alembic needs them all loaded)."""
from app.models.base import Base, utcnow
from app.models.organisation import (
    LANGUAGES,
    ORG_TYPES,
    STATUSES,
    TRISTATE,
    Organisation,
    OrganisationContact,
    OrganisationKeyword,
    OrganisationPhone,
    organisation_activity,
    organisation_municipality,
    organisation_need,
    sort_key,
)
from app.models.revision import Revision
from app.models.search import SearchDocument, SearchMeta
from app.models.taxonomy import Activity, Municipality, Need, Sector

__all__ = [
    "Activity", "Base", "LANGUAGES", "Municipality", "Need", "ORG_TYPES", "Organisation",
    "OrganisationContact", "OrganisationKeyword", "OrganisationPhone", "Revision", "STATUSES",
    "SearchDocument", "SearchMeta", "Sector", "TRISTATE", "organisation_activity", "organisation_municipality",
    "organisation_need", "sort_key", "utcnow",
]
