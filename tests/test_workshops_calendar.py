"""The iCalendar invitation and the SVG bar chart, on their own."""
import re
from datetime import datetime, timedelta
from xml.etree import ElementTree

import icalendar
import pytest

from app.platform.charts import horizontal_bars
from app.platform.calendar import CalendarEvent, invitation

STAMP = datetime(2026, 3, 2, 8, 30)


def event(**changes) -> CalendarEvent:
    fields = dict(
        uid="TP-2026-0042@portal.test",
        sequence=3,
        start=datetime(2026, 3, 31, 9, 0),  # the first Tuesday of summer time
        duration=timedelta(hours=2),
        summary="Työpaja: Kuopion Muistiyhdistys ry",
        description="Ohjaaja: Outi\nEtäyhteys: https://meet.example/a,b;c",
        location="Puijonkatu 1, 70100 Kuopio",
        organizer_email="noreply@portal.test",
        organizer_name="Hyvinvointitarjotin",
        attendee_email="maija@example.fi",
        attendee_name="Maija Meikäläinen",
    )
    fields.update(changes)
    return CalendarEvent(**fields)


def test_an_invitation_is_valid_icalendar_in_helsinki_time():
    raw = invitation(event(), stamp=STAMP)
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"DTSTART;TZID=Europe/Helsinki:20260331T090000\r\n" in raw
    assert b"DTEND;TZID=Europe/Helsinki:20260331T110000\r\n" in raw
    assert b"DTSTAMP:20260302T083000Z\r\n" in raw
    calendar = icalendar.Calendar.from_ical(raw)
    assert str(calendar["METHOD"]) == "REQUEST" and str(calendar["PRODID"])
    [vevent] = calendar.walk("VEVENT")
    # Summer time has started: 09:00 in Helsinki is 06:00 UTC.
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(hours=3)
    assert str(vevent["DESCRIPTION"]) == "Ohjaaja: Outi\nEtäyhteys: https://meet.example/a,b;c"
    assert str(vevent["LOCATION"]) == "Puijonkatu 1, 70100 Kuopio"
    assert vevent["ORGANIZER"].params["CN"] == "Hyvinvointitarjotin"
    assert int(vevent["SEQUENCE"]) == 3 and str(vevent["STATUS"]) == "CONFIRMED"


def test_the_time_zone_definition_gives_winter_and_summer_offsets():
    winter = icalendar.Calendar.from_ical(invitation(event(start=datetime(2026, 1, 13, 13, 0)), stamp=STAMP))
    [vevent] = winter.walk("VEVENT")
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(hours=2)
    [timezone] = winter.walk("VTIMEZONE")
    assert {c.name for c in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_a_cancellation_uses_method_cancel():
    calendar = icalendar.Calendar.from_ical(invitation(event(), stamp=STAMP, method="CANCEL"))
    [vevent] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "CANCEL" and str(vevent["STATUS"]) == "CANCELLED"
    with pytest.raises(ValueError):
        invitation(event(), stamp=STAMP, method="PUBLISH")


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("a,b", "a,b"),
        ("a;b", "a;b"),
        ("C:\\polku", "C:\\polku"),
        ("rivi\nrivi", "rivi\nrivi"),
        ("rivi\r\nrivi", "rivi\nrivi"),
    ],
)
def test_text_values_survive_escaping(text, parsed):
    raw = invitation(event(summary=text, location=text), stamp=STAMP)
    [vevent] = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == parsed and str(vevent["LOCATION"]) == parsed


def test_long_lines_fold_at_75_octets_without_splitting_characters():
    raw = invitation(event(summary="ä" * 100), stamp=STAMP)  # two octets each
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    raw.decode("utf-8")  # no character cut in two
    [vevent] = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "ä" * 100


def test_a_name_with_quotes_and_line_breaks_stays_one_parameter():
    raw = invitation(event(attendee_name='Maija "Maikki"\nMeikäläinen, ry'), stamp=STAMP)
    [vevent] = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert str(vevent["ATTENDEE"]) == "mailto:maija@example.fi"
    assert "\n" not in vevent["ATTENDEE"].params["CN"]


def test_long_values_round_trip_through_a_parser():
    description = "Pitkä kuvaus, jossa on pilkkuja; puolipisteitä ja rivinvaihtoja.\n" * 6
    calendar = icalendar.Calendar.from_ical(invitation(event(description=description), stamp=STAMP))
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["DESCRIPTION"]) == description


def test_bar_chart_is_accessible_svg():
    svg = horizontal_bars(
        [("täysin eri mieltä", 1), ("täysin samaa mieltä <b>", 3)], title="Ohjaus toimi hyvin", chart_id="ohjaus"
    )
    root = ElementTree.fromstring(str(svg))
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "ohjaus-otsikko ohjaus-kuvaus"
    assert root.find("svg:title", ns).text == "Ohjaus toimi hyvin"
    assert root.find("svg:desc", ns).text == "täysin eri mieltä: 1; täysin samaa mieltä <b>: 3"
    widths = [float(rect.get("width")) for rect in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert widths[1] == pytest.approx(3 * widths[0])
    assert "<b>" not in str(svg)
    assert not re.search(r"<script|style=", str(svg))


def test_bar_chart_scales_to_a_given_maximum_and_survives_zeroes():
    half = ElementTree.fromstring(str(horizontal_bars([("a", 5)], title="t", max_value=10)))
    [rect] = half.iter("{http://www.w3.org/2000/svg}rect")
    assert float(rect.get("width")) == 150
    empty = ElementTree.fromstring(str(horizontal_bars([("a", 0), ("b", 0)], title="t")))
    assert [float(r.get("width")) for r in empty.iter("{http://www.w3.org/2000/svg}rect")] == [0, 0]
    assert ElementTree.fromstring(str(horizontal_bars([], title="tyhjä"))).get("role") == "img"
