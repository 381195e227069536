"""Public pages. Importing the view modules attaches their views to the blueprint."""
from app.public import contact_views, routes, statistics, tray_views  # noqa: F401
from app.public.routes import bp

__all__ = ["bp"]
