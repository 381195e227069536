"""The search page: by need, activity, area and words."""
from datetime import date

from flask import Blueprint, current_app, request

from app.platform.i18n import current_language
from app.platform.templating import render_page
from app.search.engine import SearchQuery, search as run_search
from app.search.page import search_page_context

bp = Blueprint("search", __name__)


@bp.get("/")
@bp.get("/haku")
def search():
    """Search by need, activity, area and words; without any, list everything A–Z."""
    query = SearchQuery.from_args(
        request.args, page_size=current_app.config["SEARCH_PAGE_SIZE"], language=current_language()
    )
    context = search_page_context(run_search(query))
    return render_page("search/search.html", "search/_search_partial.html", today=date.today(), **context)
