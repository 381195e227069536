"""The anonymous feedback survey of a held workshop, and what staff read from it.

A survey has one public link for all participants.  The link's token is
derived from the app's secret key and a random nonce kept on the survey, so
staff can show or mail the same link again; only the token's SHA-256 is used
to look the survey up.  Changing SECRET_KEY therefore changes open surveys'
links (the old ones stop working).
"""
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackResponse, FeedbackSurvey, WorkshopOrder, WorkshopTheme, utcnow
from app.platform.surveys import (
    OPEN_ANSWER_MAX,
    Answered,
    FeedbackSummary,
    check_answers,
    summarise,
    summary_csv,
)
from app.platform.tokens import derived_token, hash_token, link_url

SURVEY_OPEN_FOR = timedelta(days=30)
# key → statement; keys are stored in FeedbackResponse.answers, so never renamed.
STATEMENTS = {
    "need": _l("Työpaja vastasi tarpeeseemme"),
    "tools": _l("Saimme työkaluja, joita käytämme"),
    "facilitation": _l("Ohjaus toimi hyvin"),
    "recommend": _l("Suosittelisin työpajaa muille"),
}


def open_survey(order: WorkshopOrder, now: datetime) -> FeedbackSurvey:
    """The order's survey, open from now for SURVEY_OPEN_FOR; flush, no commit."""
    nonce = secrets.token_hex(16)
    survey = FeedbackSurvey(
        order=order,
        nonce=nonce,
        token_hash=hash_token(_survey_token(nonce)),
        opens_at=now,
        closes_at=now + SURVEY_OPEN_FOR,
    )
    db.session.add(survey)
    db.session.flush()
    return survey


def _survey_token(nonce: str) -> str:
    return derived_token("workshop-feedback", nonce)


def feedback_link(survey: FeedbackSurvey) -> str:
    return link_url("workshops.feedback", token=_survey_token(survey.nonce))


def survey_for_token(token: str) -> FeedbackSurvey | None:
    return db.session.scalar(select(FeedbackSurvey).where(FeedbackSurvey.token_hash == hash_token(token)))


def survey_is_open(survey: FeedbackSurvey, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return survey.opens_at <= now < survey.closes_at


def record_response(
    survey: FeedbackSurvey, answers: dict[str, int], open_answer: str = "", *, now: datetime | None = None
) -> FeedbackResponse:
    """Store one participant's answers: every statement on the 1–4 scale; flush, no commit."""
    now = now or utcnow()
    if not survey_is_open(survey, now):
        raise ValueError("the survey is closed")
    check_answers(answers, STATEMENTS)
    response = FeedbackResponse(
        survey=survey,
        answers={key: answers[key] for key in STATEMENTS},
        open_answer=open_answer.strip()[:OPEN_ANSWER_MAX],
        created_at=now,
    )
    db.session.add(response)
    db.session.flush()
    return response


def feedback_summary(order: WorkshopOrder | None = None, theme: WorkshopTheme | None = None,
                     *, own_proposals: bool = False) -> FeedbackSummary:
    """Per statement, how many answered each point of the scale; and the open answers.

    One order, one theme's orders, the orders with an own proposal instead of
    a theme, or (none of these given) every workshop.
    """
    query = (
        select(FeedbackResponse, WorkshopOrder.reference)
        .join(FeedbackSurvey, FeedbackResponse.survey_id == FeedbackSurvey.id)
        .join(WorkshopOrder, FeedbackSurvey.order_id == WorkshopOrder.id)
        .order_by(FeedbackResponse.created_at, FeedbackResponse.id)
    )
    if order is not None:
        query = query.where(WorkshopOrder.id == order.id)
    if own_proposals:
        query = query.where(WorkshopOrder.theme_id.is_(None))
    if theme is not None:
        query = query.where(WorkshopOrder.theme_id == theme.id)
    responses = (
        Answered(response.answers, response.open_answer, reference, response.created_at)
        for response, reference in db.session.execute(query)
    )
    return summarise(list(STATEMENTS.items()), responses)


def feedback_csv(order: WorkshopOrder | None = None, theme: WorkshopTheme | None = None,
                 *, own_proposals: bool = False) -> str:
    """The summary as CSV: one row per statement, counts per scale point, the mean."""
    return summary_csv(feedback_summary(order, theme, own_proposals=own_proposals))
