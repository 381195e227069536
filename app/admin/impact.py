"""The statistics page's reports for the centre's funder, for one chosen year: events and
workshops per quarter, who took part by organisation and municipality, and the feedback of
workshops and events side by side and over the year."""
from flask_babel import gettext as _

from app.admin import impact_figures as figures
from app.events.display import KIND_LABELS
from app.platform.charts import grouped_bars, horizontal_bars
from app.platform.csv_export import Report, StatTable
from app.platform.surveys import format_mean

# Organisations and municipalities shown in a chart; the table and the CSV list them all.
CHART_ROWS = 20


def quarter_label(quarter: int) -> str:
    return _("%(quarter)d. neljännes", quarter=quarter)


def held_report(year: int) -> Report:
    title = _("Tapahtumat ja työpajat neljännesvuosittain %(year)d", year=year)
    rows = figures.held_per_quarter(year)
    table = StatTable(
        "tapahtumat-ja-tyopajat", title,
        [_("Neljännes"), _("Tapahtumia"), _("Tapahtumien osallistujia"), _("Työpajoja"), _("Työpajojen osallistujia")],
        [[quarter_label(row.quarter), row.events, row.event_participants, row.workshops, row.workshop_participants]
         for row in rows],
    )
    # Short series names: the legend has room for two words.
    chart = grouped_bars(
        [(quarter_label(row.quarter), [row.event_participants, row.workshop_participants]) for row in rows],
        series=[_("Tapahtumat"), _("Työpajat")], title=_("Osallistujia neljännesvuosittain %(year)d", year=year), chart_id="kaavio-neljannekset",
    )
    note = _("Pidetyt tapahtumat (ei peruttuja) ja pidetyiksi merkityt työpajat. Tapahtuman osallistujat ovat ne, "
             "jotka ylläpito on merkinnyt paikalla olleiksi, tai paikan saaneet, jos ketään ei ole merkitty. "
             "Työpajan osallistujamäärä on tilaajan ilmoittama.")
    return Report(table, chart, note)


def _participants_report(name: str, title: str, label: str, grouping: str, year: int, chart_id: str) -> Report:
    rows = figures.participants_by(grouping, year)
    series = [_("Tapahtumissa"), _("Työpajoissa")]
    table = StatTable(name, title, [label, *series], [list(row) for row in rows])
    chart = grouped_bars(
        [(row[0], list(row[1:])) for row in rows[:CHART_ROWS]], series=series,
        title=_("%(title)s: %(count)d eniten osallistunutta", title=title, count=CHART_ROWS), chart_id=chart_id,
    )
    note = _("Kaaviossa on %(count)d eniten osallistunutta, taulukossa kaikki.", count=CHART_ROWS)
    return Report(table, chart, note)


def organisations_report(year: int) -> Report:
    return _participants_report(
        "osallistujat-jarjestoittain", _("Osallistujat järjestöittäin %(year)d", year=year), _("Järjestö"),
        "organisation", year, "kaavio-osallistujat-jarjestot",
    )


def municipalities_report(year: int) -> Report:
    return _participants_report(
        "osallistujat-kunnittain", _("Osallistujat kunnittain %(year)d", year=year), _("Kunta"),
        "municipality", year, "kaavio-osallistujat-kunnat",
    )


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value} %"


def feedback_side_by_side_report(year: int) -> Report:
    title = _("Palaute: työpajat ja tapahtumat rinnakkain %(year)d", year=year)
    rows = figures.feedback_side_by_side(year, KIND_LABELS)
    table = StatTable(
        "palaute-rinnakkain", title,
        [_("Mistä"), _("Vastauksia"), _("Keskiarvo 1–4"), _("Samaa mieltä (3–4)")],
        [[row.label, row.responses, format_mean(row.mean), _share(row.agree_share)] for row in rows],
    )
    chart = horizontal_bars([(row.label, row.mean) for row in rows], title=_("Palautteen keskiarvo %(year)d", year=year),
                            chart_id="kaavio-palaute-rinnakkain", max_value=4)
    note = _("Keskiarvo kaikista vastauksista kaikkiin väittämiin asteikolla 1–4 (1 täysin eri mieltä, 4 täysin samaa "
             "mieltä). Tapahtumilla on omat väittämänsä, työpajoilla omansa.")
    return Report(table, chart, note)


def feedback_quarters_report(year: int) -> Report:
    title = _("Palautteen keskiarvo neljännesvuosittain %(year)d", year=year)
    rows = figures.feedback_per_quarter(year)
    table = StatTable(
        "palaute-neljannesvuosittain", title,
        [_("Neljännes"), _("Työpajat: vastauksia"), _("Työpajat: keskiarvo"), _("Tapahtumat: vastauksia"),
         _("Tapahtumat: keskiarvo")],
        [[quarter_label(quarter), workshops.responses, format_mean(workshops.mean), events.responses,
          format_mean(events.mean)] for quarter, workshops, events in rows],
    )
    chart = grouped_bars(
        [(quarter_label(quarter), [workshops.mean, events.mean]) for quarter, workshops, events in rows],
        series=[_("Työpajat"), _("Tapahtumat")], title=title, chart_id="kaavio-palaute-neljannekset",
    )
    note = _("Neljännes, jona työpaja tai tapahtuma pidettiin. – tarkoittaa, ettei vastauksia ole.")
    return Report(table, chart, note)


REPORTS = {
    "tapahtumat-ja-tyopajat": held_report,
    "osallistujat-jarjestoittain": organisations_report,
    "osallistujat-kunnittain": municipalities_report,
    "palaute-rinnakkain": feedback_side_by_side_report,
    "palaute-neljannesvuosittain": feedback_quarters_report,
}
