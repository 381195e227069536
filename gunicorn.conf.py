"""Gunicorn settings for `make serve` and production (behind a reverse proxy).

GUNICORN_BIND, WEB_CONCURRENCY (worker processes) and GUNICORN_THREADS change
the address and the concurrency; gunicorn's own GUNICORN_CMD_ARGS overrides
anything else.  The app itself reads its settings (SECRET_KEY, BASE_URL,
MAIL_SERVER, DATABASE_URL…) from the environment.
"""
import os

wsgi_app = "wsgi:app"

# Loopback only: the reverse proxy in front terminates TLS and forwards here.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Chosen by bench/load.py on 2 cores with SQLite and 10 000 organisations
# (README.md, "Measured under load").  Every request is CPU-bound Python (search
# analysis, Jinja), so one process per core gives the parallelism and a few threads
# overlap the waits on SQLite's write lock, on the mail worker's queue and on slow
# clients.  Pages are rendered plainly (no kept parts since issue 14), so a search
# costs its CPU every time (8 ms then, 5.7 ms on 7 December): with 8 threads a worker
# interleaved eight of them and each took eight times as long (p95 540-600 ms), and
# used more memory (153 MB against 133).
# 32 connections, 20 s a phase, requests/s (p95 ms), two rounds, 6 December 2026:
#                                 mixed load            cold searches
#   2 × 8, keep-alive 5 s      161 (430), 167 (426)   134 (540), 143 (602)
#   2 × 4, keep-alive 5 s      170 (417),  75 (623)   203 (287), 199 (336)
#   2 × 4, no keep-alive       176 (383), 166 (412)   200 (292), 197 (322)  <- chosen

# Each worker builds its own app and connection pool (no preload), so no
# database connection is shared across a fork.  With PostgreSQL keep
# DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW ≥ threads.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A worker that has not answered for 30 s is stuck and is replaced; nginx
# waits 35 s (proxy_read_timeout in the README's nginx example), a little longer.
timeout = 30
# On restart or deploy, requests in progress get this long to finish.
graceful_timeout = 20
# No keep-alive: a connection is closed after its answer.  A gthread worker keeps
# every connection it has accepted, so with persistent connections one worker could
# hold most of them and, bound to one core by its GIL, serve them all while the
# other idled (the 75 req/s round above; 80-90 against 200 in other runs).  Closed
# after each answer, the next connection goes to whichever worker is free to accept
# it.  Behind the proxy this costs a loopback connect (~0.1 ms); nginx talks to its
# upstream without keep-alive by default anyway.
keepalive = 0

# A worker is replaced after this many requests, a guard against slow memory growth.
# Rarely: a new worker spends about a second of CPU starting (Voikko, the app) and
# starts with empty caches (the taxonomy, the vocabulary, analysed words), which are
# bounded, and so is the memory.
max_requests = 200_000
max_requests_jitter = 20_000

# gunicorn's most: a longer URL up to this reaches the app, which answers its own
# 414 page (JSON under /api/) past app.platform.errors.MAX_URL_LENGTH, gunicorn's default.
limit_request_line = 8190

# X-Forwarded-Proto is believed only from these addresses (the reverse proxy);
# the app's PROXY_FIX_X_FOR does the same for the client address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The access log has no referrer (another page's URL, possibly with a token in
# it) and no query string; paths that carry a token are masked by the filter
# installed below.  %(M)s is the time taken in milliseconds.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


def on_starting(server):
    """Mask sign-in tokens in gunicorn's own loggers before the first line is written."""
    from app.platform.log_filter import install_token_log_filter

    install_token_log_filter()
