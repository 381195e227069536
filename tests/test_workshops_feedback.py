"""The anonymous feedback survey: the four-point scale, one answer per browser,
closing after 30 days, the rate limit, and the summaries staff read."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import FeedbackResponse, utcnow
from app.workshops.display import helsinki_time
from app.platform.surveys import SCALE
from app.workshops.feedback import STATEMENTS, feedback_summary, record_response
from app.workshops.services import (
    OrderDetails,
    PreferredTime,
    confirm,
    mark_held,
    place_order,
)
from tests.clients import once
from tests.test_workshops_helpers import csrf_of, good_dates, seed_themes

HELD_AT = datetime(2026, 2, 10, 14, 0)  # UTC: 16.00 in Helsinki, two hours after the workshop began
GOOD_ANSWERS = {"need": "4", "tools": "3", "facilitation": "4", "recommend": "2"}


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def themes(app):
    return seed_themes(app)


def held_workshop(theme, *, now: datetime = HELD_AT, name: str = "Kuopion Muistiyhdistys ry"):
    """An order placed, confirmed for two hours before `now` and marked held: (order, survey path)."""
    first, second, _third = good_dates()
    details = OrderDetails(
        organisation_name=name, contact_person="Maija", email="maija@example.fi", phone="+358401234567",
        audience=["board"], participants=8, theme_id=theme.id, own_proposal="", goal="Tavoite",
        preferred_times=[PreferredTime(first, "ilta"), PreferredTime(second, "ilta")], place_kind="remote",
    )
    order, _token = place_order(details, now=now - timedelta(days=40))
    start = (helsinki_time(now) - timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    # The start follows the clock of the test run, so it may fall outside working hours.
    confirm(order, start, "", "https://meet.example/x", "Outi", "staff", override_reason="testi",
            now=now - timedelta(days=30))
    link = mark_held(order, "staff", now=now)
    db.session.commit()
    return order, link.removeprefix("http://portal.test")


@pytest.fixture
def survey_path(app, themes):
    """A survey opened an hour ago, so it is open for the requests of the test."""
    _order, path = held_workshop(themes[0], now=utcnow() - timedelta(hours=1))
    return path


def answer(client, path, answers, open_answer=""):
    page = client.get(path)
    return client.post(path, data=once({**answers, "open_answer": open_answer, "csrf_token": csrf_of(page)}))


def test_the_survey_asks_four_statements_on_the_four_point_scale(client, survey_path):
    page = client.get(survey_path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.text.count("<fieldset") == len(STATEMENTS) == 4
    for statement in ("Työpaja vastasi tarpeeseemme", "Saimme työkaluja, joita käytämme", "Ohjaus toimi hyvin",
                      "Suosittelisin työpajaa muille"):
        assert f"<legend>{statement}</legend>" in page.text
    for label in ("täysin eri mieltä", "jokseenkin eri mieltä", "jokseenkin samaa mieltä", "täysin samaa mieltä"):
        assert page.text.count(f">{label}</label>") == 4
    assert page.text.count('type="radio"') == 16
    assert "Mitä muuta haluat sanoa?" in page.text


def test_one_answer_per_browser_session(client, survey_path):
    token = csrf_of(client.get(survey_path))
    data = once({**GOOD_ANSWERS, "open_answer": "Kiitos, tosi hyödyllinen.", "csrf_token": token})
    sent = client.post(survey_path, data=data)
    assert sent.status_code == 303 and sent.headers["Location"] == survey_path
    thanks = client.get(survey_path)
    assert "Kiitos palautteesta" in thanks.text and "<form" not in thanks.text.split("<main", 1)[1]
    again = client.post(survey_path, data=data)
    assert again.status_code == 303 and again.headers["Location"] == survey_path
    another_form = client.post(survey_path, data=once(data))
    assert another_form.status_code == 200 and "kerran" in another_form.text
    [response] = db.session.scalars(select(FeedbackResponse)).all()
    assert response.answers == {"need": 4, "tools": 3, "facilitation": 4, "recommend": 2}
    assert response.open_answer == "Kiitos, tosi hyödyllinen."


INVALID_ANSWERS = {
    "a statement unanswered": ({**GOOD_ANSWERS, "tools": None}, ["tools"]),
    "nothing answered": ({}, list(STATEMENTS)),
    "five points": ({**GOOD_ANSWERS, "need": "5"}, ["need"]),
    "zero points": ({**GOOD_ANSWERS, "recommend": "0"}, ["recommend"]),
    "not a number": ({**GOOD_ANSWERS, "facilitation": "hyvä"}, ["facilitation"]),
}


@pytest.mark.parametrize(("answers", "failing"), INVALID_ANSWERS.values(), ids=INVALID_ANSWERS.keys())
def test_every_statement_needs_one_of_the_four_points(client, survey_path, answers, failing):
    sent = answer(client, survey_path, {k: v for k, v in answers.items() if v is not None}, "Jäi kesken")
    assert sent.status_code == 422
    for key in STATEMENTS:
        assert (f'id="{key}-virhe"' in sent.text) == (key in failing)
    assert "Valitse yksi neljästä vaihtoehdosta." in sent.text
    assert "Jäi kesken" in sent.text
    assert db.session.scalar(select(func.count(FeedbackResponse.id))) == 0
    # A refused attempt does not use up the browser's one answer.
    assert answer(client, survey_path, GOOD_ANSWERS).status_code == 303


def test_the_service_refuses_answers_outside_the_scale(themes):
    order, _path = held_workshop(themes[0])
    for bad in ({**{k: 4 for k in STATEMENTS}, "need": 5}, {"need": 4}, {**{k: 1 for k in STATEMENTS}, "extra": 1}):
        with pytest.raises(ValueError):
            record_response(order.survey, bad, now=HELD_AT + timedelta(days=1))
    with pytest.raises(ValueError, match="closed"):
        record_response(order.survey, {k: 4 for k in STATEMENTS}, now=HELD_AT + timedelta(days=30))


def test_a_closed_survey_answers_politely(client, themes):
    _order, path = held_workshop(themes[0])  # held in February 2026: closed 30 days later
    page = client.get(path)
    assert page.status_code == 410
    assert "Palautekysely on suljettu" in page.text and "<fieldset" not in page.text
    assert client.post(path, data=once(GOOD_ANSWERS)).status_code in (400, 410)
    assert db.session.scalar(select(func.count(FeedbackResponse.id))) == 0


def test_an_unknown_survey_link_is_not_found(client, survey_path):
    assert client.get(survey_path[:-2] + "xx").status_code == 404


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True}])
def test_answers_are_rate_limited(app, survey_path):
    from app.workshops.routes import FEEDBACK_PER_IP

    allowed = int(FEEDBACK_PER_IP.split()[0])
    statuses = [app.test_client().post(survey_path, data={}).status_code for _ in range(allowed + 1)]
    assert statuses[:allowed] == [422] * allowed
    assert statuses[-1] == 429


def test_summaries_per_workshop_per_theme_and_overall(themes):
    first, _ = held_workshop(themes[0])
    second, _ = held_workshop(themes[1], name="Varkauden Omaishoitajat ry")
    answered = HELD_AT + timedelta(days=2)
    record_response(first.survey, {k: 4 for k in STATEMENTS}, "Hyvä", now=answered)
    record_response(first.survey, {k: 3 for k in STATEMENTS}, now=answered)
    record_response(second.survey, {k: 1 for k in STATEMENTS}, "Liian nopea tahti", now=answered)
    db.session.commit()

    overall = feedback_summary()
    assert overall.response_count == 3
    assert all(s.counts == {1: 1, 2: 0, 3: 1, 4: 1} for s in overall.statements)
    assert {(a.text, a.reference) for a in overall.open_answers} == {
        ("Hyvä", first.reference), ("Liian nopea tahti", second.reference)
    }
    per_theme = feedback_summary(theme=themes[1])
    assert per_theme.response_count == 1 and per_theme.statements[0].counts[1] == 1
    per_order = feedback_summary(order=first)
    assert per_order.statements[0].mean == 3.5
    assert feedback_summary(theme=themes[2]).response_count == 0
    assert feedback_summary(theme=themes[2]).statements[0].mean is None

    chart = str(per_order.statements[0].chart("tarve"))
    assert "<title id=\"tarve-otsikko\">Työpaja vastasi tarpeeseemme</title>" in chart
    for label in SCALE.values():
        assert str(label) in chart
