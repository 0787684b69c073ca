"""Response headers that keep the browser on our side: a Content-Security-Policy with no
inline code (templates carry no inline script or style; chart data rides in JSON blocks),
no framing, no sniffing, and HSTS in production. The one check of a redirect's target
(``safe_next``), ids in URLs that are never out of the database's range (``IdConverter``),
and URLs that carry control characters refused (``grants.core.input``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from flask import Flask, abort, current_app, render_template, request, url_for
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, Map, MapAdapter, RequestRedirect
from werkzeug.wrappers import Response

from grants.core.input import MAX_ID, has_control_characters

_View = TypeVar("_View", bound=Callable[..., Any])

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Where else a form may lead: the browser applies form-action to every redirect that answers
# a form, so the app's logout form, answered with a redirect to the identity provider's
# logout (OpenID Connect RP-initiated logout, SAML single logout), needs the provider's
# origin here. A login method registers a source of origins (``form_targets``); the core
# knows none of them.
_FORM_TARGETS: list[Callable[[], Iterable[str]]] = []
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")


def form_targets(source: Callable[[], Iterable[str]]) -> Callable[[], Iterable[str]]:
    """Register ``source``: it gives origins ("https://login.example.dk") forms may lead to."""
    _FORM_TARGETS.append(source)
    return source


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin if _ORIGIN.match(origin) else None


def content_security_policy() -> str:
    extra = sorted({origin for source in _FORM_TARGETS for origin in source() if origin})
    if not extra:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", " ".join(["form-action 'self'", *extra])
    )


# What a browser removes from a URL before reading it (the WHATWG URL standard): tab and
# newlines anywhere, and C0 controls and spaces at either end.
_BROWSER_REMOVES = re.compile(r"[\t\n\r]")
_BROWSER_TRIMS = "".join(chr(c) for c in range(0x21))


def safe_next(target: object, default: str | None = None) -> str:
    """The place to send the browser after a step that takes a target (``?next=``, a hidden
    ``next`` field): a path on this site, or ``default`` (the front page).

    The target is read as a browser would read it (tab and newlines removed, controls and
    spaces trimmed, a backslash as a slash), and then must be a path: no scheme, no host,
    not "//…" (another host to a browser), no control character left (which would also
    break the Location header). So "/%09/evil.example" and "/%5Cevil.example" (as sent)
    go to the front page, never to another site."""
    fallback = default or url_for("core.index")
    if not isinstance(target, str) or not target or len(target) > 2000:
        return fallback
    cleaned = _BROWSER_REMOVES.sub("", target).strip(_BROWSER_TRIMS).replace("\\", "/")
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return fallback
    if has_control_characters(cleaned, multiline=False):
        return fallback
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return fallback
    return cleaned


def serves_a_file(view: _View) -> _View:
    """Mark ``view`` as one that answers a GET with a file or data (a document's download, a
    letter's PDF, the API's JSON), not a page: ``page_to_get`` never falls back on its
    address. The mark is an attribute of the function, so decorators that wrap it
    (``functools.wraps``: ``login_required``) keep it."""
    view.serves_a_file = True  # type: ignore[attr-defined]
    return view


def page_to_get(target: str) -> str:
    """``target`` (a path on this site, as ``safe_next`` gives it) as a page a browser can
    ask for again: itself, unless its address answers only a form (a step sent back with
    errors, ``/ansoegninger/5/trin/x``, drawn the case page with status 422), then the nearest
    page above it that does (``/ansoegninger/5``), else the front page. An address above it
    that answers a GET with a file (``serves_a_file``: ``/ansoegninger/5/bilag/7`` above the
    document's ``/fjern``) or only a form is passed over on the way up. An address nothing
    answers is left as it is (its own 404)."""
    adapter = current_app.create_url_adapter(request)
    path = urlsplit(target).path
    if adapter is None or not _answers_only_a_form(adapter, path):
        return target
    while path.rstrip("/"):
        path = path.rstrip("/").rsplit("/", 1)[0] or "/"
        if _answers_a_get(adapter, path):
            return path
    return url_for("core.index")


def _answers_only_a_form(adapter: MapAdapter, path: str) -> bool:
    try:
        adapter.match(unquote(path), method="GET")
    except MethodNotAllowed:
        return True
    except (HTTPException, RequestRedirect):
        return False
    return False


def _answers_a_get(adapter: MapAdapter, path: str) -> bool:
    """Whether ``path`` is a page: it answers a GET, and not with a file."""
    try:
        endpoint, _values = adapter.match(unquote(path), method="GET")
    except RequestRedirect:
        return True  # the same page, with or without its trailing slash
    except HTTPException:
        return False
    view = current_app.view_functions.get(str(endpoint))
    return not getattr(view, "serves_a_file", False)


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: ASCII digits, 1 to the largest id the database holds
    (``Integer`` columns, 32-bit on PostgreSQL). Anything else is not found (404) before the
    view runs, instead of an overflow in the database driver (a 500)."""

    regex = r"[0-9]{1,12}"

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int = 1,
        max: int = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def install_converters(app: Flask) -> None:
    """Before the blueprints are registered: their rules compile with these converters."""
    app.url_map.converters["int"] = IdConverter


def register(app: Flask) -> None:
    @app.before_request
    def refuse_control_characters_in_urls() -> None:
        """A path or query string with a control character is never typed (a browser
        encodes them): refused before any view reads it, so no database sees a NUL."""
        if has_control_characters(request.path) or any(
            # Tab and newlines may ride in a query (a ?next= is read as a browser would,
            # see safe_next); the others never.
            has_control_characters(key, multiline=True)
            or has_control_characters(value, multiline=True)
            for key, values in request.args.lists()
            for value in values
        ):
            abort(400)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy())
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("PRODUCTION"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
        """A request over MAX_CONTENT_LENGTH: a page that says so, and nothing is saved."""
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        limit_mb = max(1, round(limit / (1024 * 1024)))
        return render_template("errors/too_large.html", limit_mb=limit_mb), 413
