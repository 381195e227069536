"""Search: Finnish analysis, the index, what a query means, the one search() for page and API."""
from flask import Flask


def register(app: Flask) -> None:
    """Attach the views (staff views to the admin blueprint) and register the blueprint."""
    from app.search.routes import bp

    app.register_blueprint(bp)
