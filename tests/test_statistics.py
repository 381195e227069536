"""Statistics: each query on known organisations, small-cell suppression, the staff page and its CSV
files (the same numbers as the tables), the organisation export, and the public "Tilastot" page."""
import csv
import io
import re
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from tests.admin_support import STAFF_EMAIL, make_staff, sign_in_staff

from app.admin import figures as stats
from app.admin import period_figures as periods
from app.admin import impact
from app.models import AuditEvent, ContactRequest, Organisation, Sector, sort_key
from app.models.workshop import WorkshopOrder, WorkshopTheme
from app.platform.csv_export import BOM, SUPPRESSED_MARK, csv_text

REPORT_NAMES = (
    "jarjestot-kunnittain", "toiminta-kunnittain", "tarpeiden-aukot", "vapaaehtoiset-toimialoittain",
    "vapaaehtoiset-kunnittain", "yhteydenotot-kuukausittain", "yhteydenotot-jarjestoittain", "kasittelyajat-jarjestoittain",
    "tyopajat-tiloittain", "tyopajat-teemoittain",
)


@pytest.fixture
def staff_client(app, client):
    """A browser signed in as staff through the real link flow."""
    make_staff()
    sign_in_staff(client)
    return client


def sector(db, name: str) -> Sector:
    return db.session.scalar(select(Sector).filter_by(name=name))


def as_dict(rows) -> dict:
    return {row[0]: tuple(row[1:]) if len(row) > 2 else row[1] for row in rows}


# --- organisations per municipality, per activity, per need group -----------------------------


@pytest.fixture
def directory(make_organisation):
    make_organisation("Kuopion Muistiyhdistys ry", needs=["Muistisairaus"], activities=["Vertaistuki"],
                      municipalities=["Kuopio", "Siilinjärvi"])
    make_organisation("Kuopion Diabetesyhdistys ry", needs=["Diabetes"], activities=["Vertaistuki", "Liikunta"],
                      municipalities=["Kuopio"])
    make_organisation("Iisalmen Omaiset ry", needs=["Omaishoitajuus", "Muistisairaus"],
                      activities=["Läheisen tai omaishoitajan tuki"], municipalities=["Iisalmi"])
    # Nationwide: its own row, even though it also names Kuopio.
    make_organisation("Valtakunnallinen Sydänliitto ry", needs=["Sydän- ja verisuonisairaus"],
                      activities=["Vertaistuki"], municipalities=["Kuopio"], nationwide=True)
    make_organisation("Odottava yhdistys ry", needs=["Diabetes"], activities=["Liikunta"], municipalities=["Kuopio"],
                      status="pending")
    make_organisation("Piilotettu yhdistys ry", needs=["Reuma"], activities=["Liikunta"], municipalities=["Kuopio"],
                      status="hidden")
    make_organisation("Poistettu yhdistys ry", needs=["Reuma"], activities=["Liikunta"], municipalities=["Kuopio"],
                      deleted_at=datetime(2026, 1, 1))


def test_organisations_per_municipality_counts_published_and_nationwide_separately(directory):
    rows = stats.organisations_per_municipality()
    counts = as_dict(rows)
    assert counts["Kuopio"] == 2
    assert counts["Siilinjärvi"] == 1
    assert counts["Iisalmi"] == 1
    assert counts["Varkaus"] == 0
    assert rows[-1] == ("Koko Suomi", 1)
    names = [row.label for row in rows[:-1]]
    assert names[0] == "Iisalmi" and names[-1] == "Vieremä" and len(names) == 19


def test_organisations_per_activity_and_need_group(directory):
    activities = as_dict(stats.organisations_per_activity())
    assert activities["Vertaistuki"] == 3
    assert activities["Liikunta"] == 1
    assert activities["Kuntoutus"] == 0
    assert list(activities)[0] == "Vertaistuki"  # the activities' own order
    groups = as_dict(stats.organisations_per_need_group())
    assert groups["Muisti ja neurologia"] == 2
    # Diabetes and Sydän- ja verisuonisairaus; the pending, hidden and deleted ones with Reuma do not count.
    assert groups["Pitkäaikaissairaudet"] == 2
    assert groups["Elämäntilanteet"] == 1
    assert groups["Vammaisuus ja aistit"] == 0
    assert list(groups) == sorted(groups, key=sort_key)


