"""The language in the URL: Finnish at the root, /sv/… and /en/… for Swedish and English.

A shared link keeps its language, and so does every link the app makes, without
the routes knowing about it.  `LanguagePrefix`, a WSGI middleware in front of
the app, moves a leading /sv or /en from PATH_INFO to SCRIPT_NAME, the way a
reverse proxy mounts an app under a sub-path.  Flask then matches the same
routes under every language and builds every URL (url_for, redirects, htmx
partial URLs, form actions) under the request's script root, so the prefix
travels along by itself.  app.platform.i18n.select_locale reads the language
the middleware found.  A sub-path from the server (SCRIPT_NAME) stays in front:
/portal/sv/haku is Swedish under /portal.

Static files, the APIs and the health check have one URL whatever the page's
language (one cache entry, one documented address): `LanguageFlask.url_for`
builds them on the root, and a request for them under a prefix is redirected.

The visitor's language is remembered in the session.  Only a first visit to the
bare front page (no language in the session yet) follows Accept-Language, by a
redirect; after that the URL always wins, so whoever clicks "Suomi" stays Finnish.

Own code, not a library: Werkzeug's DispatcherMiddleware mounts a separate app
per prefix (three copies of everything), and a `<lang>` URL converter would
have to be written into every route and url_for call.
"""
from urllib.parse import quote, urlsplit, urlunsplit

from flask import Flask, Response, after_this_request, current_app, has_request_context, redirect, request, session
from flask_babel import refresh

from app.config import DEFAULT_LANGUAGE, PORTAL_LANGUAGES

ENVIRON_LANGUAGE = "hyvinvointitarjotin.language"
# The SCRIPT_NAME the server gave, before the language was moved into it.
ENVIRON_ROOT = "hyvinvointitarjotin.script_root"
SESSION_KEY = "kieli"
LANGUAGE_FREE_BLUEPRINTS = frozenset({"api", "hsds", "health"})
LANGUAGE_FREE_ENDPOINTS = frozenset({"static"})


class LanguagePrefix:
    """WSGI middleware: /sv/haku → SCRIPT_NAME …/sv, PATH_INFO /haku, the language noted in the environ."""

    def __init__(self, app, languages=PORTAL_LANGUAGES):
        self.app = app
        self.prefixed = frozenset(code for code in languages if code != DEFAULT_LANGUAGE)

    def __call__(self, environ, start_response):
        root = environ.get("SCRIPT_NAME", "")
        environ[ENVIRON_ROOT] = root
        path = environ.get("PATH_INFO", "")
        first, slash, rest = path[1:].partition("/")
        if path.startswith("/") and first in self.prefixed:
            environ["SCRIPT_NAME"] = f"{root}/{first}"
            environ["PATH_INFO"] = slash + rest or "/"
            environ[ENVIRON_LANGUAGE] = first
        return self.app(environ, start_response)


def is_language_free(endpoint: str | None) -> bool:
    if not endpoint:
        return False
    return endpoint in LANGUAGE_FREE_ENDPOINTS or endpoint.split(".", 1)[0] in LANGUAGE_FREE_BLUEPRINTS


def request_language() -> str:
    """The language of the request's URL; the default outside a request."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    return request.environ.get(ENVIRON_LANGUAGE, DEFAULT_LANGUAGE)


def language_prefix(language: str) -> str:
    """"" for the default language, "/sv" for Swedish."""
    return "" if language == DEFAULT_LANGUAGE else f"/{language}"


def _root() -> str:
    return request.environ.get(ENVIRON_ROOT, request.environ.get("SCRIPT_NAME", "")).rstrip("/")


def _on_root(url: str) -> str:
    """The URL url_for built under this request's language prefix, without the prefix."""
    parts = urlsplit(url)
    language_root = request.script_root
    if not parts.path.startswith(language_root + "/"):
        return url
    root = language_root[: -len(language_prefix(request_language()))]
    return urlunsplit(parts._replace(path=root + parts.path[len(language_root):]))


