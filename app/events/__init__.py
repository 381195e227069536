"""The centre's own events: the public list and calendar, sign-up with a waiting list, staff handling."""
from flask import Flask


def register(app: Flask) -> None:
    """Attach the views (staff views to the admin blueprint) and register the blueprint."""
    from app.events import feedback_routes, staff_routes  # noqa: F401
    from app.events.routes import bp

    app.register_blueprint(bp, url_prefix="/tapahtumat")
