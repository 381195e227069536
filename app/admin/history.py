"""Staff views: history."""
from app.admin.blueprint import bp  # noqa: F401
