"""The production server under a mixed load: throughput, latency, errors, lost writes.

    .venv/bin/python bench/load.py [--duration 60] [--connections 8,32,128]
                                   [--workers 2] [--threads 4] [--database PATH]
                                   [--app-dir CHECKOUT]

Builds a SQLite database with 10 000 synthetic organisations (bench/search.py's
generator, the real migrations and `reindex_all()`), starts gunicorn with
gunicorn.conf.py in production mode on a loopback port, with a loopback SMTP
sink as its mail server, and drives it from this process (asyncio, raw
HTTP/1.1 with keep-alive, one cookie jar per connection).  Each level of
concurrent connections runs three phases of --duration seconds:

  mixed    searches with and without filters 75 %, organisation pages 15 %,
           tray adds 5 %, contact requests 5 % (with the CSRF token of a GET)
  search   searches only, half of them on a dozen query strings (repeated mix)
  cold     searches only, nearly every one distinct: random indexed words, the
           last often cut short as while typing, needs, activities,
           municipalities, pages (bench/search.py's cold_search_args)
  trivial  GET /terveys, which touches neither the database nor a template

and prints requests/s, p50/p95/p99 latency and errors (5xx apart), and how many
searches repeat an address asked earlier in the phase (what a page cache could serve).  The search
throughput is stated as a share of the trivial route's, for information.  At the end the stored
contact requests are counted against the accepted ones, and the mail: what the
sink got right after the requests, then after one pass of the mail worker
(`flask outbox deliver`, which in production retries what could not be sent).  --database keeps the
generated database for the next run.  --app-dir serves another checkout of the app
(with its own .venv, the same schema) against the same database and load, to
compare two versions.  After each phase the resident memory of the largest
worker is printed.  A benchmark prints figures; it never fails.
"""
import argparse
import asyncio
import gzip
import os
import random
import re
import runpy
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.search.vocabulary import OPAQUE_TOKEN  # noqa: E402
from bench.search import TEXT_QUERIES, cold_search_args, percentile  # noqa: E402
from tests.mailsink import MailSink, free_port  # noqa: E402

CSRF_IN_PAGE = re.compile(rb'"X-CSRFToken": "([^"]+)"')
REQUEST_TIMEOUT = 30.0
WORKER_RSS_TARGET_MB = 150
# What current browsers ask for (Chromium and Firefox; Safari leaves out zstd).
BROWSER_ACCEPT_ENCODING = "gzip, deflate, br, zstd"


def build_database(path: Path, count: int) -> None:
    """A migrated SQLite file with the taxonomy and `count` indexed organisations with e-mail."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from app.search.index import reindex_all
    from app.admin.taxonomy_data import seed_taxonomy
    from bench.search import generate

    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        seed_taxonomy(Path(app.root_path) / "data")
        db.session.commit()
        generate(count)
        # Contact requests need a recipient; the SMTP sink accepts any address.
        db.session.execute(text("UPDATE organisation SET email = 'jarjesto' || id || '@example.invalid'"))
        reindex_all()
        db.session.commit()
        db.engine.dispose()


def read_ids(path: Path) -> dict[str, list[int]]:
    with sqlite3.connect(path) as connection:
        def ids(sql: str) -> list[int]:
            return [row[0] for row in connection.execute(sql)]

        return {
            "organisations": ids("SELECT id FROM organisation WHERE status = 'published'"),
            "needs": ids("SELECT id FROM need"),
            "activities": ids("SELECT id FROM activity"),
            "municipalities": ids("SELECT id FROM municipality"),
            # Indexed words a person might type (the cold mix), as bench/search.py picks them.
            "words": [
                term for (term,) in connection.execute("SELECT term FROM search_vocab WHERE length(term) >= 4")
                if term.isalpha() and not OPAQUE_TOKEN.fullmatch(term)
            ],
        }


def stored_contact_requests(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM contact_request").fetchone()[0]


def queued_mail(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM outbox_message WHERE status = 'queued'").fetchone()[0]


def run_mail_worker_once(database: Path, sink: MailSink) -> None:
    """`flask outbox deliver`, the production mail worker's pass, against the sink."""
    start_mail_worker(database, sink.port, subprocess.DEVNULL).wait()


