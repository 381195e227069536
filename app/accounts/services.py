"""What the account pages do, callable without a request."""
from app.platform.outbox import queue_mail
from app.platform.tokens import TOKEN_LIFETIMES, issue_link_token, link_url

SIGN_IN_LINK_MINUTES = int(TOKEN_LIFETIMES["sign_in"].total_seconds() // 60)


def send_sign_in_link(email: str, *, created_ip: str | None = None) -> None:
    """Issue a sign-in link to any valid address and queue the mail; flush, no commit.

    The same work for every address, known or not, so neither the answer nor
    its timing tells whether the address belongs to an organisation.
    """
    token = issue_link_token(email, "sign_in", created_ip=created_ip)
    queue_mail(
        email,
        "sign_in",
        link=link_url("accounts.open_link", token=token),
        start_url=link_url("accounts.request_link"),
        minutes=SIGN_IN_LINK_MINUTES,
    )
