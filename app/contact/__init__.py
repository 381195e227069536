"""Contact requests and the tray (tarjotin)."""
from flask import Flask


def register(app: Flask) -> None:
    """Attach the tray's views to the blueprint and register it (contact has no staff views)."""
    from app.contact import tray_routes  # noqa: F401
    from app.contact.routes import bp

    app.register_blueprint(bp)
