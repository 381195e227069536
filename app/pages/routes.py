"""Information pages: instructions, plain-language instructions, accessibility, privacy."""
from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)


@bp.get("/ohjeet")
def instructions():
    """How to search, how organisations join, how to reach us."""
    return render_template("pages/instructions.html", staff_email=current_app.config["STAFF_NOTIFY_EMAIL"])

@bp.get("/ohjeet/selkokieli")
def instructions_plain():
    """The instructions in plain language (selkokieli)."""
    return render_template("pages/instructions_plain.html", staff_email=current_app.config["STAFF_NOTIFY_EMAIL"])

@bp.get("/saavutettavuusseloste")
def accessibility():
    """Accessibility statement (saavutettavuusseloste)."""
    return render_template("pages/accessibility.html", staff_email=current_app.config["STAFF_NOTIFY_EMAIL"])

@bp.get("/tietosuojaseloste")
def privacy():
    """Privacy notice (tietosuojaseloste)."""
    return render_template("pages/privacy.html", staff_email=current_app.config["STAFF_NOTIFY_EMAIL"])