def start_mail_worker(database: Path, mail_port: int, log, *options: str) -> subprocess.Popen:
    """`flask outbox deliver [options]` in production mode against the SMTP server on `mail_port`."""
    env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(32), "BASE_URL": "https://tarjotin.bench.invalid",
           "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(mail_port), "DATABASE_URL": f"sqlite:///{database}"}
    env.pop("FLASK_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "deliver", *options],
                            cwd=ROOT, env=env, stdout=log, stderr=log)


def start_server(database: Path, port: int, mail_port: int, workers: int, threads: int, log,
                 app_dir: Path = ROOT, **extra_env: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "BASE_URL": "https://tarjotin.bench.invalid",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_port),
        "DATABASE_URL": f"sqlite:///{database}",
        "HTMX_SOURCE": "local",
        "RATELIMIT_ENABLED": "false",  # one client sends what a whole region would
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_THREADS": str(threads),
        **extra_env,
    }
    env.pop("FLASK_DEBUG", None)
    python = sys.executable if app_dir == ROOT else str(app_dir / ".venv" / "bin" / "python")
    return subprocess.Popen(
        [python, "-m", "gunicorn", "--config", "gunicorn.conf.py"], cwd=app_dir, env=env, stdout=log, stderr=log
    )


def worker_pids(master_pid: int) -> list[str]:
    """gunicorn's workers (Linux /proc); none where /proc is missing."""
    try:
        return Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return []


def largest_worker_rss_mb(master_pid: int) -> float:
    """Resident memory of gunicorn's largest worker, 0 where /proc is missing."""
    sizes = []
    for pid in worker_pids(master_pid):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        sizes += [int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")]
    return max(sizes, default=0.0)


def workers_cpu_seconds(master_pid: int) -> float:
    """User and system CPU time spent so far by gunicorn's workers, 0 where /proc is missing.

    Throughput depends on how the two CPUs are shared with this process, which
    generates the load; CPU time per request is what a request costs the server.
    """
    ticks = 0
    for pid in worker_pids(master_pid):
        try:
            # Fields 14 and 15 (utime, stime), counted after the command name's closing parenthesis.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_up(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; see its log")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"GET /terveys HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                if probe.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /terveys")


class Connection:
    """One keep-alive HTTP/1.1 connection with its own cookies, like one browser."""

    def __init__(self, port: int, accept_encoding: str):
        self.port = port
        self.accept_encoding = accept_encoding
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.fresh = True  # whether the last request opened the connection

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None,
                      *, decode: bool = False):
        """(status, body); the body is decoded only with `decode` (the generator shares the CPU)."""
        self.fresh = self.writer is None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        # A body to read is asked for in gzip alone, which the standard library decodes.
        accept_encoding = "gzip" if decode else self.accept_encoding
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", f"Accept-Encoding: {accept_encoding}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        body = urlencode(form).encode() if form is not None else b""
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        async with asyncio.timeout(REQUEST_TIMEOUT):
            head = await self.reader.readuntil(b"\r\n\r\n")
            status, response_headers = self._parse_head(head)
            if response_headers.get("transfer-encoding") == "chunked":
                content = await self._read_chunked()
            else:
                content = await self.reader.readexactly(int(response_headers.get("content-length", "0")))
        if response_headers.get("connection", "").lower() == "close":
            await self.close()
        if decode and response_headers.get("content-encoding") == "gzip":
            content = gzip.decompress(content)
        return status, content

    def _parse_head(self, head: bytes) -> tuple[int, dict[str, str]]:
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in filter(None, header_lines):
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie, _, _attributes = value.partition(";")
                key, _, cookie_value = cookie.partition("=")
                self.cookies[key] = cookie_value
            headers[name] = value
        return int(status_line.split(" ", 2)[1]), headers

    async def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await self.reader.readexactly(size + 2))
            if size == 0:
                return b"".join(part[:-2] for part in parts)


