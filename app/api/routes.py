"""Read-only JSON API: the same search as the page, organisation details, the taxonomy.

Only public fields are written out, key by key: the admin-only figures and the
contact e-mails never reach a response because nothing here names them.
"""
from flask import Blueprint, current_app, jsonify, request

from app.api.filters import search_query
from app.api.openapi import openapi_document
from app.api.parameters import answer_invalid_parameters, refuse_unknown, slug
from app.directory.reads import published_organisation_or_404, published_parent, taxonomy_choices
from app.models import Organisation
from app.platform.region import current_region
from app.platform.tokens import link_url
from app.search.cards import ResultCard
from app.search.engine import search
from app.search.index import directory_version
from app.search.query import load_taxonomy

bp = Blueprint("api", __name__)
answer_invalid_parameters(bp)


@bp.before_request
def refuse_parameters_of_no_use():
    """Only the search takes parameters; elsewhere any parameter is a mistake worth naming."""
    if request.endpoint != "api.list_organisations":
        refuse_unknown(request.args, set())


def organisation_url(organisation: Organisation | ResultCard) -> str:
    return link_url("directory.organisation", organisation_id=organisation.id)


def organisation_summary(card: ResultCard) -> dict:
    return {
        "id": card.id,
        "name": card.name,
        "description": card.description,
        "description_sv": card.description_sv,
        "description_en": card.description_en,
        "municipalities": list(card.municipalities),
        "nationwide": card.nationwide,
        "needs": list(card.needs),
        "activities": list(card.activities),
        "url": organisation_url(card),
    }


def organisation_detail(organisation: Organisation) -> dict:
    parent = published_parent(organisation)
    return {
        **organisation_summary(ResultCard.of(organisation, load_taxonomy(directory_version()).labels("fi"))),
        "org_type": organisation.org_type,
        "business_id": organisation.business_id,
        "parent": {"id": parent.id, "name": parent.name, "url": organisation_url(parent)} if parent else None,
        "street_address": organisation.street_address,
        "postal_code": organisation.postal_code,
        "post_office": organisation.post_office,
        "phones": [{"number": phone.number, "role": phone.role} for phone in organisation.phones],
        "email": organisation.email,
        "website": organisation.website,
        "meeting_times": organisation.meeting_times,
        "keywords": organisation.keyword_list,
        "languages": list(organisation.languages or []),
        "accessibility": {
            "step_free_access": organisation.step_free_access,
            "accessible_toilet": organisation.accessible_toilet,
            "induction_loop": organisation.induction_loop,
            "notes": organisation.accessibility_notes,
        },
        "paused_until": organisation.paused_until.isoformat() if organisation.paused_until else None,
        "paused_note": organisation.paused_note,
        "confirmed_at": organisation.confirmed_at.date().isoformat() if organisation.confirmed_at else None,
        "updated_at": organisation.updated_at.isoformat(timespec="seconds") + "Z",
    }


@bp.get("/organisations")
def list_organisations():
    """Search with the parameters of the search page; results in rank order."""
    result = search(search_query(request.args, current_app.config["SEARCH_PAGE_SIZE"]))
    return jsonify(
        {
            "total": result.total,
            "page": result.page,
            "results": [organisation_summary(organisation) for organisation in result.organisations],
        }
    )


@bp.get("/organisations/<int:organisation_id>")
def show_organisation(organisation_id: int):
    """Every public field of one published organisation."""
    return jsonify(organisation_detail(published_organisation_or_404(organisation_id)))


def _translations(term, *attributes: str) -> dict[str, str]:
    """The Swedish and English texts of a term ("name_sv", "name_en", …); empty when not translated."""
    return {f"{attribute}_{language}": getattr(term, f"{attribute}_{language}") for attribute in attributes
            for language in ("sv", "en")}


@bp.get("/taxonomy")
def taxonomy():
    """Needs, activities and municipalities with the ids the filters take."""
    lists = taxonomy_choices()
    return jsonify(
        {
            "needs": [
                {"id": n.id, "name": n.name, "slug": slug(n.name), "group": n.group, **_translations(n, "name", "group")}
                for n in lists.needs
            ],
            "activities": [
                {
                    "id": a.id, "name": a.name, "slug": slug(a.name), "description": a.description,
                    **_translations(a, "name", "description"),
                }
                for a in lists.activities
            ],
            "municipalities": [
                {"id": m.id, "code": m.code, "name": m.name_fi, "slug": slug(m.name_fi), "name_sv": m.name_sv}
                for m in lists.municipalities
            ],
        }
    )


@bp.get("/", strict_slashes=False)
def index():
    """Where everything is: the resources and the OpenAPI document."""
    return jsonify({
        "organisations": link_url("api.list_organisations"),
        "organisation": link_url("api.list_organisations") + "/{id}",
        "taxonomy": link_url("api.taxonomy"),
        "openapi": link_url("api.openapi"),
        "hsds": link_url("hsds.index"),
    })


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    region_name = current_region().in_language("en").nominative
    return jsonify(openapi_document(current_app.config["BASE_URL"] + "/api/v1", region_name))
