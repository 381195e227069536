"""Staff views: statistics."""
from app.admin.blueprint import bp  # noqa: F401
