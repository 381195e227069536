"""Production setup: refused settings, compression, hashed static files, conditional GET,
headers on every response, the proxy setting, cookie flags, gunicorn's access log."""
import gzip
import logging
import re
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Response, g, request, stream_with_context
from itsdangerous import TimestampSigner
from tests.conftest import make_test_config

from app import create_app
from app.config import ConfigurationError
from app.extensions import db as _db
from app.platform.assets import AssetTable

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "TESTING": False,
    "SECRET_KEY": "a-long-random-production-secret",
    "BASE_URL": "https://tarjotin.example.fi",
    "MAIL_SERVER": "smtp.example.fi",
}


def production_config(database_url: str, **changes) -> dict:
    return {**make_test_config(database_url, **PRODUCTION), **changes}


@pytest.fixture
def not_debug(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)


# --- settings production refuses to start without ---------------------------------------

@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "dev-only-secret-key-do-not-use-in-production"}, "SECRET_KEY"),
        ({"BASE_URL": "http://tarjotin.example.fi"}, "BASE_URL"),
        ({"BASE_URL": ""}, "BASE_URL"),
        ({"MAIL_SERVER": ""}, "MAIL_SERVER"),
    ],
)
def test_production_refuses_to_start_without_a_required_setting(not_debug, migrated_database, changes, named):
    with pytest.raises(ConfigurationError, match=named):
        create_app(production_config(migrated_database, **changes))


def test_production_starts_with_every_required_setting_and_marks_the_cookie(not_debug, migrated_database):
    app = create_app(production_config(migrated_database))
    with app.app_context():
        response = app.test_client().get("/ohjeet")
        assert response.status_code == 200
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        _db.engine.dispose()


def test_production_logs_the_search_analyser_at_startup(not_debug, migrated_database, analyser, caplog):
    with caplog.at_level(logging.INFO):
        app = create_app(production_config(migrated_database))
    assert f"Finnish search analyser: {analyser}" in [record.getMessage() for record in caplog.records]
    with app.app_context():
        _db.engine.dispose()


@pytest.mark.parametrize("app_config", [{"BASE_URL": "http://127.0.0.1:5000", "MAIL_SERVER": ""}])
def test_testing_and_development_keep_their_defaults(app, client):
    assert app.config["SESSION_COOKIE_SECURE"] is False
    response = client.get("/ohjeet")
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers


# --- compression -------------------------------------------------------------------------

@pytest.fixture
def extra_routes(app):
    """Routes whose bodies the compression rules are about; added before the first request."""
    big_text = "rivi;toinen\n" * 200
    app.add_url_rule("/_csv", "csv", lambda: Response(big_text, mimetype="text/csv"))
    app.add_url_rule("/_png", "png", lambda: Response(b"\x89PNG" + bytes(2000), mimetype="image/png"))
    app.add_url_rule(
        "/_stream", "stream", lambda: Response(stream_with_context(iter([big_text])), mimetype="text/csv")
    )
    app.add_url_rule("/_address", "address", lambda: f"{request.remote_addr} {request.scheme}")

    def fail():
        raise RuntimeError("broken on purpose")

    app.add_url_rule("/_fail", "fail", fail)
    return app


@pytest.mark.parametrize("url", ["/ohjeet", "/api/v1/openapi.json", "/_csv"])
def test_text_responses_are_gzipped_when_the_client_accepts_it(client, extra_routes, url):
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert int(packed.headers["Content-Length"]) < len(plain.get_data())
    assert gzip.decompress(packed.get_data()).decode().count("\n") == plain.get_data(as_text=True).count("\n")


@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/ohjeet", None),  # the client did not ask
        ("/ohjeet", "gzip;q=0, identity"),  # the client refused it
        ("/terveys", "gzip"),  # too small to gain anything
        ("/_png", "gzip"),  # not text: already compressed
        ("/_stream", "gzip"),  # streamed: the body is not in memory
    ],
)
def test_gzip_is_not_applied(client, extra_routes, url, accept):
    headers = {"Accept-Encoding": accept} if accept else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers


