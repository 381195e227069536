"""Staff views: dashboard."""
from app.admin.blueprint import bp  # noqa: F401
