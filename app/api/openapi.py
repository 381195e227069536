"""The OpenAPI 3.1 description of the read-only API in app/api/routes.py.

Kept next to the routes and checked by tests/test_api.py against the real
responses, so the document cannot drift from what the API answers.
"""
from app.models import LANGUAGES
from app.platform.errors import MAX_URL_LENGTH
from app.platform.validation import MAX_DATABASE_ID
from app.search.engine import SORTS
from app.search.query import ACCESSIBILITY_PARAMETERS

STRING_LIST = {"type": "array", "items": {"type": "string"}}
TRISTATE = {"type": "string", "enum": ["yes", "no", "unknown"]}


def _list_parameter(name: str, what: str, items: dict) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{what}. Repeat the parameter to match any of several (OR); different parameters "
        "combine with AND. A value that names nothing is refused (400), never ignored.",
        "schema": {"type": "array", "items": items},
        "style": "form",
        "explode": True,
    }


def _id_list_parameter(name: str, what: str) -> dict:
    return _list_parameter(name, f"{what}: its id, name or slug from /taxonomy", {"type": "string", "minLength": 1})


SEARCH_PARAMETERS = [
    {
        "name": "q",
        "in": "query",
        "required": False,
        "description": "Free text in Finnish (any inflected form), Swedish or English. A municipality named in "
        "the text, in any Finnish case form or by its Swedish name, filters by that municipality; a word asking "
        "for a language or an accessibility feature (\"ruotsiksi\", \"viittomakieli\", \"esteetön\", "
        "\"induktiosilmukka\") filters by it as `kieli` and `esteettomyys` do. At most 200 characters are used.",
        "schema": {"type": "string", "maxLength": 200},
    },
    _id_list_parameter("tarve", "Need or diagnosis"),
    _id_list_parameter("toiminta", "Activity"),
    _id_list_parameter("kunta", "Municipality, also by its three-digit official code; nationwide organisations "
                       "match every municipality"),
    _list_parameter("kieli", "Language the activity is in", {"type": "string", "enum": list(LANGUAGES)}),
    {
        **_list_parameter("esteettomyys", "Accessibility feature the place has", {
            "type": "string", "enum": list(ACCESSIBILITY_PARAMETERS)}),
        "description": "Accessibility feature the place has (step-free access, accessible toilet, induction loop). "
        "Repeated, all must be there (AND). A value that names nothing is refused (400).",
    },
    {
        "name": "jarjestys",
        "in": "query",
        "required": False,
        "description": "Order of the results. osuvuus (relevance, the default): organisations that have the needs "
        "and activities the text names first, then, when a municipality is chosen or named, those active in it "
        "before nationwide ones, then the better text match; without text or filters A–Z. nimi: A–Z by name. "
        "tarkistettu: the most recently checked details first. Another value is refused (400).",
        "schema": {"type": "string", "enum": list(SORTS), "default": "osuvuus"},
    },
    {
        "name": "sivu",
        "in": "query",
        "required": False,
        "description": "Page number, starting at 1. A page holds 20 results unless the server is configured otherwise. "
        "A value that is not a whole number of at least 1 is refused (400); past the last page reads as the last.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DATABASE_ID, "default": 1},
    },
]

def translated_keys(*attributes: str) -> list[str]:
    """The Swedish and English keys of the attributes: name_sv, name_en, …"""
    return [f"{attribute}_{language}" for attribute in attributes for language in ("sv", "en")]


def translated_properties(*attributes: str) -> dict:
    return {
        key: {"type": "string", "description": "Empty when not translated: use the Finnish one."}
        for key in translated_keys(*attributes)
    }


