"""Information pages: instructions (also in plain language), accessibility, privacy, open data."""
from flask import Flask


def register(app: Flask) -> None:
    """Register the blueprint (information pages have no staff views)."""
    from app.pages.routes import bp

    app.register_blueprint(bp)
