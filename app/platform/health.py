"""`/terveys`: is the web process up, and which Finnish analyser does its search use?

For load balancers, uptime checks and benchmarks.  It touches neither the database
nor the session, so it answers even when the database is busy, and its throughput
is the ceiling the other routes are measured against (bench/load.py).  The second
line names the analyser ("voikko", or the weaker fallback "simplemma+snowball"), so
a deployment can check that Voikko was found.
"""
from flask import Blueprint, Response

from app.search.analysis import analyser_name

bp = Blueprint("health", __name__)


@bp.get("/terveys")
def health():
    """Answer "ok" and the search analyser as plain text."""
    body = f"ok\nsearch analyser: {analyser_name()}\n"
    return Response(body, mimetype="text/plain", headers={"Cache-Control": "no-store"})
