"""The statistics page's figures for the centre's reporting, for a chosen year: events and
workshops per quarter, participants by organisation and municipality, and the feedback of
workshops and events side by side and per quarter — each a table, an SVG chart and a CSV."""
from datetime import datetime, time

import pytest
from sqlalchemy import select
from tests.admin_support import make_staff, sign_in_staff
from tests.test_events_feedback import confirmed, held_event
from tests.test_statistics import page_tables, read_csv
from tests.test_workshops_feedback import held_workshop
from tests.test_workshops_helpers import seed_themes

from app.admin import impact
from app.events.feedback import DEFAULT_STATEMENTS, mark_attendance, record_answer
from app.extensions import db
from app.models import AuditEvent, Event
from app.workshops.feedback import STATEMENTS, record_response

YEAR = 2025


def move_to(event: Event, day: datetime) -> None:
    for session in event.sessions:
        session.starts_at, session.ends_at = datetime.combine(day, time(13)), datetime.combine(day, time(15, 30))
    event.signup_deadline = datetime.combine(day, time(9))


@pytest.fixture
def staff(client, taxonomy):
    make_staff()
    sign_in_staff(client)
    return client


@pytest.fixture
def year_of_work(app, staff):
    """2025: a workshop in May (8 participants), a market in August where 2 of 3 came, a regional
    meeting in November where nobody was marked (its 2 with a place count), a cancelled event,
    and an event of 2024; one feedback answer for each of the three held ones."""
    order, _path = held_workshop(seed_themes(app)[0], now=datetime(YEAR, 5, 20, 12))
    record_response(order.survey, {key: 4 for key in STATEMENTS}, now=datetime(YEAR, 5, 21, 9))

    market = held_event(staff, 3, title="Pienmarkkinat", kind="pienmarkkinat")
    meeting = held_event(staff, 2, title="Aluetilaisuus")
    cancelled = held_event(staff, 2, title="Peruttu")
    earlier = held_event(staff, 2, title="Vuonna 2024")
    for event, day in ((market, datetime(YEAR, 8, 12)), (meeting, datetime(YEAR, 11, 5)),
                       (cancelled, datetime(YEAR, 9, 1)), (earlier, datetime(YEAR - 1, 10, 1))):
        move_to(event, day)
    db.session.flush()
    first, second, _third = confirmed(market)
    mark_attendance(market, {first.id, second.id})
    cancelled.status = "cancelled"
    record_answer(first, {statement: 3 for statement in DEFAULT_STATEMENTS}, now=datetime(YEAR, 8, 13, 9))
    record_answer(confirmed(meeting)[0], {statement: 2 for statement in DEFAULT_STATEMENTS},
                  now=datetime(YEAR, 11, 6, 9))
    db.session.commit()


def test_the_years_figures_as_tables(staff, year_of_work):
    page = staff.get(f"/yllapito/tilastot?vuosi={YEAR}")
    assert page.status_code == 200
    tables = page_tables(page.text)
    assert tables["taulukko-tapahtumat-ja-tyopajat"][1:] == [
        ["1. neljännes", "0", "0", "0", "0"],
        ["2. neljännes", "0", "0", "1", "8"],
        ["3. neljännes", "1", "2", "0", "0"],
        ["4. neljännes", "1", "2", "0", "0"],
    ]
    by_organisation = {row[0]: row[1:] for row in tables["taulukko-osallistujat-jarjestoittain"][1:]}
    assert by_organisation == {
        "Kuopion Muistiyhdistys ry": ["0", "8"], "Yhdistys 0 ry": ["2", "0"], "Yhdistys 1 ry": ["2", "0"],
    }
    assert tables["taulukko-osallistujat-kunnittain"][1:] == [["Ei tiedossa", "4", "8"]]
    side_by_side = {row[0]: row[1:] for row in tables["taulukko-palaute-rinnakkain"][1:]}
    assert side_by_side["Työpajat"] == ["1", "4,00", "100 %"]
    assert side_by_side["Tapahtumat yhteensä"] == ["2", "2,50", "50 %"]
    assert side_by_side["Pienmarkkinat"] == ["1", "3,00", "100 %"]
    assert side_by_side["Aluetilaisuus"] == ["1", "2,00", "0 %"]
    assert side_by_side["Foorumi"] == ["0", "–", "–"]
    assert tables["taulukko-palaute-neljannesvuosittain"][1:] == [
        ["1. neljännes", "0", "–", "0", "–"],
        ["2. neljännes", "1", "4,00", "0", "–"],
        ["3. neljännes", "0", "–", "1", "3,00"],
        ["4. neljännes", "0", "–", "1", "2,00"],
    ]
    # Tables first, then the chart drawn on the server.
    section = page.text.split('id="tapahtumat-ja-tyopajat"', 1)[1].split("</section>", 1)[0]
    assert section.index("<table") < section.index("<svg")
    for report in impact.REPORTS:
        assert f'href="/yllapito/tilastot/{report}.csv?vuosi={YEAR}"' in page.text
    for chart in ("neljannekset", "osallistujat-jarjestot", "osallistujat-kunnat", "palaute-rinnakkain",
                  "palaute-neljannekset"):
        assert f'<title id="kaavio-{chart}-otsikko">' in page.text


@pytest.mark.parametrize("name", impact.REPORTS)
def test_each_csv_of_the_year_holds_the_numbers_of_its_table(staff, year_of_work, name):
    tables = page_tables(staff.get(f"/yllapito/tilastot?vuosi={YEAR}").text)
    response = staff.get(f"/yllapito/tilastot/{name}.csv?vuosi={YEAR}")
    assert f'filename="{name}-{YEAR}.csv"' in response.headers["Content-Disposition"]
    assert read_csv(response) == tables[f"taulukko-{name}"]
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert audit.detail["file"] == f"{name}-{YEAR}.csv"


def test_the_year_chooser_offers_the_years_with_events_and_defaults_to_this_year(staff, year_of_work):
    this_year = datetime.now().year
    page = staff.get("/yllapito/tilastot").text
    assert f'<option value="{this_year}" selected>' in page
    for year in range(YEAR - 1, this_year):
        assert f'<option value="{year}">' in page
    assert f'<option value="{this_year}" selected>' in staff.get("/yllapito/tilastot?vuosi=1999").text
    empty = page_tables(staff.get(f"/yllapito/tilastot?vuosi={YEAR - 1}").text)
    assert empty["taulukko-tapahtumat-ja-tyopajat"][4] == ["4. neljännes", "1", "2", "0", "0"]
    assert staff.get("/yllapito/tilastot/palaute-rinnakkain.csv?vuosi=abc").status_code == 200
