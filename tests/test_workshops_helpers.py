"""Shared pieces of the workshop tests (no tests here): themes, a valid order form, links from mail."""
import re
from datetime import date, timedelta
from pathlib import Path

from app.extensions import db
from app.models import WorkshopTheme
from app.platform.calendar import public_holiday
from app.platform.submissions import new_key
from app.workshops.display import helsinki_time
from app.workshops.themes import seed_workshop_themes

STATUS_LINK = re.compile(r"http://portal\.test/tyopajat/tila/([A-Za-z0-9_\-]+)")
FEEDBACK_LINK = re.compile(r"http://portal\.test/tyopajat/palaute/([A-Za-z0-9_\-]+)")
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" type="hidden" value="([^"]+)"')


def seed_themes(app) -> list[WorkshopTheme]:
    seed_workshop_themes(Path(app.root_path) / "data" / "workshop_themes.csv")
    db.session.commit()
    return list(db.session.scalars(db.select(WorkshopTheme).order_by(WorkshopTheme.position)))


def weekday_from(start: date) -> date:
    """`start`, or the first working day after it: no weekend, no Finnish public holiday (not proposable)."""
    while start.weekday() >= 5 or public_holiday(start):
        start += timedelta(days=1)
    return start


def today() -> date:
    return helsinki_time().date()


def good_dates() -> list[date]:
    first = weekday_from(today() + timedelta(days=21))
    second = weekday_from(first + timedelta(days=1))
    third = weekday_from(second + timedelta(days=1))
    return [first, second, third]


def order_form(theme_id: int | str, **changes) -> dict:
    """A complete, valid order as the browser would post it."""
    first, second, _third = good_dates()
    data = {
        "organisation_name": "Kuopion Muistiyhdistys ry",
        "contact_person": "Maija Meikäläinen",
        "email": "Maija@Example.fi",
        "phone": "040 123 4567",
        "audience": ["volunteers", "board"],
        "participants": "18",
        "theme": str(theme_id),
        "own_proposal": "",
        "goal": "Haluamme selkeyttää vapaaehtoisten roolit ja tehtävät.",
        "date_1": first.isoformat(),
        "time_of_day_1": "iltapäivä",
        "date_2": second.isoformat(),
        "time_of_day_2": "ilta",
        "date_3": "",
        "time_of_day_3": "",
        "place_kind": "own_premises",
        "address": "Puijonkatu 1",
        "municipality": "Kuopio",
        "accessibility_needs": "Yksi osallistuja käyttää pyörätuolia; tarvitsemme esteettömän tilan.",
        "other_info": "",
        "consent": "y",
        "submission_key": new_key(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def csrf_of(page) -> str:
    return CSRF.search(page.text).group(1)


def status_form(page, step: str, **fields) -> dict:
    """The status page's form for `step` ("peru" or "muutos") as sent: its CSRF token (if on) and one-time key."""
    form = page.text.split(f'/{step}" method="post"', 1)[1].split("</form>", 1)[0]
    csrf = CSRF.search(form)
    return {"csrf_token": csrf.group(1) if csrf else "", "submission_key": SUBMISSION_KEY.search(form).group(1),
            **fields}
