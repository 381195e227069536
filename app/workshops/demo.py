"""Demo slots, so that `make run` shows the order form with free times and the staff calendar."""
from datetime import time, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import WorkshopSlot
from app.workshops.booking import BookingError, check_time, publish_slots, slot_times
from app.workshops.display import helsinki_time

DEMO_FACILITATORS = (
    ("Aino Ohjaaja", "Kuopio, Siilinjärvi", {1, 3}, [time(9), time(13)]),
    ("Eero Kouluttaja", "", {2}, [time(17)]),
)


def seed_demo_slots() -> int:
    """Two facilitators' slots for the next three months, when no slot exists yet; how many were added."""
    if db.session.scalar(select(WorkshopSlot.id).limit(1)) is not None:
        return 0
    today = helsinki_time().date()
    added = 0
    for name, towns, weekdays, starts in DEMO_FACILITATORS:
        times = slot_times(today + timedelta(days=14), today + timedelta(days=90), weekdays, starts)
        # Demo events may fall on the same days: the overlapping slots are left out, not overridden.
        free = [start for start in times if _fits(start, name)]
        added += publish_slots(name, free, towns, remote=True, by="demo") if free else 0
    return added


def _fits(start, facilitator: str) -> bool:
    try:
        check_time(start, facilitator=facilitator)
    except BookingError:
        return False
    return True
