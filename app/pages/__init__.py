"""Information pages: instructions (also in plain language), accessibility, privacy."""
from flask import Flask


def register(app: Flask) -> None:
    """Attach the views (staff views to the admin blueprint) and register the blueprint."""
    from app.pages.routes import bp

    app.register_blueprint(bp)
