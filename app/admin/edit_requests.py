"""Staff views: edit_requests."""
from app.admin.blueprint import bp  # noqa: F401
