"""A soak: mixed load with workers killed and the mail server down, then every contact request counted.

    .venv/bin/python bench/soak.py [--minutes 10] [--connections 32] [--organisations 2000]

Starts gunicorn (gunicorn.conf.py, production mode, a SQLite file in a temporary
directory, the rate limits on with their production storage `database://`), a
loopback SMTP sink and the mail worker (`flask outbox deliver --loop`), all with
bench/load.py's pieces.  Then for --minutes it drives 32 connections: searches
70 %, organisation pages 15 %, contact requests 15 %, each contact request with a
unique marker in its message, its own client address (X-Forwarded-For, trusted
from loopback) and a session of its own, so the per-address and per-session
limits count without refusing the load.  Every minute one gunicorn worker is
killed with SIGKILL (at 30 s past the minute), and the SMTP sink is stopped twice
for a fifth of the run (a minute each in a 10-minute run).

At the end it waits (bounded) until the outbox has nothing queued or sending,
and prints: requests and 5xx, contact requests accepted (303), stored and mailed
exactly once, by marker, with the duplicated and the lost, and the longest wait of
any write.  A POST cut by a kill has no answer; its request may still have been
stored, so it must then be mailed too.  A benchmark prints figures; it never fails.
"""
import argparse
import asyncio
import os
import random
import re
import signal
import sqlite3
import tempfile
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load import (  # noqa: E402
    CSRF_IN_PAGE,
    Connection,
    Plan,
    build_database,
    contact_form,
    read_ids,
    start_mail_worker,
    start_server,
    wait_until_up,
)
from tests.mailsink import MailSink, free_port  # noqa: E402

MARKER = re.compile(r"soak-\d+-\d+")
DRAIN_LIMIT_SECONDS = 15 * 60


class Soak:
    """Counts shared by the connections."""

    def __init__(self):
        self.requests = Counter()  # by outcome: ok, 4xx, 5xx, cut
        self.accepted: set[str] = set()  # markers answered 303
        self.unanswered: set[str] = set()  # markers whose POST was cut
        self.longest_write_ms = 0.0
        self.addresses = 0

    def next_address(self) -> str:
        self.addresses += 1
        return f"10.{self.addresses >> 16 & 255}.{self.addresses >> 8 & 255}.{self.addresses & 255}"


async def drive(port: int, plan: Plan, soak: Soak, number: int, deadline: float) -> None:
    connection, token, sent = Connection(port), "", 0
    while time.monotonic() < deadline:
        try:
            if not token:
                _status, page = await connection.request("GET", "/ohjeet", decode=True)
                token = CSRF_IN_PAGE.search(page)[1].decode()
            roll = plan.rng.random()
            if roll < 0.70:
                status, _ = await connection.request("GET", plan.search_path())
            elif roll < 0.85:
                status, _ = await connection.request("GET", f"/jarjestot/{plan.rng.choice(plan.ids['organisations'])}")
            else:
                sent += 1
                marker = f"soak-{number}-{sent}"
                form = contact_form(token, "Kestävyys Testaaja", f"Soittakaa {marker}.")
                path = f"/jarjestot/{plan.rng.choice(plan.ids['organisations'])}/yhteydenotto"
                started = time.perf_counter()
                try:
                    status, _ = await connection.request("POST", path, form, {"X-Forwarded-For": soak.next_address()})
                except (OSError, asyncio.IncompleteReadError, TimeoutError):
                    soak.unanswered.add(marker)
                    raise
                soak.longest_write_ms = max(soak.longest_write_ms, (time.perf_counter() - started) * 1000)
                if status == 303:
                    soak.accepted.add(marker)
                # Each contact request comes from a visitor of its own, as each comes from an address
                # of its own: a connection's 11th would meet the per-session limit (10 in 10 minutes).
                connection.cookies.clear()
                token = ""
            soak.requests["5xx" if status >= 500 else "4xx" if status >= 400 else "ok"] += 1
        except (OSError, asyncio.IncompleteReadError, TimeoutError, TypeError, ValueError):
            # A killed worker cuts its connections; a browser would open a new one.
            soak.requests["cut"] += 1
            token = ""
            await connection.close()
            await asyncio.sleep(0.05)
    await connection.close()


def gunicorn_workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


