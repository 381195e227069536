"""`/terveys`: is the web process up?  For load balancers, uptime checks and benchmarks.

It touches neither the database nor the session, so it answers even when the
database is busy, and its throughput is the ceiling the other routes are
measured against (bench/load.py).
"""
from flask import Blueprint, Response

bp = Blueprint("health", __name__)


@bp.get("/terveys")
def health():
    """Answer "ok" as plain text."""
    return Response("ok", mimetype="text/plain", headers={"Cache-Control": "no-store"})
