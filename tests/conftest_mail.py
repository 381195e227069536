"""Mail fixtures: `mailbox` is a real SMTP server on loopback the app sends to.

Loaded by tests/conftest.py through `pytest_plugins = ["tests.conftest_mail"]`.
"""
import pytest

from app.extensions import mail
from app.platform import background
from tests.mailsink import MailSink, free_port


def use_smtp_server(app, host: str, port: int) -> None:
    """Point the app's mail at host:port; Flask-Mail reads its settings in init_app."""
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port, MAIL_SUPPRESS_SEND=False)
    mail.init_app(app)


@pytest.fixture
def mailbox(app):
    sink = MailSink().start()
    use_smtp_server(app, sink.host, sink.port)
    yield sink
    # Mail made off the request's thread (staff sign-in links) must not be cut off by the
    # server going away under it.
    background.wait_until_idle()
    sink.stop()


@pytest.fixture
def unstarted_mailbox(app):
    """The app is pointed at a port where nothing listens yet; `.start()` brings the server up."""
    sink = MailSink(port=free_port())
    use_smtp_server(app, sink.host, sink.port)
    yield sink
    background.wait_until_idle()
    sink.stop()