def test_activities_by_municipality_is_a_full_matrix(directory):
    matrix = stats.activities_by_municipality()
    assert matrix.municipalities[-1] == "Koko Suomi"
    assert len(matrix.municipalities) == 20 and len(matrix.activities) == 9
    cell = {
        (activity, municipality): matrix.counts[i][j]
        for i, activity in enumerate(matrix.activities)
        for j, municipality in enumerate(matrix.municipalities)
    }
    assert cell[("Vertaistuki", "Kuopio")] == 2
    assert cell[("Vertaistuki", "Siilinjärvi")] == 1
    assert cell[("Vertaistuki", "Koko Suomi")] == 1
    assert cell[("Liikunta", "Kuopio")] == 1  # the pending, hidden and deleted ones are not counted
    assert cell[("Kuntoutus", "Kuopio")] == 0


def test_need_gaps_are_needs_with_at_most_two_published_organisations(make_organisation):
    for index in range(3):
        make_organisation(f"Diabetesyhdistys {index} ry", needs=["Diabetes"])
    make_organisation("Reumayhdistys ry", needs=["Reuma", "Astma ja allergia"])
    make_organisation("Toinen reumayhdistys ry", needs=["Reuma"])
    make_organisation("Odottava astmayhdistys ry", needs=["Astma ja allergia"], status="pending")
    gaps = {gap.name: gap.count for gap in stats.need_gaps(max_count=2)}
    assert "Diabetes" not in gaps
    assert gaps["Reuma"] == 2
    assert gaps["Astma ja allergia"] == 1
    assert gaps["Epilepsia"] == 0
    ordered = [gap.count for gap in stats.need_gaps()]
    assert ordered == sorted(ordered)


# --- admin-only figures and small-cell suppression ----------------------------------------------


@pytest.fixture
def figures(make_organisation, db):
    health, elderly = sector(db, "Sosiaali- ja terveysala"), sector(db, "Ikääntyneet")
    for index, (volunteers, members) in enumerate([(10, 100), (20, None), (30, 300)]):
        make_organisation(f"Terveysyhdistys {index} ry", municipalities=["Kuopio"], sector=health,
                          volunteer_count=volunteers, member_count=members, volunteer_hours_per_year=500)
    for index in range(2):
        make_organisation(f"Seniorit {index} ry", municipalities=["Varkaus"], sector=elderly,
                          volunteer_count=5, member_count=50, volunteer_hours_per_year=100)
    make_organisation("Odottavat seniorit ry", municipalities=["Varkaus"], sector=elderly, volunteer_count=7,
                      status="pending")


def test_three_organisations_are_shown_and_two_are_suppressed(figures):
    rows = {row.label: row for row in stats.admin_figures_by_sector()}
    health = rows["Sosiaali- ja terveysala"]
    assert health.organisations == 3
    assert health.volunteers == 60
    assert health.volunteer_hours == 1500
    assert health.members is None  # only two of the three reported their members
    elderly = rows["Ikääntyneet"]
    assert elderly == ("Ikääntyneet", None, None, None, None)  # two published organisations
    assert rows["Muu"] == ("Muu", 0, None, None, None)
    assert "Toimiala puuttuu" not in rows


def test_figures_by_municipality_are_suppressed_the_same_way(figures, make_organisation):
    make_organisation("Ilman toimialaa ry", municipalities=["Kuopio"], volunteer_count=1)
    rows = {row.label: row for row in stats.admin_figures_by_municipality()}
    assert rows["Kuopio"].organisations == 4
    assert rows["Kuopio"].volunteers == 61
    assert rows["Varkaus"] == ("Varkaus", None, None, None, None)
    assert rows["Koko Suomi"] == ("Koko Suomi", 0, None, None, None)
    assert {row.label: row for row in stats.admin_figures_by_sector()}["Toimiala puuttuu"].volunteers is None


# --- contact requests -------------------------------------------------------------------------------


def contact_request(db, organisation, created_at, handled=False, name=None):
    request = ContactRequest(
        batch="b" + created_at.strftime("%Y%m%d%H%M%S"), organisation_id=organisation.id if organisation else None,
        organisation_name=name or organisation.name, requester_name="Salainen Pyytäjä", email="pyytaja@example.fi",
        consent_at=created_at, created_at=created_at, handled_at=created_at if handled else None,
    )
    db.session.add(request)
    db.session.commit()
    return request