class Plan:
    """Which request a connection sends next."""

    def __init__(self, ids: dict[str, list[int]], rng: random.Random, mix: str):
        self.ids, self.rng, self.mix = ids, rng, mix

    def search_path(self) -> str:
        rng, ids = self.rng, self.ids
        if self.mix == "cold":
            return "/haku?" + urlencode(cold_search_args(rng, ids["words"], ids))
        shape = rng.random()
        if shape < 0.4:
            args = [("q", rng.choice(TEXT_QUERIES))]
        elif shape < 0.7:
            args = [("q", rng.choice(TEXT_QUERIES)), ("toiminta", rng.choice(ids["activities"])),
                    ("kunta", rng.choice(ids["municipalities"]))]
        elif shape < 0.9:
            args = [("tarve", n) for n in rng.sample(ids["needs"], 2)] + [("kunta", rng.choice(ids["municipalities"]))]
        else:
            args = [("sivu", rng.randint(1, 20))]
        return "/haku?" + urlencode(args)

    def next(self, token: str) -> tuple[str, str, str, dict | None, dict]:
        """(kind, method, path, form, headers)."""
        rng = self.rng
        if self.mix == "trivial":
            return "terveys", "GET", "/terveys", None, {}
        roll = rng.random() if self.mix == "mixed" else 0.0
        # A third of the searches are htmx updates, which get only the results partial.
        htmx = {"HX-Request": "true"} if rng.random() < 1 / 3 else {}
        if roll < 0.75:
            return "search", "GET", self.search_path(), None, htmx
        organisation_id = rng.choice(self.ids["organisations"])
        if roll < 0.90:
            return "organisation", "GET", f"/jarjestot/{organisation_id}", None, {}
        if roll < 0.95:
            form = {"organisation_id": organisation_id, "csrf_token": token, "next": "/haku"}
            return "tray", "POST", "/tarjotin/lisaa", form, {"HX-Request": "true"}
        # A person of their own each time: the app does not send the same request twice (a repeat is
        # the same person's same message to the same organisation within 30 minutes).
        form = contact_form(token, "Kuormitus Testaaja", f"Soittakaa iltapäivällä, viite {secrets.token_hex(4)}.")
        return "contact", "POST", f"/jarjestot/{organisation_id}/yhteydenotto", form, {}


def contact_form(token: str, name: str, message: str) -> dict[str, str]:
    """A valid contact request by phone, with a fresh one-time key as each form a browser loads carries."""
    return {
        "csrf_token": token, "submission_key": secrets.token_urlsafe(32), "name": name, "phone": "040 123 4567",
        "email": "", "preferred_channel": "puhelin", "message": message, "consent": "y",
    }


class Stats:
    def __init__(self):
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.by_class: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.accepted_contacts = 0
        self.error_kinds: dict[str, int] = defaultdict(int)
        # Search addresses asked, to tell how many repeat an earlier one (what a page cache could serve).
        self.search_paths: list[str] = []

    def record(self, kind: str, status: int | None, milliseconds: float) -> None:
        if status is None:
            self.by_class[kind]["errors"] += 1
            return
        self.latencies[kind].append(milliseconds)
        self.by_class[kind]["5xx" if status >= 500 else "4xx" if status >= 400 else "ok"] += 1


