"""/dev/mailbox: the mail the outbox "delivered" while no SMTP server is configured."""
import re

from flask import Blueprint, make_response, render_template
from markupsafe import Markup, escape
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage

bp = Blueprint("dev", __name__)

URL_PATTERN = re.compile(r"https?://[^\s<>\"']+")


def linkify(text: str) -> Markup:
    """Plain text, escaped, with its http(s) addresses made into links."""
    pieces, position = [], 0
    for match in URL_PATTERN.finditer(text):
        pieces.append(escape(text[position:match.start()]))
        pieces.append(Markup('<a href="{0}">{0}</a>').format(match.group()))
        position = match.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


@bp.get("/mailbox")
def mailbox():
    """Every message in the outbox, newest first."""
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)).all()
    return render_template("dev/mailbox.html", messages=messages)


@bp.get("/mailbox/<int:message_id>")
def message(message_id: int):
    """One message: headers and the text body with clickable links."""
    found = db.get_or_404(OutboxMessage, message_id)
    return render_template("dev/message.html", message=found, text=linkify(found.text_body))


@bp.get("/mailbox/<int:message_id>/html")
def message_html(message_id: int):
    """The HTML body as the recipient's mail program would get it."""
    found = db.get_or_404(OutboxMessage, message_id)
    response = make_response(found.html_body)
    # The mail's own inline styles are allowed here, nothing else is.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"
    response.headers["Cache-Control"] = "no-store"
    return response
