"""The directory: organisation pages, A–Z, public figures, revisions and history,
moderation, import/export, freshness, edit requests."""
from flask import Flask


def register(app: Flask) -> None:
    """Attach the views (staff views to the admin blueprint) and register the blueprint."""
    from app.directory import (  # noqa: F401
        staff_duplicates, staff_edit_requests, staff_history, staff_routes, statistics_page,
    )
    from app.directory.form_steps import FIELD_GROUPS
    from app.directory.routes import bp

    app.register_blueprint(bp)
    # The one-page organisation form shows the steps' field groups one after another.
    app.jinja_env.globals["ORGANISATION_FORM_GROUPS"] = FIELD_GROUPS
