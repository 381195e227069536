"""Staff views: organisations."""
from app.admin.blueprint import bp  # noqa: F401
