"""Pages whose language is in their address (``?sprog=en``), for visitors without a session.

A page that is the same for everyone without a session (the public trips, the open data, a
letter's verification) must not start a session just to remember a language: that would put
a cookie on every reader and keep the page out of any shared cache. Such a page takes its
language from its address instead; each language is then its own address (and its own cache
key), the links within the pages keep it, and the language switch is a plain link.

``install(bp, endpoints)`` gives a blueprint this: the language read from the address into
``g.url_locale`` (which the app's locale selector asks first), the parameter kept by
``url_for`` on ``endpoints``, and ``language_url(code)`` for base.html's language switch on
those pages when the request carries no session. Logged-in people keep the session's switch.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, request, url_for
from flask_babel import get_locale, refresh

# The address's language parameter (Danish, as the app's other parameters).
ARG = "sprog"
DEFAULT = "da"


def without_session() -> bool:
    """The request carries no session (so nobody is logged in and no language was chosen in
    one): told from the cookie alone, without opening the session."""
    return current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def page_language() -> str | None:
    """The language the address asks for, when it is not the default (for a form that must
    keep it as a hidden field)."""
    chosen = str(get_locale() or DEFAULT)
    return None if chosen == DEFAULT else chosen


def install(bp: Blueprint, endpoints: Collection[str]) -> None:
    """Let ``endpoints`` of ``bp`` take their language from the address (module docstring)."""

    @bp.url_value_preprocessor
    def language_from_address(_endpoint: str | None, _values: dict | None) -> None:
        chosen = request.args.get(ARG)
        if chosen:
            g.url_locale = chosen

    @bp.url_defaults
    def keep_language(endpoint: str, values: dict) -> None:
        if endpoint in endpoints and ARG not in values:
            chosen = g.get("url_locale")
            if chosen and chosen != DEFAULT:
                values[ARG] = chosen

    @bp.context_processor
    def language_links() -> dict[str, object]:
        if request.endpoint not in endpoints or not without_session():
            return {}

        def language_url(code: str) -> str:
            args: dict[str, object] = {k: v for k, v in request.args.items() if k != ARG}
            args[ARG] = code if code != DEFAULT else None
            args.update(request.view_args or {})
            return url_for(request.endpoint or "", **args)  # type: ignore[arg-type]

        shown: Callable[[str], str] = language_url
        return {"language_url": shown, "address_language": page_language()}


def for_error_page() -> dict[str, object]:
    """An error page (it has no endpoint) for a request without a session: in the language
    its address asks for, with the switch as a link to the same address."""
    if not without_session():
        return {}
    chosen = request.args.get(ARG)
    if chosen and chosen != g.get("url_locale"):
        g.url_locale = chosen
        refresh()  # the locale may have been chosen already in this request
    # One leading slash whatever was asked (//host would be another site's address).
    path = request.script_root + "/" + request.path.lstrip("/")

    def language_url(code: str) -> str:
        args = [(k, v) for k, v in request.args.items(multi=True) if k != ARG]
        if code != DEFAULT:
            args.append((ARG, code))
        return path + ("?" + urlencode(args) if args else "")

    shown: Callable[[str], str] = language_url
    return {"language_url": shown}
