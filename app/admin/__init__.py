"""Staff administration under /yllapito.

Importing the view modules attaches their views to the blueprint.
"""
from app.admin import (  # noqa: F401
    access,
    audit,
    dashboard,
    edit_requests,
    erasure,
    history,
    organisations,
    statistics,
    taxonomy,
    workshops,
)
from app.admin.blueprint import bp

__all__ = ["bp"]
