"""Test clients that behave like the browsers and the server the app meets in use."""
from flask import g
from flask.testing import FlaskClient


class ServerLikeClient(FlaskClient):
    """Reads and closes every response as a WSGI server does.

    The app delivers mail after the answer is sent (when the server closes the
    response), so with this client the mail has gone when the call returns.
    """

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


class OwnBrowserClient(ServerLikeClient):
    """A client for tests with two people: the test's app context (and so `g`) outlives
    requests, and Flask-WTF caches the CSRF token of the last session in `g`."""

    def open(self, *args, **kwargs):
        g.pop(self.application.config["WTF_CSRF_FIELD_NAME"], None)
        return super().open(*args, **kwargs)


def once(data: dict | None = None, **fields) -> dict:
    """Form data with a fresh one-time submission key, as every rendered creating form carries."""
    from app.platform.submissions import new_key

    return {**(data or {}), **fields, "submission_key": new_key()}
