"""Public pages: search, organisation pages, info pages."""
from flask import Blueprint

bp = Blueprint("public", __name__)
