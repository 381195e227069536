"""The staff blueprint. Every view module of app/admin attaches its views to it."""
from flask import Blueprint

bp = Blueprint("admin", __name__)
