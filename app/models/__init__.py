"""All models, importable from one place (Alembic needs them all loaded)."""
from app.models.account import LoginToken, UserSession
from app.models.base import Base, utcnow
from app.models.claim import CLAIM_STATUSES, AccessClaim
from app.models.contact import ERROR_REPORT_STATUSES, PREFERRED_CHANNELS, ContactRequest, ErrorReport, SharedTray
from app.models.draft import OrganisationDraft
from app.models.event import Event, EventFeedbackResponse, EventSession, EventSignup
from app.models.mail import OutboxMessage
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
from app.models.ratelimit import RateLimitCounter
from app.models.revision import Revision
from app.models.search import SearchDocument, SearchMeta
from app.models.staff import AuditEvent, StaffUser
from app.models.submission import FormSubmission
from app.models.taxonomy import Activity, Municipality, Need, Sector
from app.models.workshop import (
    FeedbackResponse,
    FeedbackSurvey,
    WorkshopOrder,
    WorkshopSlot,
    WorkshopStatusChange,
    WorkshopTheme,
)

__all__ = [
    "AccessClaim", "CLAIM_STATUSES",
    "FormSubmission",
    "RateLimitCounter",
    "ContactRequest", "ERROR_REPORT_STATUSES", "ErrorReport", "PREFERRED_CHANNELS", "SharedTray",
    "Activity", "Base", "LANGUAGES", "LoginToken", "Municipality", "Need", "ORG_TYPES",
    "Organisation", "OrganisationDraft", "OutboxMessage", "UserSession",
    "OrganisationContact", "OrganisationKeyword", "OrganisationPhone", "Revision", "STATUSES",
    "SearchDocument", "SearchMeta", "Sector", "TRISTATE", "organisation_activity", "organisation_municipality",
    "organisation_need", "sort_key", "utcnow",
    "AuditEvent", "StaffUser",
    "Event", "EventFeedbackResponse", "EventSession", "EventSignup",
    "FeedbackResponse", "FeedbackSurvey", "WorkshopOrder", "WorkshopSlot", "WorkshopStatusChange", "WorkshopTheme",
]
