"""Keep sign-in tokens out of the logs.

A link's token is in its path, so every access log line (and the Referer of
the page's own POST) would carry it.  The filter masks it in the werkzeug
development server's log, gunicorn's access log and the app's own log.
"""
import logging
import re

TOKEN_IN_PATH = re.compile(r"(/(?:kirjaudu|muokkaa|kasitelty|tila|palaute)/)[A-Za-z0-9_\-]+")
MASK = r"\1[piilotettu]"
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def mask_tokens(value):
    return TOKEN_IN_PATH.sub(MASK, value) if isinstance(value, str) else value


class TokenMaskFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # The line is formatted here once and masked as a whole: gunicorn's access
        # record carries some forty values (every header among them), and masking
        # each was a tenth of a search's time under load.
        record.msg = mask_tokens(record.getMessage())
        record.args = ()
        return True


def install_token_log_filter(*extra_loggers: logging.Logger) -> None:
    """Idempotent: create_app runs many times in one process under the tests."""
    for logger in [logging.getLogger(name) for name in LOGGERS] + list(extra_loggers):
        if not any(isinstance(existing, TokenMaskFilter) for existing in logger.filters):
            logger.addFilter(TokenMaskFilter())
