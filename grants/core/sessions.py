"""The session cookie, as Flask keeps it, with one exception for the public pages.

Flask adds ``Vary: Cookie`` to every response whose request touched the session at all, and
Flask-Login, Flask-Babel's locale selector and the flashed messages touch it on every page.
A shared cache then keeps one copy per cookie, which for a page that is the same for
everyone without a session means no cache at all behind some proxies. A view that answers
a request without a session cookie with such a page sets ``g.same_without_session``; its
response, if the session was not written to, gets neither a cookie nor ``Vary: Cookie``.
A request that does carry the cookie is never answered from the shared cache (the proxy
passes it on: docs/deployment.md), so nothing is lost by leaving the header out.
"""

from __future__ import annotations

from flask import Flask, Response, g
from flask.sessions import SecureCookieSessionInterface, SessionMixin


class SessionInterface(SecureCookieSessionInterface):
    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if g.get("same_without_session") and not session and not session.modified:
            return
        super().save_session(app, session, response)
