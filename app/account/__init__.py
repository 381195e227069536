"""Organisation contacts: join and sign in by e-mailed link, their own organisations.

Importing the view modules attaches their views to the blueprint.
"""
from app.account import edit_links, routes  # noqa: F401
from app.account.routes import bp

__all__ = ["bp"]
