"""Public view: "Tilastot", the counts anyone may see (no admin-only figures, no contact data)."""
from flask import render_template
from flask_babel import gettext as _, lazy_gettext as _l

from app.admin import figures as stats
from app.directory.routes import bp
from app.platform.charts import horizontal_bars
from app.platform.csv_export import Report, StatTable


def _count_report(name: str, title: str, label: str, rows: list[stats.Count], note: str = "") -> Report:
    table = StatTable.from_counts(name, title, [label, _("Järjestöjä")], rows)
    return Report(table, horizontal_bars(rows, title=title, chart_id=f"kaavio-{name}"), note)


PUBLIC_NOTE = _l("Luvuissa ovat palvelussa julkaistut järjestöt.")


@bp.get("/tilastot")
def statistics():
    """Published organisations per municipality, per activity and per need group."""
    reports = [
        _count_report(
            "kunnittain", _("Järjestöt kunnittain"), _("Kunta"), stats.organisations_per_municipality(),
            _("Valtakunnalliset järjestöt toimivat kaikissa kunnissa; ne ovat omalla rivillään ”Koko Suomi”."),
        ),
        _count_report("toiminnoittain", _("Järjestöt toimintamuodoittain"), _("Toimintamuoto"),
                      stats.organisations_per_activity()),
        _count_report("aiheittain", _("Järjestöt aiheittain"), _("Aihe"), stats.organisations_per_need_group(),
                      _("Järjestö lasketaan jokaiseen aiheeseen, jonka tarpeisiin se tarjoaa tukea.")),
    ]
    return render_template("directory/statistics.html", reports=reports, note=PUBLIC_NOTE)
