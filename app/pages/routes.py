"""Information pages: instructions, plain-language instructions, accessibility, privacy, open data."""
from flask import Blueprint, current_app, render_template
from markupsafe import Markup

from app.platform.i18n import in_language

bp = Blueprint("pages", __name__)


@bp.get("/ohjeet")
def instructions():
    """How to search, how organisations join, how to reach us."""
    return render_template("pages/instructions.html", staff_email=current_app.config["STAFF_NOTIFY_EMAIL"])

@bp.get("/ohjeet/selkokieli")
def instructions_plain():
    """The instructions in plain language (selkokieli), which is Finnish under every language's page frame."""
    with in_language("fi"):
        content = render_template("pages/_plain_content.html", staff_email=current_app.config["STAFF_NOTIFY_EMAIL"])
    return render_template("pages/instructions_plain.html", content=Markup(content))

@bp.get("/saavutettavuusseloste")
def accessibility():
    """Accessibility statement (saavutettavuusseloste)."""
    return render_template("pages/accessibility.html", staff_email=current_app.config["STAFF_NOTIFY_EMAIL"])

@bp.get("/tietosuojaseloste")
def privacy():
    """Privacy notice (tietosuojaseloste)."""
    return render_template("pages/privacy.html", staff_email=current_app.config["STAFF_NOTIFY_EMAIL"])


@bp.get("/avoin-data")
def open_data():
    """What the open data is: the APIs, the bulk download and the licence, with examples."""
    config = current_app.config
    return render_template(
        "pages/open_data.html",
        base_url=config["BASE_URL"],
        licence=config["DATA_LICENCE"],
        licence_url=config["DATA_LICENCE_URL"],
        staff_email=config["STAFF_NOTIFY_EMAIL"],
    )
