"""Bytes a real browser transfers: front page, a results update, an organisation page, the tray.

    .venv/bin/python bench/pageweight.py [--organisations 10000] [--database PATH] [--verbose]

Serves the app like bench/load.py does (gunicorn with gunicorn.conf.py in
production mode, gzip on, htmx from our own copy) and drives Chromium through
the four steps twice in one browser context: a first visit with an empty
cache, then a repeat visit with the cache warm.  The bytes are Chromium's own
count from the DevTools protocol (`encodedDataLength` of Network.loadingFinished:
headers and compressed bodies as they came over the wire; 0 for what came from
the cache).  Targets: front page first visit ≤ 40 KB including htmx, repeat
visit ≤ 10 KB, a results update ≤ 8 KB.  A benchmark prints figures; it never fails.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.load import build_database, start_server, wait_until_up  # noqa: E402
from tests.mailsink import MailSink, free_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TARGETS_KB = {("front page", "first"): 40, ("front page", "repeat"): 10, ("results update", "first"): 8,
              ("results update", "repeat"): 8}


class Meter:
    """Sums what the network delivered between start() and stop(), per URL."""

    def __init__(self, cdp, page):
        self.page = page
        self.urls: dict[str, str] = {}
        self.pending: set[str] = set()
        self.received: list[tuple[str, int]] = []
        self.recording = False
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", lambda event: self.pending.discard(event["requestId"]))
        cdp.send("Network.enable")

    def _request(self, event):
        self.urls[event["requestId"]] = event["request"]["url"]
        self.pending.add(event["requestId"])

    def _finished(self, event):
        self.pending.discard(event["requestId"])
        if self.recording:
            self.received.append((self.urls.get(event["requestId"], "?"), int(event["encodedDataLength"])))

    def _settle(self) -> None:
        """Wait until every request has finished loading (its last byte, not only its headers)."""
        self.page.wait_for_load_state("networkidle")
        deadline = time.monotonic() + 10
        while self.pending and time.monotonic() < deadline:
            self.page.wait_for_timeout(50)

    def start(self) -> None:
        self._settle()
        self.received, self.recording = [], True

    def stop(self) -> list[tuple[str, int]]:
        self._settle()
        self.recording = False
        return self.received


def visit(page, meter: Meter, base: str, organisation_path: str) -> dict[str, list[tuple[str, int]]]:
    steps = {}
    meter.start()
    page.goto(base + "/", wait_until="load")
    steps["front page"] = meter.stop()

    meter.start()
    with page.expect_response(lambda response: "/haku?" in response.url):
        page.fill("#q", "muistisairaiden omaisille")
    steps["results update"] = meter.stop()

    meter.start()
    page.goto(base + organisation_path, wait_until="load")
    steps["organisation page"] = meter.stop()

    button = page.locator("form.tarjotin-lomake button.tarjotin-lisaa")
    if button.count():
        with page.expect_response(lambda response: "/tarjotin/lisaa" in response.url):
            button.first.click()
    meter.start()
    page.goto(base + "/tarjotin", wait_until="load")
    steps["tray"] = meter.stop()
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--database", type=Path, help="reuse this SQLite file, or build it there")
    parser.add_argument("--verbose", action="store_true", help="list every response")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        database = args.database or Path(directory) / "pageweight.sqlite"
        if not database.exists():
            build_database(database, args.organisations)
        sink = MailSink().start()
        port = free_port()
        with (Path(directory) / "gunicorn.log").open("w") as log:
            server = start_server(database, port, sink.port, workers=2, threads=8, log=log)
            try:
                wait_until_up(port, server)
                # localhost is a secure context, so Chromium keeps the Secure session cookie over http.
                base = f"http://localhost:{port}"
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                    context = browser.new_context()
                    page = context.new_page()
                    meter = Meter(context.new_cdp_session(page), page)
                    page.goto(base + "/haku?q=muisti")
                    organisation_path = page.locator("article.tulos h3 a").first.get_attribute("href")
                    context.clear_cookies()
                    page.goto("about:blank")
                    # The cache holds nothing of the site's yet: the probe above is forgotten.
                    meter_cdp = context.new_cdp_session(page)
                    meter_cdp.send("Network.clearBrowserCache")
                    results = {"first": visit(page, meter, base, organisation_path)}
                    time.sleep(1)
                    results["repeat"] = visit(page, meter, base, organisation_path)
                    browser.close()
            finally:
                server.terminate()
                server.wait(timeout=30)
                sink.stop()

    print(f"{'step':<18} {'visit':<7} {'KB':>6} {'requests':>8}  target")
    for visit_kind, steps in results.items():
        for step, received in steps.items():
            kilobytes = sum(size for _url, size in received) / 1024
            target = TARGETS_KB.get((step, visit_kind))
            verdict = f"≤ {target} KB {'ok' if kilobytes <= target else 'OVER'}" if target else ""
            print(f"{step:<18} {visit_kind:<7} {kilobytes:6.1f} {len(received):8d}  {verdict}")
            if args.verbose:
                for url, size in received:
                    print(f"    {size:7d}  {url.replace(base, '')}")


if __name__ == "__main__":
    main()