def test_contact_requests_per_month_counts_sent_and_handled_with_empty_months(make_organisation, db):
    organisation = make_organisation("Kuopion Muistiyhdistys ry")
    contact_request(db, organisation, datetime(2025, 12, 31, 23, 59), handled=True)
    contact_request(db, organisation, datetime(2026, 1, 1, 0, 0))
    contact_request(db, organisation, datetime(2026, 1, 15), handled=True)
    contact_request(db, organisation, datetime(2026, 3, 2))
    contact_request(db, organisation, datetime(2026, 5, 1))  # outside the period
    rows = periods.contact_requests_per_month(date(2025, 12, 1), date(2026, 4, 30))
    assert [(row.month, row.sent, row.handled) for row in rows] == [
        (date(2025, 12, 1), 1, 1), (date(2026, 1, 1), 2, 1), (date(2026, 2, 1), 0, 0),
        (date(2026, 3, 1), 1, 0), (date(2026, 4, 1), 0, 0),
    ]


def test_contact_requests_per_organisation_use_the_current_name(make_organisation, db):
    first = make_organisation("Kuopion Muistiyhdistys ry")
    second = make_organisation("Varkauden Diabetesyhdistys ry")
    contact_request(db, first, datetime(2026, 1, 2), name="Vanha nimi ry")
    contact_request(db, first, datetime(2026, 1, 3), handled=True)
    for day in (4, 5, 6):
        contact_request(db, second, datetime(2026, 1, day))
    contact_request(db, None, datetime(2026, 1, 7), name="Poistettu yhdistys ry")
    rows = periods.contact_requests_per_organisation(date(2026, 1, 1), date(2026, 1, 31))
    assert rows == [
        ("Varkauden Diabetesyhdistys ry", 3, 0), ("Kuopion Muistiyhdistys ry", 2, 1), ("Poistettu yhdistys ry", 1, 0),
    ]


# --- workshop orders ----------------------------------------------------------------------------------


def workshop_order(db, number, status, theme=None):
    db.session.add(WorkshopOrder(
        reference=f"TP-2026-{number:04d}", reference_year=2026, reference_number=number, status=status,
        organisation_name="Tilaaja ry", contact_person="Maija", email="maija@example.fi", phone="+358401234567",
        participants=10, theme=theme, own_proposal="" if theme else "Oma idea", goal="Tavoite",
        place_kind="remote", consent_at=datetime(2026, 1, 1), status_token_hash=f"{number:064d}",
    ))
    db.session.commit()


@pytest.fixture
def workshop_orders(app, db):
    themes = [WorkshopTheme(name="Vapaaehtoisten rekrytointi", position=1), WorkshopTheme(name="Viestintä", position=2)]
    db.session.add_all(themes)
    for number, status, theme in [(1, "new", themes[0]), (2, "new", None), (3, "held", themes[0]),
                                  (4, "cancelled", themes[0])]:
        workshop_order(db, number, status, theme)


def test_workshop_orders_by_status_and_theme(workshop_orders):
    assert periods.workshop_orders_by_status() == [("Uusi", 2), ("Vahvistettu", 0), ("Pidetty", 1), ("Peruttu", 1)]
    assert periods.workshop_orders_by_theme() == [("Vapaaehtoisten rekrytointi", 3), ("Viestintä", 0), ("Oma aihe", 1)]


# --- the staff page and its CSV files ---------------------------------------------------------------


