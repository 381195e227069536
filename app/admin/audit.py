"""Staff views: audit."""
from app.admin.blueprint import bp  # noqa: F401
