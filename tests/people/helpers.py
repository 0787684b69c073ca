"""Signing up as a person does it: the address first, then the link in the e-mail."""

from __future__ import annotations

import re

from flask import g
from sqlalchemy import select

from grants.extensions import db
from grants.notifications.models import OutboxMessage


def last_mail_to(address: str) -> OutboxMessage:
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.to_address == address)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    ).one()


def link_in(message: OutboxMessage) -> str:
    """The path of the sign-up link in an e-mail."""
    url = re.search(r"https?://\S+/opret-konto/\S+", message.body).group(0)
    return "/opret-konto/" + url.split("/opret-konto/", 1)[1]


def sign_up(client, email: str, name: str, password: str, *, next_path: str | None = None):
    """Ask for the link, follow it and choose name and password; the last response."""
    url = "/opret-konto" + (f"?next={next_path}" if next_path else "")
    response = client.post(url, data={"email": email})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    link = link_in(last_mail_to(email))
    return client.post(link, data={"name": name, "password": password, "confirm": password})


def without_csrf(html: str) -> str:
    """The page without its CSRF tokens (signed, so different on every page)."""
    return re.sub(r'value="[\w-]{20,}\.[\w-]+\.[\w-]+"', 'value=""', html)


def login_answer(email: str, answer) -> str:
    """The login's answer to ``email`` as a page to compare with another address's: the
    typed address (shown again in the form) and the CSRF tokens left out."""
    return without_csrf(answer.get_data(as_text=True)).replace(email, "ADDRESS")


def new_visitor(app, path: str, data: dict):
    """A POST from a new browser, signed in as nobody (the tests' requests share one `g`,
    where Flask-WTF keeps the CSRF token it made and Flask-Login the user)."""
    g.pop("csrf_token", None)
    g.pop("_login_user", None)
    return app.test_client().post(path, data=data)