class TableReader(HTMLParser):
    """The cells of every <table id="…">, as the eye reads them (visually hidden text left out)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: list[list[str]] | None = None
        self.cell: list[str] | None = None
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.current = self.tables.setdefault(attrs["id"], [])
        elif self.current is not None and tag == "tr":
            self.current.append([])
        elif self.current is not None and tag in ("td", "th"):
            self.cell = []
        elif self.cell is not None and tag == "span" and "piilotettu" in (attrs.get("class") or ""):
            self.hidden_depth += 1

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.cell is not None:
            self.current[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "span" and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if self.cell is not None and not self.hidden_depth:
            self.cell.append(data)


def page_tables(body: str) -> dict[str, list[list[str]]]:
    reader = TableReader()
    reader.feed(body)
    return reader.tables


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM):]), delimiter=";"))


@pytest.fixture
def everything(directory, figures, workshop_orders, db):
    organisation = db.session.scalar(select(Organisation).filter_by(name="Kuopion Muistiyhdistys ry"))
    today = datetime.now().replace(microsecond=0)
    contact_request(db, organisation, today, handled=True)
    contact_request(db, organisation, today.replace(second=(today.second + 1) % 60))


def test_staff_statistics_page_has_a_chart_a_table_and_a_csv_link_for_each_figure(staff_client, everything):
    response = staff_client.get("/yllapito/tilastot")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    tables = page_tables(body)
    for name in REPORT_NAMES:
        assert f'id="taulukko-{name}"' in body
        assert f'href="/yllapito/tilastot/{name}.csv"' in body
        assert len(tables[f"taulukko-{name}"]) >= 2
    # The directory's figures, then the year's events, workshops and feedback (test_statistics_impact.py).
    count = len(REPORT_NAMES) + len(impact.REPORTS)
    assert body.count('<svg xmlns="http://www.w3.org/2000/svg" class="kaavio') == count
    assert body.count("<title id=") == count and body.count("<desc id=") == count
    assert body.count("<caption>") == count
    assert '<th scope="col"' in body and '<th scope="row">' in body
    assert 'href="/yllapito/vienti/jarjestot.csv"' in body
    ids = re.findall(r' id="([^"]+)"', body)
    assert len(ids) == len(set(ids)), "an id twice: a label names the wrong field"


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_each_csv_holds_exactly_the_numbers_of_its_table(staff_client, everything, db, name):
    tables = page_tables(staff_client.get("/yllapito/tilastot").get_data(as_text=True))
    response = staff_client.get(f"/yllapito/tilastot/{name}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{name}.csv"' in response.headers["Content-Disposition"]
    assert read_csv(response) == tables[f"taulukko-{name}"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert (event.actor, event.object_type, event.detail["file"]) == (STAFF_EMAIL, "statistics", f"{name}.csv")


def test_suppressed_cells_read_the_same_on_the_page_and_in_the_csv(staff_client, figures):
    table = page_tables(staff_client.get("/yllapito/tilastot").get_data(as_text=True))
    rows = {row[0]: row[1:] for row in table["taulukko-vapaaehtoiset-toimialoittain"]}
    assert rows["Sosiaali- ja terveysala"] == ["3", "60", SUPPRESSED_MARK, "1500"]
    assert rows["Ikääntyneet"] == [SUPPRESSED_MARK] * 4
    csv_rows = {row[0]: row[1:] for row in read_csv(staff_client.get("/yllapito/tilastot/vapaaehtoiset-toimialoittain.csv"))}
    assert csv_rows["Ikääntyneet"] == [SUPPRESSED_MARK] * 4
    assert csv_rows["Sosiaali- ja terveysala"] == ["3", "60", SUPPRESSED_MARK, "1500"]


def test_unknown_csv_is_not_found(staff_client):
    assert staff_client.get("/yllapito/tilastot/salaiset.csv").status_code == 404


def test_csv_neutralises_text_a_spreadsheet_would_run_as_a_formula():
    text = csv_text(["Nimi", "Luku"], [["=HYPERLINK(\"x\")", "3"], ["-1+1", "4"], ["Tavallinen; nimi", "5"]])
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows == [["Nimi", "Luku"], ["'=HYPERLINK(\"x\")", "3"], ["'-1+1", "4"], ["Tavallinen; nimi", "5"]]
    assert text.endswith("\r\n")


def test_export_of_all_organisations_has_every_field_and_is_audited(staff_client, make_organisation, db):
    from app.models import OrganisationContact, OrganisationPhone

    organisation = make_organisation(
        "Kuopion Muistiyhdistys ry", needs=["Muistisairaus", "Diabetes"], municipalities=["Kuopio"],
        status="pending", volunteer_count=12, member_count=345, sector=sector(db, "Ikääntyneet"),
    )
    organisation.contacts.append(OrganisationContact(email="sihteeri@muisti.example"))
    organisation.phones.append(OrganisationPhone(number="+358401234567", role="puheenjohtaja"))
    db.session.commit()
    response = staff_client.get("/yllapito/vienti/jarjestot.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    header, row = read_csv(response)
    record = dict(zip(header, row))
    assert record["id"] == str(organisation.id)
    assert record["name"] == "Kuopion Muistiyhdistys ry"
    assert record["status"] == "pending"
    assert record["needs"] == "Diabetes; Muistisairaus"
    assert record["contacts"] == "sihteeri@muisti.example"
    assert record["phones"] == "040 123 4567 (puheenjohtaja)"
    assert record["admin.member_count"] == "345"
    assert record["admin.volunteer_count"] == "12"
    assert record["admin.sector"] == "Ikääntyneet"
    assert record["nationwide"] == "ei"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert (event.actor, event.object_type) == (STAFF_EMAIL, "organisation")
    # The log names the file as it was served (with its date), as every other export does.
    served = response.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert event.detail["file"] == served == f"jarjestot-{date.today().isoformat()}.csv"


# --- the public page ------------------------------------------------------------------------------------


def test_public_statistics_page_shows_counts_and_no_admin_figures(client, make_organisation, db):
    organisation = make_organisation(
        "Kuopion Muistiyhdistys ry", needs=["Muistisairaus"], activities=["Vertaistuki"], municipalities=["Kuopio"],
        volunteer_count=987654, member_count=876543, volunteer_hours_per_year=765432,
        sector=sector(db, "Ikääntyneet"), education_background="Sosionomi-merkki",
    )
    make_organisation("Valtakunnallinen liitto ry", nationwide=True, activities=["Vertaistuki"])
    contact_request(db, organisation, datetime(2026, 1, 2))
    response = client.get("/tilastot")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    tables = page_tables(body)
    municipalities = {row[0]: row[1] for row in tables["taulukko-kunnittain"][1:]}
    assert municipalities["Kuopio"] == "1" and municipalities["Koko Suomi"] == "1"
    assert {row[0]: row[1] for row in tables["taulukko-toiminnoittain"][1:]}["Vertaistuki"] == "2"
    assert "taulukko-aiheittain" in tables
    assert body.count("<svg") == 3 and "<title id=" in body and "<desc id=" in body
    for secret in ("987654", "876543", "765432", "Ikääntyneet", "Sosionomi-merkki", "Salainen Pyytäjä",
                   "pyytaja@example.fi", "Vapaaehtoisia", "Jäseniä", ".csv"):
        assert secret not in body


# --- charts ---------------------------------------------------------------------------------------------------


def test_charts_carry_their_numbers_as_text_and_series_differ_by_pattern():
    from app.platform.charts import dot_matrix, grouped_bars, horizontal_bars

    grouped = grouped_bars([("tammikuu 2026", [3, None])], series=["Lähetetty", "Käsitelty"], title="Pyynnöt",
                           chart_id="k")
    assert '<title id="k-otsikko">Pyynnöt</title>' in grouped
    assert "tammikuu 2026: Lähetetty 3, Käsitelty –" in grouped
    assert 'fill="url(#k-viivoitus)"' in grouped and ">Käsitelty</text>" in grouped  # a legend, not colour alone
    matrix = dot_matrix(["Vertaistuki"], ["Kuopio", "Iisalmi"], [[4, 0]], title="Matriisi", chart_id="m")
    assert "Vertaistuki: Kuopio 4" in matrix and matrix.count("<circle") == 1
    assert ">0</text>" in matrix  # a zero is written, not left blank
    bars = horizontal_bars([("Ääni & <kuva>", None), ("Muu", 5)], title="Vapaaehtoiset", chart_id="v")
    assert "Ääni &amp; &lt;kuva&gt;: –; Muu: 5" in bars
    assert 'width="0"' in bars and ">–</text>" in bars



def test_staff_statistics_name_the_terms_in_the_pages_language(staff_client, directory, db):
    db.session.add(WorkshopTheme(name="Viestintä", name_en="Communication", position=1))
    db.session.commit()
    tables = page_tables(staff_client.get("/en/yllapito/tilastot").get_data(as_text=True))
    activities = [row[0] for row in tables["taulukko-toiminta-kunnittain"][1:]]
    assert "Peer support" in activities and "Vertaistuki" not in activities
    gaps = {row[0]: row[1] for row in tables["taulukko-tarpeiden-aukot"][1:]}
    assert gaps["Memory disorders"] == "Memory and neurology" and "Muistisairaus" not in gaps
    sectors = [row[0] for row in tables["taulukko-vapaaehtoiset-toimialoittain"][1:]]
    assert "Social and health care" in sectors and "Sosiaali- ja terveysala" not in sectors
    assert tables["taulukko-tyopajat-teemoittain"][1][0] == "Communication"
    swedish = page_tables(staff_client.get("/sv/yllapito/tilastot").get_data(as_text=True))
    assert "Kamratstöd" in [row[0] for row in swedish["taulukko-toiminta-kunnittain"][1:]]


def test_a_year_not_on_the_list_is_named_next_to_the_period(staff_client, db):
    page = staff_client.get('/en/yllapito/tilastot?vuosi=1999<b>')
    assert page.status_code == 200
    assert 'id="vuosi-virhe"' in page.text and 'aria-invalid="true"' in page.text
    assert "There are no statistics for 1999&lt;b&gt;. Choose a year from the list." in page.text
    assert "Showing: the last 12 months." in page.text
    assert 'id="vuosi-virhe"' not in staff_client.get("/yllapito/tilastot?vuosi=").text
    assert 'id="vuosi-virhe"' not in staff_client.get(f"/yllapito/tilastot?vuosi={date.today().year}").text
