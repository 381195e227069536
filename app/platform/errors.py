"""Error pages in the page's language (JSON for the API), never a bare 500 or a stack trace."""
import logging

from flask import Flask, abort, jsonify, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.platform.security import referring_page
from app.platform.typed_values import typed_values

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Virheellinen pyyntö"), _l("Pyyntöä ei voitu käsitellä. Palaa edelliselle sivulle ja yritä uudelleen.")),
    403: (_l("Ei käyttöoikeutta"), _l("Sinulla ei ole oikeutta tähän sivuun.")),
    404: (_l("Sivua ei löytynyt"), _l("Hakemaasi sivua ei ole olemassa tai se on poistettu.")),
    405: (_l("Toiminto ei ole sallittu"), _l("Tätä sivua ei voi käyttää näin.")),
    413: (_l("Lähetys on liian suuri"), _l("Lähettämäsi tiedot ovat liian suuret. Lyhennä tekstiä ja yritä uudelleen.")),
    414: (_l("Osoite on liian pitkä"), _l("Sivun osoite on liian pitkä. Palaa edelliselle sivulle ja hae lyhyemmin sanoin.")),
    429: (_l("Liian monta yritystä"), _l("Olet lähettänyt liian monta pyyntöä lyhyessä ajassa. Odota hetki ja yritä uudelleen.")),
    500: (_l("Jotain meni vikaan"), _l("Palvelussa tapahtui virhe. Yritä hetken kuluttua uudelleen.")),
    503: (_l("Palvelu on hetken ruuhkautunut"), _l("Tietoja ei voitu juuri nyt tallentaa eikä mitään tallentunut puolittain. Yritä hetken kuluttua uudelleen.")),
}


# A form whose CSRF token is not this browser's: its session ended (signed out in another
# tab, expired), or the browser keeps no cookie of this site.
STALE_FORM_MESSAGE = _l(
    "Lomaketta ei voitu lähettää, koska se oli vanhentunut: istunto on päättynyt, esimerkiksi "
    "uloskirjautumiseen toisessa välilehdessä, tai selain ei salli tämän sivuston evästettä. "
    "Avaa lomake uudelleen ja täytä se uudestaan."
)
# Refusals of a form itself (its session, the server's trouble): their page shows what
# was typed into it.  Not 403, 404 or 405, which answer for the address alone and look
# the same whatever was sent.
KEEPS_TYPED = {400, 500, 503}


# Characters of path and query string, gunicorn's own default for the request line.
# gunicorn.conf.py lets longer lines (up to gunicorn's 8190) through to be answered here.
MAX_URL_LENGTH = 4094


def _wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def render_error(status: int, detail: str | None = None, *, stale_form: bool = False):
    """The error page in the page's language, or for the API `{"error", "status"}` JSON.

    `detail` says what to do when the status's own text is too general (JSON: "detail").
    A form refused itself (KEEPS_TYPED) gets back what was typed into it; a `stale_form`
    cannot be sent again from the browser's Back, and the page does not suggest it.
    """
    title, message = MESSAGES.get(status, MESSAGES[500])
    if _wants_json():
        body = {"error": str(title), "status": status}
        if detail:
            body["detail"] = detail
        return jsonify(body), status
    return render_template(
        "errors/error.html", title=str(title), message=detail or str(message), status=status,
        posted=typed_values() if status in KEEPS_TYPED else [], stale_form=stale_form,
        form_page=referring_page() if stale_form else None,
    ), status


def _rate_limited_page() -> str:
    """The 429 page: how long to wait, and any typed text shown back so it can be copied."""
    from app.extensions import limiter
    from app.platform.ratelimit import wait_text

    return render_template(
        "errors/rate_limited.html", title=_(MESSAGES[429][0]), status=429,
        rate_limit_wait=wait_text(limiter.current_limit), posted=typed_values(), stale_form=False,
    )


def refuse_long_urls() -> None:
    """Before anything else: a URL over MAX_URL_LENGTH gets the 414 page (or JSON) of the app."""
    if len(request.environ.get("RAW_URI") or request.full_path) > MAX_URL_LENGTH:
        abort(414)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if error.response is not None:
            # A page the view prepared for this refusal, e.g. a form kept with what was typed.
            return error.response
        if error.code == 429 and not _wants_json():
            body, status = _rate_limited_page(), 429
        elif isinstance(error, CSRFError):
            # The form's token is not this browser's (it signed out in another tab, or the
            # session ended): say so, with what was typed, rather than a bare "bad request".
            body, status = render_error(400, str(STALE_FORM_MESSAGE), stale_form=True)
        else:
            body, status = render_error(error.code or 500)
        # What the exception says besides its own body, e.g. a 405's Allow.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return body, status, headers

    @app.errorhandler(OperationalError)
    def handle_database_busy(error: OperationalError):
        # A write lock held longer than busy_timeout: answer 503, keep nothing half-done.
        db.session.rollback()
        log.warning("database unavailable: %s", error.orig)
        body, status = render_error(503)
        return body, status, {"Retry-After": "5"}

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def handle_number_out_of_range(error: Exception):
        # An id beyond what the column holds ("/jarjestot/99999999999"): SQLite's
        # driver raises OverflowError past 64 bits, PostgreSQL "integer out of
        # range" past 32.  No row can have such an id, so the answer is "not found".
        db.session.rollback()
        if isinstance(error, DataError) and type(error.orig).__name__ != "NumericValueOutOfRange":
            # Anything else the database refuses came from the request (PostgreSQL
            # refuses NUL in text, for one): the request is bad, the server is not.
            log.warning("database refused a value from the request: %s", error.orig)
            return render_error(400)
        return render_error(404)

    @app.errorhandler(500)
    def handle_server_error(error):
        db.session.rollback()
        return render_error(500)
