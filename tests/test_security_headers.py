"""Security headers on every response, and markup the Content-Security-Policy allows."""
import re
from html.parser import HTMLParser

import pytest

PAGES = [
    "/", "/haku?q=muisti", "/jarjestot", "/ohjeet", "/ohjeet/selkokieli",
    "/saavutettavuusseloste", "/tietosuojaseloste", "/ei-ole-olemassa",
]
OTHER = ["/api/v1/organisations", "/api/v1/taxonomy", "/api/v1/openapi.json", "/static/css/site.css", "/static/js/app.js"]


class InlineCodeFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes:
            self.problems.append(f"style= on <{tag}>")
        if any(name.startswith("on") for name in attributes):
            self.problems.append(f"event handler attribute on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            self.scripts.append(attributes)
            if not attributes.get("src"):
                self.problems.append("<script> without src")
        if tag == "a" and attributes.get("href", "").lower().startswith("javascript:"):
            self.problems.append("javascript: link")


@pytest.fixture
def published(make_organisation):
    return make_organisation("Kuopion Muistiyhdistys ry", needs=["Muistisairaus"], municipalities=["Kuopio"])


def all_urls(organisation) -> list[str]:
    return PAGES + OTHER + [f"/jarjestot/{organisation.id}", f"/api/v1/organisations/{organisation.id}"]


def test_every_response_carries_the_security_headers(client, published):
    for url in all_urls(published):
        for headers in ({}, {"HX-Request": "true"}):
            with client.get(url, headers=headers) as response:  # closes the static files
                csp = response.headers["Content-Security-Policy"]
                headers_seen = response.headers
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
            directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
            assert directives["script-src"] == "'self'"  # HTMX_SOURCE=local in tests
            assert directives["style-src"] == "'self'"
            assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
            assert headers_seen["X-Content-Type-Options"] == "nosniff"
            assert headers_seen["Referrer-Policy"] == "same-origin"
            assert headers_seen["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client, published):
    for url in PAGES + [f"/jarjestot/{published.id}"]:
        for headers in ({}, {"HX-Request": "true"}):
            finder = InlineCodeFinder()
            finder.feed(client.get(url, headers=headers).get_data(as_text=True))
            assert finder.problems == [], url


def test_full_page_loads_htmx_and_our_script_only_from_files(client, published):
    finder = InlineCodeFinder()
    body = client.get("/").get_data(as_text=True)
    finder.feed(body)
    # Static files are served under content-hashed names (app/platform/assets.py).
    unhashed = [re.sub(r"\.[0-9a-f]{8}\.js$", ".js", s["src"]) for s in finder.scripts]
    assert unhashed == ["/static/vendor/htmx.min.js", "/static/js/app.js", "/static/js/submit-once.js",
                        "/static/js/search.js"]
    assert all("defer" in s for s in finder.scripts)
    assert '"allowEval":false' in body and '"allowScriptTags":false' in body
    assert '"historyCacheSize":0' in body and '"selfRequestsOnly":true' in body
    assert '"includeIndicatorStyles":false' in body and '"historyRestoreAsHxRequest":false' in body


@pytest.mark.parametrize("app_config", [{"HTMX_SOURCE": "cdn"}])
def test_htmx_from_the_cdn_is_pinned_with_subresource_integrity(client):
    response = client.get("/ohjeet")
    finder = InlineCodeFinder()
    finder.feed(response.get_data(as_text=True))
    htmx = finder.scripts[0]
    assert htmx["src"] == "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js"
    assert htmx["integrity"].startswith("sha384-") and htmx["crossorigin"] == "anonymous"
    assert "script-src 'self' https://cdn.jsdelivr.net;" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("app_config", [{"HTMX_SOURCE": "cdn"}])
@pytest.mark.parametrize("state", ["valid", "used"])
def test_the_pages_behind_a_link_load_only_what_their_own_policy_allows(client, state):
    from app.extensions import db
    from app.platform.tokens import consume_token, issue_link_token

    token = issue_link_token("sihteeri@yhdistys.example", "sign_in")
    if state == "used":
        consume_token(token, "sign_in")
    db.session.commit()

    response = client.get(f"/jarjestoille/kirjaudu/{token}")
    finder = InlineCodeFinder()
    finder.feed(response.get_data(as_text=True))

    # The page holds the token: its policy allows this origin only, so nothing may come from elsewhere.
    assert "https:" not in response.headers["Content-Security-Policy"]
    assert all(script["src"].startswith("/static/") for script in finder.scripts)
