"""The staff shell under /yllapito: sign-in, dashboard, own settings, audit, erasure, taxonomy, statistics.

Registered after the features, whose staff views attach to the same blueprint.
"""
from flask import Flask


def register(app: Flask) -> None:
    """Attach the staff shell's views to the admin blueprint and register it."""
    from app.admin import access, audit, dashboard, erasure, profile, statistics, taxonomy  # noqa: F401
    from app.admin.blueprint import bp

    app.register_blueprint(bp, url_prefix="/yllapito")
