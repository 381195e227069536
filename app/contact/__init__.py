"""Contact requests and the tray (tarjotin)."""
from flask import Flask


def register(app: Flask) -> None:
    """Attach the views (staff views to the admin blueprint) and register the blueprint."""
    from app.contact import tray_routes  # noqa: F401
    from app.contact.routes import bp

    app.register_blueprint(bp)
