"""Two-hour tailored workshops: ordering, handling by staff, calendar and feedback."""
from flask import Flask


def register(app: Flask) -> None:
    """Attach the views (staff views to the admin blueprint) and register the blueprint."""
    from app.workshops import staff_booking, staff_routes  # noqa: F401
    from app.workshops.routes import bp

    app.register_blueprint(bp, url_prefix="/tyopajat")
