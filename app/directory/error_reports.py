"""Visitors' reports of wrong details on an organisation page.

A report is a task on the staff dashboard until staff mark it done; the
organisation's contacts get it by mail so they can fix the entry themselves.
"""
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.config import DEFAULT_LANGUAGE
from app.extensions import db
from app.models import ErrorReport, Organisation, utcnow
from app.platform.i18n import in_language
from app.platform.outbox import queue_mail
from app.platform.staff_notices import notice_recipients, notify_staff
from app.platform.submissions import REPEAT_WINDOW
from app.platform.tokens import link_url


def report_error(
    organisation: Organisation, description: str, email: str = "", *, now: datetime | None = None,
) -> ErrorReport | None:
    """Store the report and mail it to the organisation's contacts and to staff; flush, no commit.

    None, and nothing stored or mailed, when the same report on the same organisation
    was filed within REPEAT_WINDOW: Back restores a sent form under a new one-time key.
    """
    now = now or utcnow()
    if _same_report_filed(organisation.id, description, email, now):
        return None
    report = ErrorReport(
        organisation_id=organisation.id, organisation_name=organisation.name,
        description=description, email=email, status="open", created_at=now,
    )
    db.session.add(report)
    db.session.flush()
    addresses = {contact.email for contact in organisation.contacts} or {organisation.email} - {""}
    with in_language(organisation.language):
        # The contacts correct the entry themselves: the link is to signing in.
        sign_in = link_url("accounts.request_link")
        for address in sorted(addresses - set(notice_recipients())):
            queue_mail(address, "error_report", report=report, link=sign_in, for_staff=False)
    with in_language(DEFAULT_LANGUAGE):
        staff_page = link_url("admin.organisation", organisation_id=organisation.id)
    notify_staff("error_report", report=report, link=staff_page, for_staff=True)
    return report


def _same_report_filed(organisation_id: int, description: str, email: str, now: datetime) -> bool:
    return db.session.scalar(select(ErrorReport.id).where(
        ErrorReport.organisation_id == organisation_id, ErrorReport.description == description,
        ErrorReport.email == email, ErrorReport.created_at >= now - REPEAT_WINDOW,
    ).limit(1)) is not None


def open_reports() -> list[ErrorReport]:
    """Reports not yet marked done, the oldest first: the staff dashboard's tasks."""
    return list(db.session.scalars(
        select(ErrorReport).where(ErrorReport.status == "open").order_by(ErrorReport.created_at, ErrorReport.id)
    ))


def mark_done(report_id: int, by: str, *, now: datetime | None = None) -> ErrorReport | None:
    """Close an open report; None when there is no such open report. Flush, no commit."""
    report = db.session.get(ErrorReport, report_id)
    if report is None or report.status != "open":
        return None
    report.status, report.done_at, report.done_by = "done", now or utcnow(), by
    db.session.flush()
    return report


def forget_reporter_addresses(retention_days: int, *, now: datetime | None = None) -> int:
    """Blank the optional reply address of reports older than the retention period; the reports stay."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    return db.session.execute(
        update(ErrorReport).where(ErrorReport.created_at < cutoff, ErrorReport.email != "").values(email="")
    ).rowcount
