"""Keep sign-in tokens out of the logs, and one log line one line.

A link's token is in its path, so every access log line (and the Referer of
the page's own POST) would carry it.  A request's path is logged decoded, so
`GET /x%0d%0aInjected` would write a forged line of its own and `%00` a NUL.
The filter masks tokens and escapes control characters (as \\x0d, \\u2028) in
the werkzeug development server's log, gunicorn's access log and the app's own log.
"""
import logging
import re

# The path segment before each secret of a link (tests/test_sign_in.py checks every route with one):
# sign-in and edit links, "handled", workshop status and survey, event sign-up, a shared list,
# a contact request's receipt, and a claim's answer link after its number.
TOKEN_IN_PATH = re.compile(
    r"(/(?:kirjaudu|muokkaa|kasitelty|tila|palaute|ilmoittautuminen|lista|lahetetty|liittymispyynto/\d+)/)"
    r"[A-Za-z0-9_\-]+"
)
MASK = r"\1[piilotettu]"
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_log_text(value):
    """Tokens masked, control characters escaped."""
    return CONTROL.sub(_escape, TOKEN_IN_PATH.sub(MASK, value)) if isinstance(value, str) else value


class TokenMaskFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # The line is formatted here once and masked as a whole: gunicorn's access
        # record carries some forty values (every header among them), and masking
        # each was a tenth of a search's time under load.  A traceback is not in the
        # message (exc_info is formatted apart), so it keeps its line breaks.
        record.msg = safe_log_text(record.getMessage())
        record.args = ()
        return True


def install_token_log_filter(*extra_loggers: logging.Logger) -> None:
    """Idempotent: create_app runs many times in one process under the tests."""
    for logger in [logging.getLogger(name) for name in LOGGERS] + list(extra_loggers):
        if not any(isinstance(existing, TokenMaskFilter) for existing in logger.filters):
            logger.addFilter(TokenMaskFilter())