async def run_connection(port: int, plan: Plan, stats: Stats, deadline: float, accept_encoding: str) -> None:
    connection = Connection(port, accept_encoding)
    token = ""
    while time.monotonic() < deadline:
        if not token:
            try:
                _status, page = await connection.request("GET", "/ohjeet", decode=True)
                token = CSRF_IN_PAGE.search(page)[1].decode()
            except (OSError, asyncio.IncompleteReadError, TimeoutError, TypeError, ValueError):
                stats.record("session", None, 0)
                await connection.close()
                await asyncio.sleep(0.1)
                continue
        kind, method, path, form, headers = plan.next(token)
        if kind == "search":
            stats.search_paths.append(path)
        started = time.perf_counter()
        try:
            try:
                status, _content = await connection.request(method, path, form, headers)
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server may close an idle keep-alive connection (a worker
                # replaced after max_requests); browsers then resend a GET on a
                # new one.  A POST is not resent: it might have been processed.
                if method != "GET" or connection.fresh:
                    raise
                await connection.close()
                status, _content = await connection.request(method, path, form, headers)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError) as error:
            stats.record(kind, None, 0)
            stats.error_kinds[type(error).__name__] += 1
            await connection.close()
            continue
        stats.record(kind, status, (time.perf_counter() - started) * 1000)
        if kind == "contact" and status == 303:
            stats.accepted_contacts += 1
    await connection.close()


async def run_phase(port: int, ids: dict, mix: str, connections: int, duration: float, seed: int,
                    accept_encoding: str) -> tuple[Stats, float]:
    stats = Stats()
    started = time.monotonic()
    deadline = started + duration
    await asyncio.gather(*(
        run_connection(port, Plan(ids, random.Random(seed * 1000 + n), mix), stats, deadline, accept_encoding)
        for n in range(connections)
    ))
    return stats, time.monotonic() - started


