"""Staff views: taxonomy."""
from app.admin.blueprint import bp  # noqa: F401