SCHEMAS = {
    "OrganisationSummary": {
        "type": "object",
        "required": [
            "id", "name", "description", "description_sv", "description_en", "municipalities", "nationwide", "needs",
            "activities", "url",
        ],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "description": {"type": "string", "description": "One or two sentences, in Finnish."},
            "description_sv": {"type": "string", "description": "The description in Swedish; empty when not given."},
            "description_en": {"type": "string", "description": "The description in English; empty when not given."},
            "municipalities": {**STRING_LIST, "description": "Area of operation (Finnish names)."},
            "nationwide": {"type": "boolean", "description": "Operates in the whole of Finland."},
            "needs": {**STRING_LIST, "description": "Finnish names (the taxonomy has the others)."},
            "activities": {**STRING_LIST, "description": "Finnish names (the taxonomy has the others)."},
            "url": {"type": "string", "format": "uri", "description": "The organisation's public page."},
        },
    },
    "Organisation": {
        "allOf": [
            {"$ref": "#/components/schemas/OrganisationSummary"},
            {
                "type": "object",
                "required": [
                    "org_type", "business_id", "parent", "street_address", "postal_code", "post_office",
                    "phones", "email", "website", "meeting_times", "keywords", "languages",
                    "accessibility", "paused_until", "paused_note", "confirmed_at", "updated_at",
                ],
                "properties": {
                    "org_type": {"type": "string", "enum": ["liitto", "yhdistys", "ryhma", "muu"]},
                    "business_id": {"type": ["string", "null"], "description": "Y-tunnus, e.g. 1234567-1."},
                    "parent": {
                        "oneOf": [{"$ref": "#/components/schemas/ParentOrganisation"}, {"type": "null"}],
                        "description": "The federation this association belongs to, when it is public.",
                    },
                    "street_address": {"type": "string"},
                    "postal_code": {"type": "string"},
                    "post_office": {"type": "string"},
                    "phones": {"type": "array", "items": {"$ref": "#/components/schemas/Phone"}},
                    "email": {"type": "string"},
                    "website": {"type": "string"},
                    "meeting_times": {"type": "string"},
                    "keywords": STRING_LIST,
                    "languages": {
                        "type": "array",
                        "items": {"type": "string", "enum": ["fi", "sv", "en", "selkokieli", "viittomakieli", "muu"]},
                    },
                    "accessibility": {"$ref": "#/components/schemas/Accessibility"},
                    "paused_until": {
                        "type": ["string", "null"],
                        "format": "date",
                        "description": "Activity is paused until this date.",
                    },
                    "paused_note": {"type": "string"},
                    "confirmed_at": {
                        "type": ["string", "null"],
                        "format": "date",
                        "description": "When the details were last confirmed as current.",
                    },
                    "updated_at": {"type": "string", "format": "date-time"},
                },
            },
        ]
    },
    "ParentOrganisation": {
        "type": "object",
        "required": ["id", "name", "url"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "url": {"type": "string", "format": "uri"}},
    },
    "Phone": {
        "type": "object",
        "required": ["number", "role"],
        "properties": {
            "number": {"type": "string", "description": "E.164, e.g. +358401234567."},
            "role": {"type": "string", "description": "Whose number it is, e.g. \"vertaistukiryhmän ohjaaja\"."},
        },
    },
    "Accessibility": {
        "type": "object",
        "required": ["step_free_access", "accessible_toilet", "induction_loop", "notes"],
        "properties": {
            "step_free_access": TRISTATE,
            "accessible_toilet": TRISTATE,
            "induction_loop": TRISTATE,
            "notes": {"type": "string"},
        },
    },
    "SearchResults": {
        "type": "object",
        "required": ["total", "page", "results"],
        "properties": {
            "total": {"type": "integer", "description": "Matches on all pages."},
            "page": {"type": "integer"},
            "results": {
                "type": "array",
                "description": "In rank order; alphabetical when there is no text.",
                "items": {"$ref": "#/components/schemas/OrganisationSummary"},
            },
        },
    },
    "Taxonomy": {
        "type": "object",
        "required": ["needs", "activities", "municipalities"],
        "properties": {
            "needs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name", "slug", "group", *translated_keys("name", "group")],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "slug": {"type": "string"},
                                   "group": {"type": "string"}, **translated_properties("name", "group")},
                },
            },
            "activities": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name", "slug", "description", *translated_keys("name", "description")],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "slug": {"type": "string"},
                        "description": {"type": "string"},
                        **translated_properties("name", "description"),
                    },
                },
            },
            "municipalities": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "code", "name", "slug", "name_sv"],
                    "properties": {
                        "id": {"type": "integer"},
                        "code": {"type": "string", "description": "Official municipality code."},
                        "name": {"type": "string"},
                        "slug": {"type": "string"},
                        "name_sv": {"type": ["string", "null"]},
                    },
                },
            },
        },
    },
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details: every parameter not understood, by name.",
        "required": ["type", "title", "status", "detail", "invalid_params"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string", "description": "What went wrong, in Finnish."},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "invalid_params": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "reason"],
                    "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
                },
            },
        },
    },
    "Index": {
        "type": "object",
        "required": ["organisations", "organisation", "taxonomy", "openapi", "hsds"],
        "properties": {name: {"type": "string"} for name in ("organisations", "organisation", "taxonomy", "openapi", "hsds")},
    },
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {
            "error": {"type": "string", "description": "What went wrong, in Finnish."},
            "status": {"type": "integer"},
            "detail": {"type": "string", "description": "Which parameter to fix, when one is wrong."},
        },
    },
}


def _json(description: str, schema_name: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


TOO_LONG = {"414": _json(f"The URL is longer than {MAX_URL_LENGTH} characters", "Error")}
REFUSED = {"400": {
    "description": "A parameter is unknown or has a value that names nothing",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}}


def openapi_document(server_url: str, region_name: str) -> dict:
    """The whole document, with the configured BASE_URL as the server and the region's English name."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hyvinvointitarjotin API",
            "version": "1",
            "summary": f"Public social- and health-care organisations of {region_name} and what they offer.",
            "description": "Read-only. Returns only published organisations and only their public details.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/": {
                "get": {
                    "operationId": "getIndex",
                    "summary": "Links to the resources of this API and to this document",
                    "responses": {"200": _json("The links", "Index"), **REFUSED, **TOO_LONG},
                }
            },
            "/organisations": {
                "get": {
                    "operationId": "searchOrganisations",
                    "summary": "Search organisations with the parameters of the search page",
                    "parameters": SEARCH_PARAMETERS,
                    "responses": {
                        "200": _json("One page of results", "SearchResults"),
                        **REFUSED,
                        **TOO_LONG,
                    },
                }
            },
            "/organisations/{id}": {
                "get": {
                    "operationId": "getOrganisation",
                    "summary": "Every public detail of one organisation",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": _json("The organisation", "Organisation"),
                        **REFUSED,
                        "404": _json("No published organisation has this id", "Error"),
                        **TOO_LONG,
                    },
                }
            },
            "/taxonomy": {
                "get": {
                    "operationId": "getTaxonomy",
                    "summary": "Needs, activities and municipalities with the ids the filters take",
                    "responses": {"200": _json("The taxonomy", "Taxonomy"), **REFUSED, **TOO_LONG},
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1 document", "content": {"application/json": {}}}},
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
