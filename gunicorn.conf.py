"""Gunicorn settings for `make serve` and production (behind a reverse proxy).

GUNICORN_BIND and WEB_CONCURRENCY change the address and the number of worker
processes; gunicorn's own GUNICORN_CMD_ARGS overrides anything else.
"""
import os

wsgi_app = "wsgi:app"

# Loopback only: the reverse proxy in front terminates TLS and forwards here.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threads let one process overlap the short waits on the database and on slow
# clients; processes give parallelism.  Each worker builds its own app and pool
# (no preload), so no database connection is shared across a fork.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 4
timeout = 30
graceful_timeout = 30
keepalive = 5

# A worker is replaced after this many requests, which bounds slow memory growth.
max_requests = 2000
max_requests_jitter = 200

accesslog = "-"
errorlog = "-"
