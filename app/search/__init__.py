"""Search: Finnish analysis, the index, what a query means, the one search() for page and API."""
from flask import Flask


def register(app: Flask) -> None:
    """Register the blueprint; in production, log which Finnish analyser the search uses."""
    from app.search.analysis import analyser_name
    from app.search.routes import bp

    app.register_blueprint(bp)
    if not (app.debug or app.testing):
        # Production starts with either analyser; without Voikko the analysis module also warns.
        app.logger.info("Finnish search analyser: %s", analyser_name())