async def faults(master: int, sink: MailSink, started: float, seconds: float, log: list[str]) -> None:
    """SIGKILL a worker 30 s past every minute; the sink down for two windows of a fifth of the run."""
    window = min(60.0, seconds / 5)
    events = [(60.0 * minute + 30, "kill") for minute in range(int(seconds // 60))]
    for fraction in (0.2, 0.6):
        events += [(seconds * fraction, "smtp down"), (seconds * fraction + window, "smtp up")]
    for at, what in sorted(events):
        if at >= seconds:
            continue
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        if what == "kill":
            workers = gunicorn_workers(master)
            if workers:
                victim = random.choice(workers)
                os.kill(victim, signal.SIGKILL)
                log.append(f"{at:6.0f} s  SIGKILL worker {victim}")
        elif what == "smtp down":
            sink.stop()
            log.append(f"{at:6.0f} s  SMTP sink stopped")
        else:
            sink.start()
            log.append(f"{at:6.0f} s  SMTP sink started")


async def load(port: int, ids: dict, connections: int, seconds: float, master: int, sink: MailSink) -> tuple[Soak, list[str]]:
    soak, log = Soak(), []
    started = time.monotonic()
    await asyncio.gather(
        faults(master, sink, started, seconds, log),
        *(drive(port, Plan(ids, random.Random(n), "mixed"), soak, n, started + seconds) for n in range(connections)),
    )
    return soak, log


def outbox_pending(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT count(*) FROM outbox_message WHERE status IN ('queued', 'sending')"
        ).fetchone()[0]


def stored_markers(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT message FROM contact_request WHERE message LIKE '%soak-%'")
        return {match for (message,) in rows for match in MARKER.findall(message)}


def outbox_states(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT status, last_error LIKE 'uncertain%', count(*) FROM outbox_message "
                                  "GROUP BY 1, 2").fetchall()
    return {f"{status}{' (uncertain)' if uncertain else ''}": count for status, uncertain, count in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    seconds = args.minutes * 60

    with tempfile.TemporaryDirectory() as directory:
        database = Path(directory) / "soak.sqlite"
        build_database(database, args.organisations)
        ids = read_ids(database)
        sink = MailSink().start()
        port = free_port()
        with (Path(directory) / "gunicorn.log").open("w") as server_log, \
                (Path(directory) / "worker.log").open("w") as worker_log:
            server = start_server(database, port, sink.port, args.workers, args.threads, server_log,
                                  RATELIMIT_ENABLED="true", RATELIMIT_STORAGE_URI="database://",
                                  PROXY_FIX_X_FOR="1")
            mail_worker = start_mail_worker(database, sink.port, worker_log, "--loop")
            try:
                wait_until_up(port, server)
                print(f"soak: {args.minutes:g} min, {args.connections} connections, gunicorn {args.workers} × "
                      f"{args.threads}, {len(ids['organisations'])} organisations, rate limits on (database://)")
                soak, events = asyncio.run(load(port, ids, args.connections, seconds, server.pid, sink))
                print("\n".join(events))
                if sink._controller is None:
                    sink.start()
                drain_started = time.monotonic()
                while outbox_pending(database) and time.monotonic() - drain_started < DRAIN_LIMIT_SECONDS:
                    time.sleep(2)
                drained_in = time.monotonic() - drain_started
            finally:
                mail_worker.terminate()
                server.terminate()
                mail_worker.wait(timeout=60)
                server.wait(timeout=60)
        sink.stop()
        stored, pending, states = stored_markers(database), outbox_pending(database), outbox_states(database)
        server_lines = (Path(directory) / "gunicorn.log").read_text().splitlines()
    report(soak, stored, sink, pending, states, drained_in, server_lines)


def report(soak: Soak, stored: set[str], sink: MailSink, pending: int, states: dict, drained_in: float,
           server_lines: list[str]) -> None:
    mailed = Counter(match for message in sink.messages for body in sink.bodies(message)[:1]
                     for match in set(MARKER.findall(body)))
    once = {marker for marker in stored if mailed[marker] == 1}
    duplicated = {marker for marker, count in mailed.items() if count > 1}
    lost_stored = soak.accepted - stored
    lost_mail = stored - set(mailed)
    print(f"\nrequests: {sum(soak.requests.values())}, 5xx: {soak.requests['5xx']} "
          f"(answered {soak.requests['ok']}, 4xx {soak.requests['4xx']}, cut by a kill {soak.requests['cut']})")
    print(f"contact requests: accepted {len(soak.accepted)}, stored {len(stored)} "
          f"(of them unanswered because their worker was killed: {len(stored & soak.unanswered)}), "
          f"mailed exactly once {len(once)}")
    print(f"lost: accepted but not stored {len(lost_stored)}, stored but not mailed {len(lost_mail)}; "
          f"duplicated: {len(duplicated)} (copies beyond the first: {sum(mailed[m] - 1 for m in duplicated)})")
    print(f"outbox: {states}; drained in {drained_in:.0f} s, still queued or sending: {pending}")
    print(f"longest wait of any write (contact request POST): {soak.longest_write_ms:.0f} ms")
    print(f"gunicorn log: tracebacks {sum('Traceback' in line for line in server_lines)}, "
          f"503 database busy {sum('database unavailable' in line for line in server_lines)}")


if __name__ == "__main__":
    main()
