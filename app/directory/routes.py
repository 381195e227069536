"""Public directory pages: one organisation, all organisations A–Z."""
from datetime import date

from flask import Blueprint, render_template, url_for

from app.contact.forms import ContactRequestForm
from app.contact.requests import recipients
from app.directory.reads import (
    organisations_by_letter,
    published_members,
    published_organisation_or_404,
    published_parent,
)

bp = Blueprint("directory", __name__)


@bp.get("/jarjestot/<int:organisation_id>")
def organisation(organisation_id: int):
    """Everything public about one organisation."""
    found = published_organisation_or_404(organisation_id)
    return render_template(
        "directory/organisation.html",
        organisation=found,
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
    """All published organisations A–Z, grouped by letter."""
    return render_template("directory/organisations.html", letters=organisations_by_letter())
