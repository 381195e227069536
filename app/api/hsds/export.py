"""The bulk export: the whole public directory as an HSDS 3.0 Tabular Data Package.

One CSV per HSDS table, with the columns of the specification's own
datapackage.json (app/data/hsds/, CC BY-SA 4.0, Open Referral) in its order,
tables we have nothing for written with their header only, and that
datapackage.json with our data's licence.  The same records as the API's
(records.py), flattened: a nested list becomes rows of its own table.
"""
import csv
import io
import json
import os
import tempfile
import time
import zipfile
from collections import defaultdict
from datetime import date
from pathlib import Path

from flask import current_app

from app.api.hsds import records
from app.api.hsds.reads import all_terms, published_organisations_in_batches
from app.directory.reads import published_parent
from app.platform.tokens import link_url

SPECIFICATION = Path(__file__).resolve().parents[2] / "data" / "hsds" / "datapackage.json"
# The public download is rebuilt when older than this.
CACHE_SECONDS = 3600


def specification() -> dict:
    return json.loads(SPECIFICATION.read_text(encoding="utf-8"))


def _tables() -> dict[str, list[dict]]:
    """The rows of every table we fill, by HSDS resource name."""
    tables: dict[str, list[dict]] = defaultdict(list)
    today = date.today()
    for organisation in published_organisations_in_batches():
        parent = published_parent(organisation)
        page_url = link_url("directory.organisation", organisation_id=organisation.id)
        tables["organization"].append(records.organization(organisation, page_url, parent))
        tables["service"].append(records.service(organisation, page_url, parent, today, full=False))
        tables["phone"] += records.phones(organisation)
        tables["organization_identifier"] += records.organization_identifiers(organisation)
        tables["service_area"] += records.service_areas(organisation, organisation.municipalities)
        tables["language"] += records.languages(organisation)
        tables["schedule"] += records.schedules(organisation)
        tables["attribute"] += records.attributes(organisation)
        if records.has_location(organisation):
            location = records.location(organisation)
            tables["location"].append(location)
            tables["address"] += location["addresses"]
            tables["accessibility"] += location["accessibility"]
            tables["service_at_location"].append(records.service_at_location(organisation, full=False))
    tables["taxonomy"] = list(records.TAXONOMIES)
    tables["taxonomy_term"] = [records.taxonomy_term(term) for term in all_terms()]
    return tables


def _csv(fields: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def datapackage_files() -> dict[str, str]:
    """File name → text of every file of the package."""
    package = specification()
    config = current_app.config
    package.pop("license", None)
    package.update({
        "name": "hyvinvointitarjotin",
        "title": "Hyvinvointitarjotin: sote-järjestöt ja niiden toiminta (HSDS 3.0)",
        "homepage": config["BASE_URL"] + "/avoin-data",
        "licenses": [{"name": config["DATA_LICENCE"], "path": config["DATA_LICENCE_URL"]}],
        "sources": [{"title": "Human Services Data Specification 3.0: an Open Referral resource",
                     "path": "https://openreferral.org/"}],
    })
    tables = _tables()
    files = {}
    for resource in package["resources"]:
        fields = [field["name"] for field in resource["schema"]["fields"]]
        files[resource["path"]] = _csv(fields, tables.get(resource["name"], []))
    files["datapackage.json"] = json.dumps(package, ensure_ascii=False, indent=2)
    return files


def write_datapackage(directory: Path) -> dict[str, str]:
    """Write the package's files into `directory` (created if missing); returns them."""
    directory.mkdir(parents=True, exist_ok=True)
    files = datapackage_files()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8", newline="")
    return files


def cached_datapackage() -> Path:
    """The zipped package in the instance folder, rebuilt when older than CACHE_SECONDS.

    A file rather than memory: every worker serves the same copy, and it
    survives restarts.  Written to a temporary name and renamed, so a download
    never reads a half-written file.
    """
    path = Path(current_app.config.get("HSDS_DATAPACKAGE_PATH") or Path(current_app.instance_path) / "hsds-datapackage.zip")
    if path.exists() and time.time() - path.stat().st_mtime < CACHE_SECONDS:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".zip.tmp")
    with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in datapackage_files().items():
            archive.writestr(name, text)
    os.replace(temporary, path)
    return path
