"""The OpenAPI 3.1 description of the HSDS API (app/api/hsds/routes.py).

The paths and parameters are those of the specification's openapi.json that
we implement.  The record schemas here are deliberately loose (the keys every
record has); the tests validate every answer against the specification's own
compiled JSON schemas, which are too large to serve with each document.
"""

from app.api.hsds.records import TAXONOMIES

UUID = {"type": "string", "format": "uuid"}


def _parameter(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


LIST_PARAMETER_NAMES = ["search", "taxonomy_term_id", "page", "per_page", "modified_after", "full"]
PARAMETERS = {
    "search": _parameter("search", {"type": "string"}, "Full text in Finnish, as on the search page."),
    "taxonomy_term_id": _parameter("taxonomy_term_id", UUID, "Only services with this activity or need (a taxonomy term id)."),
    "page": _parameter("page", {"type": "integer", "minimum": 1, "maximum": 2147483647}, "Page number, from 1."),
    "per_page": _parameter("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Records on a page (20 unless given)."),
    "modified_after": _parameter("modified_after", {"type": "string", "format": "date-time"},
                                 "Only records modified at or after this time (ISO 8601)."),
    "full": _parameter("full", {"type": "boolean"}, "Fully nested records."),
    "full_service": _parameter("full_service", {"type": "boolean"}, "The organization's service fully nested."),
    "taxonomy_id": _parameter("taxonomy_id", {"type": "string", "enum": [t["id"] for t in TAXONOMIES]},
                              "Only the terms of this taxonomy (activities or needs)."),
}


def _record(*required: str) -> dict:
    return {"type": "object", "required": ["id", *required], "properties": {"id": UUID}}


def _page_of(record: dict) -> dict:
    return {
        "type": "object",
        "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
                     "contents"],
        "properties": {
            "total_items": {"type": "integer"}, "total_pages": {"type": "integer"},
            "page_number": {"type": "integer"}, "size": {"type": "integer"},
            "first_page": {"type": "boolean"}, "last_page": {"type": "boolean"}, "empty": {"type": "boolean"},
            "license": {"$ref": "#/components/schemas/License"},
            "contents": {"type": "array", "items": record},
        },
    }


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PROBLEM = {"description": "A parameter is not understood (RFC 9457 problem details)",
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
NOT_FOUND = _json("No published record has this id", {"$ref": "#/components/schemas/Error"})


def _operation(operation_id: str, summary: str, parameters: list[str], ok: dict, *, path_id: bool = False) -> dict:
    operation = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": [PARAMETERS[name] for name in parameters],
        "responses": {"200": ok, "400": PROBLEM},
    }
    if path_id:
        operation["parameters"].insert(0, {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}})
        operation["responses"]["404"] = NOT_FOUND
    return {"get": operation}


def hsds_openapi_document(server_url: str) -> dict:
    organization, service = _record("name", "description"), _record("name", "status")
    term = _record("name", "description")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hyvinvointitarjotin HSDS API",
            "version": "3.0",
            "summary": "The directory's organisations and their services as Open Referral HSDS 3.0.",
            "description": "Read-only. Records follow https://github.com/openreferral/specification/tree/3.0/schema.",
            "license": {"name": "CC BY 4.0 unless the server says otherwise in each answer's Link rel=license",
                        "url": "https://creativecommons.org/licenses/by/4.0/"},
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/": _operation("getAPIMetaInformation", "HSDS version and profile of this API", [], _json(
                "About this API", {"type": "object", "required": ["version", "profile", "openapi_url"],
                                   "properties": {"version": {"type": "string"}, "profile": {"type": "string"},
                                                  "openapi_url": {"type": "string"}}})),
            "/organizations": _operation("getOrganizations", "Organizations", LIST_PARAMETER_NAMES,
                                         _json("A page of organizations", _page_of(organization))),
            "/organizations/{id}": _operation("getOrganizationById", "One organization", ["full_service"],
                                              _json("The organization", organization), path_id=True),
            "/services": _operation("getServices", "Services", LIST_PARAMETER_NAMES,
                                    _json("A page of services", _page_of(service))),
            "/services/{id}": _operation("getFullyNestedServiceById", "One fully nested service", [],
                                         _json("The service", service), path_id=True),
            "/service_at_locations": _operation("getServiceAtLocations", "Services at locations", LIST_PARAMETER_NAMES,
                                                _json("A page of services at locations", _page_of(_record()))),
            "/taxonomies": _operation("getTaxonomies", "Taxonomies", ["page", "per_page"],
                                      _json("A page of taxonomies", _page_of(_record("name", "description")))),
            "/taxonomy_terms": _operation("getTaxonomyTerms", "Taxonomy terms", ["page", "per_page", "taxonomy_id"],
                                          _json("A page of taxonomy terms", _page_of(term))),
            "/datapackage.zip": _operation("getDatapackage", "The whole directory as an HSDS Tabular Data Package", [], {
                "description": "ZIP of CSV files and datapackage.json", "content": {"application/zip": {}}}),
            "/openapi.json": {"get": {"operationId": "getOpenApi", "summary": "This document",
                                      "responses": {"200": {"description": "OpenAPI 3.1 document",
                                                            "content": {"application/json": {}}}}}},
        },
        "components": {"schemas": {
            "License": {"type": "object", "required": ["name", "url"],
                        "properties": {"name": {"type": "string"}, "url": {"type": "string"}}},
            "Problem": {"type": "object", "required": ["title", "status", "detail", "invalid_params"],
                        "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                                       "status": {"type": "integer"}, "detail": {"type": "string"},
                                       "invalid_params": {"type": "array", "items": {
                                           "type": "object", "required": ["name", "reason"],
                                           "properties": {"name": {"type": "string"}, "reason": {"type": "string"}}}}}},
            "Error": {"type": "object", "required": ["error", "status"],
                      "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
        }},
    }
