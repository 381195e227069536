"""Public directory pages: one organisation, all organisations A–Z."""
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for

from app.contact.forms import ContactRequestForm
from app.contact.requests import recipients
from app.directory.reads import (
    filter_choices,
    organisations_a_to_z,
    published_members,
    published_organisation_or_404,
    published_parent,
)
from app.platform.validation import database_ids
from app.search.index import directory_version
from app.search.page import search_to_return_to, search_url

bp = Blueprint("directory", __name__)


@bp.get("/jarjestot/<int:organisation_id>")
def organisation(organisation_id: int):
    """Everything public about one organisation."""
    found = published_organisation_or_404(organisation_id)
    search_args = search_to_return_to(request.args.get("haku"), request.referrer, request.host)
    return render_template(
        "directory/organisation.html",
        organisation=found,
        back_url=search_url(search_args),
        # The tray button returns here without JavaScript, still knowing the search.
        this_page_url=url_for("directory.organisation", organisation_id=found.id,
                              **({"haku": urlencode(search_args)} if search_args else {})),
        parent=published_parent(found),
        members=published_members(found),
        today=date.today(),
        can_receive_requests=bool(recipients(found)),
        form=ContactRequestForm(),
        organisations=[found],
        action=url_for("contact.contact_organisation", organisation_id=found.id),
    )


@bp.get("/jarjestot")
def organisations():
    """All published organisations A–Z, grouped by letter; `kirjain` and `kunta` narrow the list."""
    municipalities = filter_choices(directory_version()).municipalities
    known = dict(municipalities)
    municipality_id = next((i for i in database_ids(request.args.getlist("kunta")) if i in known), None)
    listing = organisations_a_to_z(municipality_id, request.args.get("kirjain"))
    return render_template(
        "directory/organisations.html",
        listing=listing,
        municipality_id=municipality_id,
        municipality_name=known.get(municipality_id),
        municipality_choices=municipalities,
    )