# --- static files under content-hashed names --------------------------------------------

def static_urls(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def test_pages_link_static_files_by_content_hash_and_they_are_immutable(app, client):
    urls = static_urls(client.get("/ohjeet").get_data(as_text=True))
    assert len(urls) == 4  # the stylesheet, htmx and our two scripts
    for url in urls:
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            name = url.removeprefix("/static/")
            stem, digest, suffix = name.rsplit(".", 2)
            assert len(digest) == 8
            assert response.get_data() == (Path(app.static_folder) / f"{stem}.{suffix}").read_bytes()


def test_a_wrong_hash_is_not_found_and_the_plain_name_is_revalidated(client):
    url = next(u for u in static_urls(client.get("/ohjeet").get_data(as_text=True)) if u.endswith(".css"))
    stem, digest, suffix = url.rsplit(".", 2)
    wrong = "0" * 8 if digest != "0" * 8 else "1" * 8
    assert client.get(f"{stem}.{wrong}.{suffix}").status_code == 404
    assert client.get("/static/css/nothing.12345678.css").status_code == 404
    assert client.get("/static/../config.py").status_code == 404
    plain = client.get("/static/css/site.css")
    assert plain.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/css/site.css", headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304


def test_static_text_is_served_gzipped(client):
    url = next(u for u in static_urls(client.get("/ohjeet").get_data(as_text=True)) if "htmx" in u)
    plain = client.get(url).get_data()
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain


def test_a_changed_file_gets_a_new_hash(tmp_path):
    (tmp_path / "site.css").write_text("body { color: black }\n" * 40)
    table = AssetTable(str(tmp_path))
    before = table.get("site.css")
    (tmp_path / "site.css").write_text("body { color: navy }\n" * 41)
    after = table.get("site.css")
    assert before.digest != after.digest
    assert after.hashed_name("site.css") == f"site.{after.digest}.css"
    assert table.get("../site.css") is None and table.get("missing.css") is None


# --- conditional GET ---------------------------------------------------------------------

@pytest.fixture
def organisation(make_organisation):
    return make_organisation("Kuopion Muistiyhdistys ry", needs=["Muistisairaus"], municipalities=["Kuopio"])


@pytest.mark.parametrize(
    "url", ["/api/v1/organisations/{id}", "/api/v1/organisations?q=muisti", "/api/v1/taxonomy"]
)
def test_if_none_match_gets_304_until_the_organisation_changes(client, db, organisation, monkeypatch, url):
    url = url.format(id=organisation.id)
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('W/"')
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["Content-Security-Policy"]
    organisation.description = "Kokoontuu nyt joka toinen viikko."
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    if "taxonomy" in url:
        assert changed.status_code == 304  # the taxonomy did not change
    else:
        assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_organisation_page_is_private_to_the_browser(client, organisation):
    response = client.get(f"/jarjestot/{organisation.id}")
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_htmx_partials_vary_on_hx_request(client, organisation):
    for headers in ({}, {"HX-Request": "true"}):
        assert "HX-Request" in client.get("/haku?q=muisti", headers=headers).headers["Vary"]


# --- headers on every response, errors included -------------------------------------------

@pytest.mark.parametrize("app_config", [{"PROPAGATE_EXCEPTIONS": False}])
def test_every_response_has_the_security_headers(client, extra_routes, organisation):
    big_form = {"name": "x" * (600 * 1024)}
    responses = {
        "page": client.get("/ohjeet"),
        "partial": client.get("/haku?q=muisti", headers={"HX-Request": "true"}),
        "json": client.get(f"/api/v1/organisations/{organisation.id}"),
        "static": client.get("/static/css/site.css"),
        "health": client.get("/terveys"),
        "304": client.get("/api/v1/taxonomy", headers={"If-None-Match": client.get("/api/v1/taxonomy").headers["ETag"]}),
        "404": client.get("/ei-ole-olemassa"),
        "api 404": client.get("/api/v1/organisations/999999"),
        "405": client.delete("/ohjeet"),
        "413": client.post(f"/jarjestot/{organisation.id}/yhteydenotto", data=big_form),
        "500": client.get("/_fail"),
    }
    assert responses["413"].status_code == 413 and responses["500"].status_code == 500
    for label, response in responses.items():
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, label
        assert "unsafe-inline" not in csp and "cdn.jsdelivr.net" not in csp, label
        assert headers["X-Content-Type-Options"] == "nosniff", label
        assert headers["Referrer-Policy"] == "same-origin", label
        assert "camera=()" in headers["Permissions-Policy"], label
        assert "Strict-Transport-Security" not in headers, label  # http:// in the tests
        response.close()


# --- behind a reverse proxy ----------------------------------------------------------------

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def test_forwarded_headers_are_ignored_without_the_setting(client, extra_routes):
    assert client.get("/_address", headers=FORWARDED).get_data(as_text=True) == "127.0.0.1 http"


@pytest.mark.parametrize("app_config", [{"PROXY_FIX_X_FOR": 1, "PROXY_FIX_X_PROTO": 1}])
def test_proxy_fix_gives_the_client_address_to_the_rate_limits(client, extra_routes):
    assert client.get("/_address", headers=FORWARDED).get_data(as_text=True) == "203.0.113.7 https"
    # Only as many addresses as there are proxies are believed: a forged first one is not.
    forged = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    assert client.get("/_address", headers=forged).get_data(as_text=True).split()[0] == "203.0.113.7"


# --- gunicorn ---------------------------------------------------------------------------

def gunicorn_access_line(capsys, environ: dict) -> tuple[str, dict]:
    """The line gunicorn, configured by gunicorn.conf.py, writes to its access log for one request."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    for name in ("accesslog", "errorlog", "access_log_format"):
        config.set(name, settings[name])
    settings["on_starting"](None)
    logger = Logger(config)
    environ = {"REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.7", **environ}
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    try:
        logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=42))
    finally:
        for handler in list(logging.getLogger("gunicorn.access").handlers):
            if getattr(handler, "_gunicorn", False):
                logging.getLogger("gunicorn.access").removeHandler(handler)
    return capsys.readouterr().out, settings


def test_gunicorn_access_log_has_no_token_query_string_or_referrer(capsys):
    line, settings = gunicorn_access_line(capsys, {
        "RAW_URI": "/jarjestoille/kirjaudu/SALAINEN-token_123?q=henkilo",
        "PATH_INFO": "/jarjestoille/kirjaudu/SALAINEN-token_123", "QUERY_STRING": "q=henkilo",
        "HTTP_REFERER": "https://tarjotin.example.fi/jarjestoille/kirjaudu/SALAINEN-token_123",
    })
    assert "/jarjestoille/kirjaudu/[piilotettu]" in line and " 200 1234 42ms" in line
    assert "SALAINEN" not in line and "henkilo" not in line
    assert settings["worker_class"] == "gthread" and settings["timeout"] > 0 and settings["graceful_timeout"] > 0


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        # GET /x%0d%0aInjected: gunicorn logs the decoded path.
        ("/x\r\nInjected", "/x\\x0d\\x0aInjected"),
        ("/x\x00y", "/x\\x00y"),
        ("/x\x1b[31m\u2028", "/x\\x1b[31m\\u2028"),
        ("/yhdistys-äiti", "/yhdistys-äiti"),
    ],
)
def test_control_characters_in_a_request_are_escaped_in_the_access_log(capsys, path, shown):
    line, _settings = gunicorn_access_line(capsys, {"RAW_URI": path, "PATH_INFO": path, "QUERY_STRING": ""})

    assert line.count("\n") == 1 and line.endswith("\n")
    assert "\x00" not in line and "\r" not in line and "\x1b" not in line and "\u2028" not in line
    assert f'"GET {shown} HTTP/1.1" 200' in line
