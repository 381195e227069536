"""The directory: organisation pages, A–Z, public figures, revisions and history,
moderation, import/export, freshness, edit requests."""
from flask import Flask


def register(app: Flask) -> None:
    """Attach the views (staff views to the admin blueprint) and register the blueprint."""
    from app.directory import (  # noqa: F401
        staff_duplicates, staff_edit_requests, staff_history, staff_routes, statistics_page,
    )
    from app.directory.form_steps import FIELD_GROUPS
    from app.directory.reads import alphabetical
    from app.directory.routes import bp

    app.register_blueprint(bp)
    # Needs and municipalities A–Z as the page's language writes them (the database orders them in Finnish).
    app.jinja_env.filters["alphabetical"] = alphabetical
    # The one-page organisation form shows the steps' field groups one after another.
    app.jinja_env.globals["ORGANISATION_FORM_GROUPS"] = FIELD_GROUPS
