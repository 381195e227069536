"""The four-point feedback survey that workshops and events share: the scale, one
statement's answer field, and what staff read from the answers (charts, table, CSV).

Each feature keeps its own statements and its own way to find the answers;
everything about the scale and the summaries is here, so a workshop and an
event are read and compared the same way.
"""
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l
from markupsafe import Markup
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError as FieldError

from app.platform.charts import horizontal_bars
from app.platform.csv_export import csv_text

OPEN_ANSWER_MAX = 2000
SCALE = {
    1: _l("täysin eri mieltä"),
    2: _l("jokseenkin eri mieltä"),
    3: _l("jokseenkin samaa mieltä"),
    4: _l("täysin samaa mieltä"),
}


def _answer_on_scale(form, field):
    if field.data not in {str(point) for point in SCALE}:
        raise FieldError(_("Valitse yksi neljästä vaihtoehdosta."))


def statement_field(statement) -> RadioField:
    """One statement as a fieldset of the four scale points."""
    return RadioField(
        statement, choices=[SelectChoice(str(point), label) for point, label in SCALE.items()],
        validate_choice=False, validators=[_answer_on_scale],
    )


def check_answers(answers: dict[str, int], keys: Iterable[str]) -> None:
    """Every statement answered on the scale and nothing else; ValueError otherwise."""
    if set(answers) != set(keys) or any(value not in SCALE for value in answers.values()):
        raise ValueError("every statement needs an answer from 1 to 4")


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
    reference: str  # what the answer is about: a workshop's reference code, an event's title
    created_at: datetime


@dataclass
class FeedbackSummary:
    response_count: int
    statements: list[StatementSummary]
    open_answers: list[OpenAnswer] = field(default_factory=list)


@dataclass
class Answered:
    """One stored response as the summary needs it."""

    answers: dict[str, int]
    open_answer: str
    reference: str
    created_at: datetime


def summarise(statements: Sequence[tuple[str, str]], responses: Iterable[Answered]) -> FeedbackSummary:
    """Per statement (key, text), how many answered each point of the scale; and the open answers.

    A key answered but not among `statements` (a statement since removed) gets
    its own row after them, named by its key.
    """
    rows = {key: StatementSummary(key, text, {point: 0 for point in SCALE}) for key, text in statements}
    open_answers, count = [], 0
    for response in responses:
        count += 1
        for key, point in response.answers.items():
            if point not in SCALE:
                continue
            if key not in rows:
                rows[key] = StatementSummary(key, key, {p: 0 for p in SCALE})
            rows[key].counts[point] += 1
        if response.open_answer:
            open_answers.append(OpenAnswer(response.open_answer, response.reference, response.created_at))
    return FeedbackSummary(count, list(rows.values()), open_answers)


def overall_mean(answer_sets: Iterable[dict[str, int]]) -> tuple[int, float | None]:
    """(responses, mean of every answer to every statement): one figure to compare surveys by."""
    responses, points, total = 0, 0, 0
    for answers in answer_sets:
        responses += 1
        for point in answers.values():
            if point in SCALE:
                points += 1
                total += point
    return responses, (total / points if points else None)


def format_mean(value: float | None) -> str:
    """A mean with two decimals and a decimal comma; – when nobody answered."""
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


def summary_csv(summary: FeedbackSummary) -> str:
    """The summary as CSV for a spreadsheet: one row per statement, counts per scale point, the mean."""
    header = [_("Väittämä")] + [f"{point} {SCALE[point]}" for point in SCALE] + [_("Vastauksia"), _("Keskiarvo")]
    rows = [
        [str(statement.text), *map(str, statement.counts.values()), str(statement.total),
         "" if statement.mean is None else format_mean(statement.mean)]
        for statement in summary.statements
    ]
    return csv_text(header, rows)
