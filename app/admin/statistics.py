"""Staff views: statistics (chart, table and CSV of each figure) and the CSV export of all organisations."""
from dataclasses import dataclass
from datetime import date

from flask import abort, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l

from app.admin import figures as stats
from app.admin import period_figures as periods
from app.admin import impact
from app.admin.impact_figures import report_years
from app.admin.blueprint import bp
from app.admin.downloads import audited_csv
from app.platform.charts import dot_matrix, grouped_bars, horizontal_bars
from app.platform.csv_export import Report, StatTable, organisations_csv, table_csv
from app.platform.validation import whole_number

MONTHS = (
    _l("tammikuu"), _l("helmikuu"), _l("maaliskuu"), _l("huhtikuu"), _l("toukokuu"), _l("kesäkuu"),
    _l("heinäkuu"), _l("elokuu"), _l("syyskuu"), _l("lokakuu"), _l("marraskuu"), _l("joulukuu"),
)
CONTACT_MONTHS = 12
# Organisations shown in the contact request chart; the table and the CSV list them all.
CHART_ORGANISATIONS = 20


def contact_period(today: date) -> tuple[date, date]:
    """The last CONTACT_MONTHS months, this month included."""
    months_back = today.year * 12 + today.month - 1 - (CONTACT_MONTHS - 1)
    return date(months_back // 12, months_back % 12 + 1, 1), today


@dataclass(frozen=True)
class Period:
    """The months the time-bound figures (contact requests, workshop orders) cover."""

    first: date
    last: date
    year: int | None  # None: the last CONTACT_MONTHS months

    @property
    def label(self) -> str:
        if self.year is None:
            return _("viimeiset %(months)d kuukautta", months=CONTACT_MONTHS)
        return _("vuosi %(year)d", year=self.year)

    @property
    def args(self) -> dict:
        return {"vuosi": self.year} if self.year is not None else {}


def chosen_period(value: str | None, today: date, years: list[int]) -> Period:
    """`?vuosi=2025` as that calendar year (up to today), anything else as the last 12 months."""
    year = whole_number(value)
    if year in years:
        return Period(date(year, 1, 1), min(date(year, 12, 31), today), year)
    first, last = contact_period(today)
    return Period(first, last, None)


def month_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def municipalities_report(_period: Period) -> Report:
    title = _("Järjestöt kunnittain")
    rows = stats.organisations_per_municipality()
    table = StatTable.from_counts("jarjestot-kunnittain", title, [_("Kunta"), _("Järjestöjä")], rows)
    return Report(
        table,
        horizontal_bars(rows, title=title, chart_id="kaavio-kunnat"),
        _("Julkaistut järjestöt. Valtakunnalliset järjestöt ovat omalla rivillään ”Koko Suomi” eivätkä kuntien luvuissa."),
    )


def activities_report(_period: Period) -> Report:
    title = _("Toimintamuodot kunnittain")
    matrix = stats.activities_by_municipality()
    table = StatTable(
        "toiminta-kunnittain",
        title,
        [_("Toimintamuoto"), *matrix.municipalities],
        [[activity, *counts] for activity, counts in zip(matrix.activities, matrix.counts)],
    )
    chart = dot_matrix(matrix.activities, matrix.municipalities, matrix.counts, title=title, chart_id="kaavio-toiminta")
    note = _("Julkaistut järjestöt, jotka tarjoavat toimintamuotoa kunnassa. Ympyrän koko kasvaa luvun mukana.")
    return Report(table, chart, note, wide=True)


def gaps_report(_period: Period) -> Report:
    title = _("Tarpeet, joihin on vähän tai ei lainkaan järjestöjä")
    gaps = stats.need_gaps(max_count=2)
    table = StatTable(
        "tarpeiden-aukot",
        title,
        [_("Tarve"), _("Ryhmä"), _("Järjestöjä")],
        [[gap.name, gap.group, gap.count] for gap in gaps],
    )
    buckets = [
        (_("Ei yhtään järjestöä"), sum(1 for gap in gaps if gap.count == 0)),
        (_("1–2 järjestöä"), sum(1 for gap in gaps if gap.count > 0)),
    ]
    chart = horizontal_bars(buckets, title=_("Tarpeiden määrä, kun järjestöjä on 0 tai 1–2"), chart_id="kaavio-aukot")
    return Report(table, chart, _("Kaavio kertoo, montako tarvetta kuhunkin joukkoon kuuluu; taulukko luettelee ne."))


def _figures_report(name: str, title: str, label: str, rows: list[stats.FigureRow], chart_id: str) -> Report:
    table = StatTable(
        name,
        title,
        [label, _("Järjestöjä"), _("Vapaaehtoisia"), _("Jäseniä"), _("Vapaaehtoistunteja vuodessa")],
        [list(row) for row in rows],
    )
    chart = horizontal_bars(
        [(row.label, row.volunteers) for row in rows], title=_("%(title)s: vapaaehtoisia", title=title), chart_id=chart_id
    )
    note = _(
        "Vain ylläpidon nähtävät luvut, julkaistut järjestöt. Summat on laskettu järjestöistä, jotka ovat "
        "ilmoittaneet luvun. Merkki – tarkoittaa, että luku perustuu alle %(min)d järjestöön, eikä sitä näytetä, "
        "jotta yksittäisen järjestön tiedot eivät paljastu.",
        min=stats.MIN_ORGANISATIONS,
    )
    return Report(table, chart, note)


def sector_figures_report(_period: Period) -> Report:
    return _figures_report(
        "vapaaehtoiset-toimialoittain", _("Vapaaehtoiset, jäsenet ja vapaaehtoistunnit toimialoittain"),
        _("Toimiala"), stats.admin_figures_by_sector(), "kaavio-toimialat",
    )


def municipality_figures_report(_period: Period) -> Report:
    return _figures_report(
        "vapaaehtoiset-kunnittain", _("Vapaaehtoiset, jäsenet ja vapaaehtoistunnit kunnittain"),
        _("Kunta"), stats.admin_figures_by_municipality(), "kaavio-vapaaehtoiset-kunnat",
    )


def contact_months_report(period: Period) -> Report:
    title = _("Yhteydenottopyynnöt kuukausittain")
    rows = [
        [month_label(row.month), row.sent, row.handled]
        for row in periods.contact_requests_per_month(period.first, period.last)
    ]
    series = [_("Lähetetty"), _("Käsitelty")]
    table = StatTable("yhteydenotot-kuukausittain", title, [_("Kuukausi"), *series], rows)
    chart = grouped_bars([(row[0], row[1:]) for row in rows], series=series, title=title, chart_id="kaavio-kuukaudet")
    note = _("Ajanjakso: %(period)s. Käsitelty: saman kuukauden pyynnöistä ne, jotka järjestö on merkinnyt "
             "hoidetuiksi.", period=period.label)
    return Report(table, chart, note)


def contact_organisations_report(period: Period) -> Report:
    title = _("Yhteydenottopyynnöt järjestöittäin")
    rows = [
        [row.name, row.sent, row.handled]
        for row in periods.contact_requests_per_organisation(period.first, period.last)
    ]
    series = [_("Lähetetty"), _("Käsitelty")]
    table = StatTable("yhteydenotot-jarjestoittain", title, [_("Järjestö"), *series], rows)
    chart = grouped_bars(
        [(row[0], row[1:]) for row in rows[:CHART_ORGANISATIONS]],
        series=series,
        title=_("%(title)s: %(count)d eniten saanutta", title=title, count=CHART_ORGANISATIONS),
        chart_id="kaavio-jarjestot",
    )
    note = _(
        "Ajanjakso: %(period)s. Kaaviossa on %(count)d eniten pyyntöjä saanutta järjestöä, taulukossa kaikki.",
        period=period.label,
        count=CHART_ORGANISATIONS,
    )
    return Report(table, chart, note)


def handling_times_report(period: Period) -> Report:
    title = _("Yhteydenottopyyntöjen käsittelyaika järjestöittäin")
    rows = [
        [row.name, row.handled, row.median_days]
        for row in periods.handling_times_per_organisation(period.first, period.last)
    ]
    table = StatTable(
        "kasittelyajat-jarjestoittain", title, [_("Järjestö"), _("Hoidettu"), _("Mediaani, päivää")], rows
    )
    chart = horizontal_bars(
        [(row[0], row[2]) for row in rows[:CHART_ORGANISATIONS]],
        title=_("%(title)s: %(count)d hitainta", title=title, count=CHART_ORGANISATIONS),
        chart_id="kaavio-kasittelyajat",
        unit=" " + _("pv"),
    )
    note = _(
        "Ajanjakso: %(period)s. Hoidetuiksi merkityt pyynnöt: aika lähettämisestä siihen, kun järjestö "
        "merkitsi pyynnön hoidetuksi. Hitain ensin.",
        period=period.label,
    )
    return Report(table, chart, note)


def workshop_status_report(period: Period) -> Report:
    title = _("Työpajatilaukset tilan mukaan")
    rows = periods.workshop_orders_by_status(period.first, period.last)
    table = StatTable.from_counts("tyopajat-tiloittain", title, [_("Tila"), _("Tilauksia")], rows)
    note = _("Ajanjaksolla %(period)s tehdyt tilaukset.", period=period.label)
    return Report(table, horizontal_bars(rows, title=title, chart_id="kaavio-tyopajatilat"), note)


def workshop_theme_report(period: Period) -> Report:
    title = _("Työpajatilaukset teemoittain")
    rows = periods.workshop_orders_by_theme(period.first, period.last)
    table = StatTable.from_counts("tyopajat-teemoittain", title, [_("Teema"), _("Tilauksia")], rows)
    note = _("Ajanjaksolla %(period)s tehdyt tilaukset.", period=period.label)
    return Report(table, horizontal_bars(rows, title=title, chart_id="kaavio-tyopajateemat"), note)


REPORTS = {
    "jarjestot-kunnittain": municipalities_report,
    "toiminta-kunnittain": activities_report,
    "tarpeiden-aukot": gaps_report,
    "vapaaehtoiset-toimialoittain": sector_figures_report,
    "vapaaehtoiset-kunnittain": municipality_figures_report,
    "yhteydenotot-kuukausittain": contact_months_report,
    "yhteydenotot-jarjestoittain": contact_organisations_report,
    "kasittelyajat-jarjestoittain": handling_times_report,
    "tyopajat-tiloittain": workshop_status_report,
    "tyopajat-teemoittain": workshop_theme_report,
}


def _requested_period() -> tuple[Period, list[int]]:
    """The period of `?vuosi=` and the years to choose from: any with contact requests, orders or events."""
    today = date.today()
    years = sorted(set(periods.statistics_years(today)) | set(report_years(today.year)), reverse=True)
    return chosen_period(request.args.get("vuosi"), today, years), years


@bp.get("/tilastot")
def statistics():
    """Every figure as a chart, a table and a CSV link; `?vuosi=` limits them to a year.

    The impact figures (events, workshops, feedback) are by calendar year: the chosen
    one, or this year when the period is the last 12 months.
    """
    period, years = _requested_period()
    year = period.year or years[0]
    return render_template(
        "admin/statistics.html", reports=[builder(period) for builder in REPORTS.values()],
        impact_reports=[builder(year) for builder in impact.REPORTS.values()], period=period, years=years, year=year,
        year_error=_year_error(period),
    )


def _year_error(period: Period) -> str:
    """The message for a `?vuosi=` that is not one of the years (an old or edited link): the page says so."""
    value = (request.args.get("vuosi") or "").strip()
    if not value or period.year is not None:
        return ""
    return _("Vuodelta %(year)s ei ole tilastoja. Valitse vuosi luettelosta. Alla ovat viimeiset 12 kuukautta.",
             year=value[:10])


@bp.get("/tilastot/<name>.csv")
def statistics_csv(name: str):
    """One statistics table as CSV, the same rows as on the page (an impact table of the year `vuosi`)."""
    period, years = _requested_period()
    if name in REPORTS:
        table = REPORTS[name](period).table
        filename = f"{name}-{period.year}.csv" if period.year else f"{name}.csv"
    elif name in impact.REPORTS:
        year = period.year or years[0]
        table, filename = impact.REPORTS[name](year).table, f"{name}-{year}.csv"
    else:
        abort(404)
    return audited_csv(table_csv(table), filename, "statistics", rows=len(table.rows))


@bp.get("/vienti/jarjestot.csv")
def export_organisations_csv():
    """Every organisation in every status with every field, contacts and admin-only figures included."""
    return audited_csv(organisations_csv(), f"jarjestot-{date.today().isoformat()}.csv", "organisation")
