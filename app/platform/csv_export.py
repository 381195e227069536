"""CSV files for staff: the statistics tables and the export of every organisation.

The files are UTF-8 with a byte-order mark and separated by semicolons: Excel
with Finnish settings (where the comma is the decimal separator) opens such a
file straight into columns with ä and ö intact, and LibreOffice and scripts
read it too.  Text that a spreadsheet would run as a formula (=, +, -, @ at
the start) gets a leading apostrophe, since organisation names and
descriptions are typed by the public.
"""
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from markupsafe import Markup

from app.directory.contacts import contact_text
from app.directory.records import ADMIN_KEYS, RECORD_KEYS, every_organisation, organisation_record
from app.platform.validation import format_phone_fi

DELIMITER = ";"
BOM = "\ufeff"
MIMETYPE = "text/csv; charset=utf-8"
# Shown instead of a figure based on fewer than statistics.MIN_ORGANISATIONS organisations.
SUPPRESSED_MARK = "–"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class StatTable:
    """One statistics table: the same rows feed the HTML table, the chart's numbers and the CSV."""

    name: str  # the CSV file name without .csv
    title: str
    columns: list[str]  # the first names the row labels
    rows: list[list] = field(default_factory=list)  # [label, value, …]; None is a suppressed value

    def text_rows(self) -> list[list[str]]:
        return [[cell_text(value) for value in row] for row in self.rows]

    @classmethod
    def from_counts(cls, name: str, title: str, columns: list[str], counts) -> "StatTable":
        """A two-column table from (label, count) rows."""
        return cls(name, title, columns, [[label, count] for label, count in counts])


@dataclass
class Report:
    """A statistics table with its chart and an explanation, as a page shows them."""

    table: StatTable
    chart: Markup
    note: str = ""
    # A cross table is wide: it scrolls sideways on a narrow screen.
    wide: bool = False


def cell_text(value) -> str:
    """A value as the table and the CSV show it."""
    if value is None:
        return SUPPRESSED_MARK
    if isinstance(value, bool):
        return "kyllä" if value else "ei"
    return str(value)


def _safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    """A whole CSV file as text, starting with the byte-order mark."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([_safe(cell) for cell in row])
    return buffer.getvalue()


def table_csv(table: StatTable) -> str:
    return csv_text(table.columns, table.text_rows())


def organisation_export_header() -> list[str]:
    """Every field of the JSONL record (admin figures as admin.<key>), plus id and dates."""
    keys = [key for key in RECORD_KEYS if key != "admin"] + [f"admin.{key}" for key in ADMIN_KEYS]
    return ["id", *keys, "created_at", "updated_at", "deleted_at"]


def _record_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_list_item(item) for item in value)
    return cell_text(value)


def _list_item(item) -> str:
    if isinstance(item, dict) and "email" in item:  # a contact: {"email": …, "name": …, "role": …, "phone": …}
        return contact_text(item)
    if isinstance(item, dict):  # a phone: {"number": E.164, "role": …}
        number = format_phone_fi(item["number"])
        return f"{number} ({item['role']})" if item["role"] else number
    return str(item)


def organisation_export_rows() -> Iterator[list[str]]:
    """One row per organisation in every status, in id order, with contacts and admin-only figures."""
    for organisation in every_organisation():
        record = organisation_record(organisation)
        admin = record.pop("admin")
        cells = [str(organisation.id)]
        cells += [_record_cell(record[key]) for key in RECORD_KEYS if key != "admin"]
        cells += [_record_cell(admin[key]) for key in ADMIN_KEYS]
        cells += [
            _record_cell(value.isoformat(timespec="seconds") if value else None)
            for value in (organisation.created_at, organisation.updated_at, organisation.deleted_at)
        ]
        yield cells


def organisations_csv() -> str:
    return csv_text(organisation_export_header(), organisation_export_rows())
