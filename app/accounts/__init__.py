"""Organisation contacts: join and sign in by e-mailed link, their own organisations."""
from flask import Flask


def register(app: Flask) -> None:
    """Attach the views (staff views to the admin blueprint) and register the blueprint."""
    from app.accounts import claim_routes, edit_links, ending_routes, staff_claims, stepped_form  # noqa: F401
    from app.accounts.routes import bp

    app.register_blueprint(bp, url_prefix="/jarjestoille")
