"""The HSDS 3.0 API (Open Referral) under /api/hsds: organizations, services, taxonomies.

Paths, parameters and the paging wrapper follow the specification's
openapi.json; records are built in records.py.  Parameters the API does not
implement are refused with a 400 naming them, never ignored.
"""
import io
import time
from datetime import date

from flask import Blueprint, abort, current_app, jsonify, request, send_file

from app.api.hsds import records
from app.api.hsds.export import CACHE_SECONDS, cached_datapackage
from app.api.hsds.openapi import LIST_PARAMETER_NAMES, hsds_openapi_document
from app.api.hsds.reads import (
    all_terms,
    find_organisations,
    published_by_derived_id,
    published_by_uuid,
    term_by_uuid,
)
from app.api.parameters import (
    InvalidParameters,
    answer_invalid_parameters,
    boolean,
    page_number,
    refuse_unknown,
    search_text,
    timestamp,
)
from app.directory.reads import published_parent
from app.models import Organisation
from app.platform.tokens import link_url
from app.search.engine import MAX_TEXT_LENGTH

bp = Blueprint("hsds", __name__)
answer_invalid_parameters(bp)

LIST_PARAMETERS = set(LIST_PARAMETER_NAMES)
TERM_PARAMETERS = {"page", "per_page", "taxonomy_id"}
PAGING_PARAMETERS = {"page", "per_page"}
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20


def licence() -> dict:
    return {"name": current_app.config["DATA_LICENCE"], "url": current_app.config["DATA_LICENCE_URL"]}


@bp.after_request
def name_the_licence(response):
    """Every answer names the data's licence (RFC 4946), records included, whose schemas have no place for it."""
    response.headers.add("Link", f'<{current_app.config["DATA_LICENCE_URL"]}>; rel="license"')
    return response


def _page(contents: list, total: int, page: int, per_page: int) -> dict:
    total_pages = max(1, -(-total // per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "license": licence(),
        "contents": contents,
    }


def _paging(known: set[str]) -> tuple[int, int]:
    # Several taxonomy terms narrow together (see find_organisations); every other parameter takes one value.
    refuse_unknown(request.args, known, repeatable=frozenset({"taxonomy_term_id"}))
    return page_number(request.args, "page"), page_number(request.args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)


def _page_url(organisation: Organisation) -> str:
    return link_url("directory.organisation", organisation_id=organisation.id)


def _found(page: int, per_page: int, *, with_location: bool = False):
    terms = []
    for value in request.args.getlist("taxonomy_term_id"):
        term = term_by_uuid(value)
        if term is None:
            raise InvalidParameters([("taxonomy_term_id", "names no taxonomy term (see /taxonomy_terms)")])
        terms.append(term)
    return find_organisations(
        search_text(request.args, "search", MAX_TEXT_LENGTH), terms, timestamp(request.args, "modified_after"), page, per_page,
        with_location=with_location,
    )


@bp.get("/", strict_slashes=False)
def index():
    """The HSDS version and profile of this API, and where its description is."""
    refuse_unknown(request.args, set())
    return jsonify({
        "version": records.HSDS_VERSION,
        "profile": records.PROFILE_URL,
        "openapi_url": link_url("hsds.openapi"),
        "datapackage_url": link_url("hsds.datapackage"),
        "license": licence(),
    })


@bp.get("/organizations")
def list_organizations():
    """Organizations, found like the search page finds organisations."""
    page, per_page = _paging(LIST_PARAMETERS)
    full = boolean(request.args, "full")
    found = _found(page, per_page)
    today = date.today()
    contents = [
        records.full_organization(o, _page_url(o), published_parent(o), today, full_service=False) if full
        else records.organization(o, _page_url(o), published_parent(o))
        for o in found.organisations
    ]
    return jsonify(_page(contents, found.total, page, per_page))


@bp.get("/organizations/<organization_id>")
def show_organization(organization_id: str):
    """One organization with its phones, location, identifiers and its service."""
    refuse_unknown(request.args, {"full_service"})
    organisation = published_by_uuid(organization_id) or abort(404)
    return jsonify(records.full_organization(
        organisation, _page_url(organisation), published_parent(organisation), date.today(),
        full_service=boolean(request.args, "full_service"),
    ))


@bp.get("/services")
def list_services():
    """Services (one per organisation), found like the search page finds organisations."""
    page, per_page = _paging(LIST_PARAMETERS)
    full = boolean(request.args, "full")
    found = _found(page, per_page)
    today = date.today()
    contents = [records.service(o, _page_url(o), published_parent(o), today, full=full) for o in found.organisations]
    return jsonify(_page(contents, found.total, page, per_page))


@bp.get("/services/<service_id>")
def show_service(service_id: str):
    """The fully nested service."""
    refuse_unknown(request.args, set())
    organisation = _organisation_of(service_id, "service")
    return jsonify(records.service(
        organisation, _page_url(organisation), published_parent(organisation), date.today(), full=True
    ))


def _organisation_of(derived: str, kind: str) -> Organisation:
    return published_by_derived_id(derived, kind) or abort(404)


@bp.get("/service_at_locations")
def list_service_at_locations():
    """Where services are given: one per organisation that has a location."""
    page, per_page = _paging(LIST_PARAMETERS)
    full = boolean(request.args, "full")
    found = _found(page, per_page, with_location=True)
    contents = [records.service_at_location(o, full=full) for o in found.organisations]
    return jsonify(_page(contents, found.total, page, per_page))


@bp.get("/taxonomies")
def list_taxonomies():
    page, per_page = _paging(PAGING_PARAMETERS)
    chosen = list(records.TAXONOMIES)[(page - 1) * per_page: page * per_page]
    return jsonify(_page(chosen, len(records.TAXONOMIES), page, per_page))


@bp.get("/taxonomy_terms")
def list_taxonomy_terms():
    """Activities and needs, the terms the services' attributes link."""
    page, per_page = _paging(TERM_PARAMETERS)
    terms = [records.taxonomy_term(term) for term in all_terms()]
    taxonomy_id = request.args.get("taxonomy_id")
    if taxonomy_id is not None:
        if taxonomy_id not in {t["id"] for t in records.TAXONOMIES}:
            raise InvalidParameters([("taxonomy_id", "names no taxonomy (see /taxonomies)")])
        terms = [t for t in terms if t["taxonomy_id"] == taxonomy_id]
    return jsonify(_page(terms[(page - 1) * per_page: page * per_page], len(terms), page, per_page))


@bp.get("/datapackage.zip")
def datapackage():
    """The whole directory as an HSDS Tabular Data Package, rebuilt at most hourly."""
    refuse_unknown(request.args, set())
    path = cached_datapackage()
    built = path.stat().st_mtime
    # Kept by a cache only as long as the file itself is kept: a change shows within the hour.
    fresh_for = max(0, int(CACHE_SECONDS - (time.time() - built)))
    # Read whole (a few hundred kilobytes): no file handle is left to a client that never closes the answer.
    return send_file(io.BytesIO(path.read_bytes()), mimetype="application/zip", as_attachment=True,
                     download_name="hyvinvointitarjotin-hsds.zip", max_age=fresh_for,
                     etag=f"{built:.6f}", last_modified=built)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    refuse_unknown(request.args, set())
    return jsonify(hsds_openapi_document(current_app.config["BASE_URL"] + "/api/hsds"))