def report(mix: str, stats: Stats, seconds: float) -> float:
    """Print one phase; returns the throughput of its main kind (search or terveys)."""
    kinds = sorted(stats.by_class, key=lambda kind: -sum(stats.by_class[kind].values()))
    if mix == "mixed":
        kinds = ["all"] + kinds
    for row, kind in enumerate(kinds):
        if kind == "all":
            latencies = [v for values in stats.latencies.values() for v in values]
            counts = {key: sum(stats.by_class[k][key] for k in stats.by_class) for key in ("ok", "4xx", "5xx", "errors")}
        else:
            latencies = stats.latencies[kind]
            counts = stats.by_class[kind]
        figures = (
            f"{percentile(latencies, 0.5):6.1f} {percentile(latencies, 0.95):6.1f} {percentile(latencies, 0.99):6.1f}"
            if latencies else "     -      -      -"
        )
        print(f"  {mix if row == 0 else '':<8} {kind:<13} {len(latencies) / seconds:7.1f} {figures}"
              f" {counts['ok']:7d} {counts['4xx']:5d} {counts['5xx']:5d} {counts['errors']:6d}")
    if stats.error_kinds:
        print("           errors: " + ", ".join(f"{name} {count}" for name, count in stats.error_kinds.items()))
    if stats.search_paths:
        repeats = len(stats.search_paths) - len(set(stats.search_paths))
        print(f"           searches repeating an earlier address: {repeats} of {len(stats.search_paths)}"
              f" ({repeats / len(stats.search_paths):.0%})")
    main_kind = "terveys" if mix == "trivial" else "search"
    return len(stats.latencies[main_kind]) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per phase")
    parser.add_argument("--connections", default="8,32,128")
    parser.add_argument("--phases", default="mixed,search,cold,trivial")
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py's")
    parser.add_argument("--threads", type=int, default=None, help="default: gunicorn.conf.py's")
    parser.add_argument("--database", type=Path, help="reuse this SQLite file, or build it there")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="serve this checkout (with its own .venv)")
    parser.add_argument("--accept-encoding", default=BROWSER_ACCEPT_ENCODING,
                        help=f"sent with every request; default {BROWSER_ACCEPT_ENCODING!r}, what Chromium and "
                             "Firefox send ('gzip' for an older client: gzip costs the server more than zstd)")
    args = parser.parse_args()
    app_dir = args.app_dir.resolve()

    with tempfile.TemporaryDirectory() as directory:
        database = args.database or Path(directory) / "load.sqlite"
        if not database.exists():
            started = time.perf_counter()
            build_database(database, args.organisations)
            print(f"database: {args.organisations} organisations built in {time.perf_counter() - started:.0f} s")
        ids = read_ids(database)
        stored_before = stored_contact_requests(database)
        sink = MailSink().start()
        port = free_port()
        log_path = Path(directory) / "gunicorn.log"
        configured = runpy.run_path(str(app_dir / "gunicorn.conf.py"))
        workers = args.workers or configured["workers"]
        threads = args.threads or configured["threads"]
        accepted = refused = 0
        with log_path.open("w") as log:
            server = start_server(database, port, sink.port, workers, threads, log, app_dir)
            try:
                wait_until_up(port, server)
                print(f"app {app_dir}")
                print(f"gunicorn {workers} workers × {threads} threads (gthread), {len(ids['organisations'])} "
                      f"published organisations, {args.duration:g} s per phase, {os.cpu_count()} CPUs, "
                      f"Accept-Encoding: {args.accept_encoding}")
                for level in [int(n) for n in args.connections.split(",")]:
                    print(f"\n{level} connections")
                    print(f"  {'phase':<8} {'kind':<13} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}"
                          f" {'2xx/3xx':>7} {'4xx':>5} {'5xx':>5} {'errors':>6}   (ms)")
                    throughput = {}
                    for seed, mix in enumerate(args.phases.split(",")):
                        server_cpu, own_cpu = workers_cpu_seconds(server.pid), time.process_time()
                        stats, seconds = asyncio.run(
                            run_phase(port, ids, mix, level, args.duration, seed, args.accept_encoding))
                        throughput[mix] = report(mix, stats, seconds)
                        answered = max(1, sum(len(values) for values in stats.latencies.values()))
                        print(f"           CPU per request: workers {(workers_cpu_seconds(server.pid) - server_cpu) / answered * 1000:.2f} ms,"
                              f" this load generator {(time.process_time() - own_cpu) / answered * 1000:.2f} ms")
                        print(f"           largest worker's RSS {largest_worker_rss_mb(server.pid):.0f} MB"
                              f"   (target ≤ {WORKER_RSS_TARGET_MB})")
                        accepted += stats.accepted_contacts
                        refused += stats.by_class["contact"]["4xx"]
                    if "search" in throughput and throughput.get("trivial"):
                        print(f"  search throughput / trivial route (information): "
                              f"{throughput['search'] / throughput['trivial']:.0%}")
            finally:
                server.terminate()
                server.wait(timeout=30)
        stored = stored_contact_requests(database) - stored_before
        verdict = "none lost" if stored == accepted else f"MISMATCH ({stored - accepted:+d})"
        if refused:
            # The app answers a valid contact request 303; a 4xx means the bench's form no longer fits the app's.
            verdict += f"; REFUSED {refused} (4xx): the bench's contact form does not match the app's"
        after_requests = len(sink.messages)
        # What the app could not deliver right after a request (the database busy, say)
        # waits for the mail worker, as in production: one pass of it here.
        run_mail_worker_once(database, sink)
        sink.stop()
        print(f"\ncontact requests: accepted {accepted}, stored {stored}: {verdict}; mail received by the sink: "
              f"{after_requests} right after the requests, {len(sink.messages)} after one mail worker pass; "
              f"still queued: {queued_mail(database)}")
        log_lines = log_path.read_text().splitlines()
        for label, marker in [("tracebacks", "Traceback"), ("errors", "[ERROR]"), ("worker timeouts", "WORKER TIMEOUT"),
                              ("503 database busy", "database unavailable")]:
            print(f"gunicorn log, {label}: {sum(marker in line for line in log_lines)}")


if __name__ == "__main__":
    main()
