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
# (README.md, "Measured under load", has the tables).  Every request is CPU-bound Python
# (search analysis, Jinja), so one process per core gives the parallelism and
# threads overlap the waits on SQLite's write lock, on SMTP after a contact request
# and on slow clients.  32 connections, 15 s a phase, requests/s (the host's speed
# varies by a third from minute to minute, so only large differences count):
#                  mixed load   searches only   trivial route
#   2 × 2 gthread      115           211            1516
#   2 × 4 gthread      124           133            1100
#   3 × 2 gthread      123           238            1640
#   2 × 8 gthread      208           158            1126   <- chosen: the mixed load
# (measured while workers were still replaced every 2 000 requests)
# With few threads a worker sits idle while its threads wait for the write lock
# or the mail server, which the mixed load (the real one) has and searches alone do not.
# Each worker builds its own app and connection pool (no preload), so no
# database connection is shared across a fork.  With PostgreSQL keep
# DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW ≥ threads.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# A worker that has not answered for 30 s is stuck and is replaced; nginx
# waits 35 s (proxy_read_timeout in the README's nginx example), a little longer.
timeout = 30
# On restart or deploy, requests in progress get this long to finish.
graceful_timeout = 20
# Idle keep-alive connections from the proxy are closed after 5 s.
keepalive = 5

# A worker is replaced after this many requests, a guard against slow memory growth.
# Rarely: a new worker spends about a second of CPU starting (Voikko, the app) and
# starts with empty caches (the taxonomy, the vocabulary, analysed words), which are
# bounded, and so is the memory.
max_requests = 200_000
max_requests_jitter = 20_000

# X-Forwarded-Proto is believed only from these addresses (the reverse proxy);
# the app's PROXY_FIX_X_FOR does the same for the client address.
# gunicorn's most: a longer URL up to this reaches the app, which answers its own
# 414 page (JSON under /api/) past app.platform.errors.MAX_URL_LENGTH, gunicorn's default.
limit_request_line = 8190

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