class LanguageFlask(Flask):
    """Flask whose url_for builds static, API and health URLs on the root, outside any language."""

    def url_for(self, endpoint: str, **values) -> str:
        url = super().url_for(endpoint, **values)
        if not has_request_context() or ENVIRON_LANGUAGE not in request.environ:
            return url
        if endpoint.startswith("."):
            endpoint = f"{request.blueprint}{endpoint}" if request.blueprint else endpoint[1:]
        return _on_root(url) if is_language_free(endpoint) else url


def _path_and_query() -> str:
    path = quote(request.path)
    if request.query_string:
        path += "?" + request.query_string.decode("latin-1")
    return path


def _page_shown() -> str:
    """This page's path and query under no language prefix.

    A form posted to an address that takes only POST is answered there when it is
    refused (shown again with its errors): that address cannot be opened, so the
    page is the one the form was on, from the Referer (same-origin, so sent whole),
    or the front page without one.
    """
    rule = request.url_rule
    if request.method in ("GET", "HEAD") or rule is None or "GET" in (rule.methods or ()):
        return _path_and_query()
    # Imported here: security imports the templating helpers, which the models import through i18n.
    from app.platform.security import referring_page

    path, mark, query = (referring_page() or "").partition("?")
    if not path.startswith(_root() + "/"):
        return "/"
    path = path[len(_root()):]
    for code in PORTAL_LANGUAGES:
        prefix = language_prefix(code)
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            path = path[len(prefix):] or "/"
    return path + mark + query


def language_links() -> list[dict]:
    """The language switch and the hreflang alternates: this page in every language, query string kept.

    `root` is where the language's pages begin; app.js moves the switch along
    when htmx pushes a new address.  The alternates are on BASE_URL.
    """
    current = request_language()
    here = _page_shown()
    links = []
    for code, name in PORTAL_LANGUAGES.items():
        root = _root() + language_prefix(code)
        links.append({
            "code": code,
            "name": name,
            "root": root,
            "url": root + here,
            "absolute_url": current_app.config["BASE_URL"] + language_prefix(code) + here,
            "current": code == current,
        })
    return links


def _begin() -> Response | None:
    """Before each request: this request's locale, one URL for language-free routes, the first visit."""
    # Flask-Babel keeps the locale in `g`, which an app context shared by several
    # requests (a CLI command, a test) would carry from one request to the next.
    refresh()
    language = request_language()
    if is_language_free(request.endpoint):
        if language != DEFAULT_LANGUAGE:
            return redirect(_root() + _path_and_query(), code=308)
        return None
    # Before the app's own after_request hooks, so the ETag and compression see the final headers.
    after_this_request(_mark)
    if request.method in ("GET", "HEAD") and _is_bare_front_page() and SESSION_KEY not in session:
        chosen = request.accept_languages.best_match(PORTAL_LANGUAGES, default=DEFAULT_LANGUAGE)
        if chosen != DEFAULT_LANGUAGE:
            session[SESSION_KEY] = chosen
            return redirect(_root() + language_prefix(chosen) + "/", code=302)
    return None


def _is_bare_front_page() -> bool:
    return (
        request_language() == DEFAULT_LANGUAGE
        and request.path == "/"
        and not request.query_string
        and request.headers.get("HX-Request") != "true"
    )


def _mark(response: Response) -> Response:
    """Every answer says its language; a page shown remembers it; the front page varies by the choice.

    Only pages touch the session: a calendar feed or a download sets no cookie for it.
    """
    language = request_language()
    if _is_bare_front_page():
        response.vary.update(("Accept-Language", "Cookie"))
        response.headers.setdefault("Cache-Control", "private, no-cache")
    response.content_language.add(language)
    if response.status_code == 200 and response.mimetype == "text/html" and session.get(SESSION_KEY) != language:
        session[SESSION_KEY] = language
    return response


def register_languages(app: Flask) -> None:
    """Before the other setup steps: the middleware sits inside any proxy fix, the hooks run first."""
    app.wsgi_app = LanguagePrefix(app.wsgi_app)
    app.before_request(_begin)
    app.teardown_request(lambda _error: refresh())
    app.jinja_env.globals["language_links"] = language_links
