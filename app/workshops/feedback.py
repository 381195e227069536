"""The anonymous feedback survey of a held workshop, and what staff read from it.

A survey has one public link for all participants.  The link's token is
derived from the app's secret key and a random nonce kept on the survey, so
staff can show or mail the same link again; only the token's SHA-256 is used
to look the survey up.  Changing SECRET_KEY therefore changes open surveys'
links (the old ones stop working).
"""
import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackResponse, FeedbackSurvey, WorkshopOrder, WorkshopTheme, utcnow
from app.platform.charts import horizontal_bars
from app.platform.tokens import derived_token, hash_token, link_url

SURVEY_OPEN_FOR = timedelta(days=30)
OPEN_ANSWER_MAX = 2000
# key → statement; keys are stored in FeedbackResponse.answers, so never renamed.
STATEMENTS = {
    "need": _l("Työpaja vastasi tarpeeseemme"),
    "tools": _l("Saimme työkaluja, joita käytämme"),
    "facilitation": _l("Ohjaus toimi hyvin"),
    "recommend": _l("Suosittelisin työpajaa muille"),
}
SCALE = {
    1: _l("täysin eri mieltä"),
    2: _l("jokseenkin eri mieltä"),
    3: _l("jokseenkin samaa mieltä"),
    4: _l("täysin samaa mieltä"),
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
    if set(answers) != set(STATEMENTS) or any(value not in SCALE for value in answers.values()):
        raise ValueError("every statement needs an answer from 1 to 4")
    response = FeedbackResponse(
        survey=survey,
        answers={key: answers[key] for key in STATEMENTS},
        open_answer=open_answer.strip()[:OPEN_ANSWER_MAX],
        created_at=now,
    )
    db.session.add(response)
    db.session.flush()
    return response


@dataclass
class StatementSummary:
    key: str
    text: str
    counts: dict[int, int]  # scale point → answers

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        if not self.total:
            return None
        return sum(point * count for point, count in self.counts.items()) / self.total

    def chart(self, chart_id: str) -> Markup:
        return horizontal_bars(
            [(str(SCALE[point]), count) for point, count in self.counts.items()],
            title=str(self.text),
            chart_id=chart_id,
            max_value=max(self.total, 1),
        )


@dataclass
class OpenAnswer:
    text: str
    reference: str
    created_at: datetime


@dataclass
class FeedbackSummary:
    response_count: int
    statements: list[StatementSummary]
    open_answers: list[OpenAnswer] = field(default_factory=list)


def feedback_summary(order: WorkshopOrder | None = None, theme: WorkshopTheme | None = None) -> FeedbackSummary:
    """Per statement, how many answered each point of the scale; and the open answers.

    One order, one theme's orders, or (neither given) every workshop.
    """
    query = (
        select(FeedbackResponse, WorkshopOrder.reference)
        .join(FeedbackSurvey, FeedbackResponse.survey_id == FeedbackSurvey.id)
        .join(WorkshopOrder, FeedbackSurvey.order_id == WorkshopOrder.id)
        .order_by(FeedbackResponse.created_at, FeedbackResponse.id)
    )
    if order is not None:
        query = query.where(WorkshopOrder.id == order.id)
    if theme is not None:
        query = query.where(WorkshopOrder.theme_id == theme.id)
    rows = db.session.execute(query).all()
    statements = [StatementSummary(key, text, {point: 0 for point in SCALE}) for key, text in STATEMENTS.items()]
    open_answers = []
    for response, reference in rows:
        for statement in statements:
            point = response.answers.get(statement.key)
            if point in SCALE:
                statement.counts[point] += 1
        if response.open_answer:
            open_answers.append(OpenAnswer(response.open_answer, reference, response.created_at))
    return FeedbackSummary(len(rows), statements, open_answers)


def feedback_csv(order: WorkshopOrder | None = None, theme: WorkshopTheme | None = None) -> str:
    """The summary as CSV for a spreadsheet: one row per statement, counts per scale point.

    Semicolons and decimal commas, as Finnish spreadsheet programs expect.
    """
    summary = feedback_summary(order, theme)
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [str(_l("Väittämä"))] + [f"{point} {SCALE[point]}" for point in SCALE]
        + [str(_l("Vastauksia")), str(_l("Keskiarvo"))]
    )
    for statement in summary.statements:
        mean = "" if statement.mean is None else f"{statement.mean:.2f}".replace(".", ",")
        writer.writerow([str(statement.text), *statement.counts.values(), statement.total, mean])
    return output.getvalue()
