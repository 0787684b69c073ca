"""The public pages as a newspaper's link would meet them: the same for every visitor who is
not logged in, so a shared cache (docs/deployment.md's nginx) may keep them, and cheap to
check and to serve again when it does not.

A public page (``@public``) answered to a request that carries no session cookie (nobody is
logged in, no language chosen in a session) sets no cookie, does not vary by cookie (see
``grants.core.sessions``) and says::

    Cache-Control: public, max-age=60, s-maxage=300
    ETag: "<the data's version, today, the page's address and language, the release>"
    Last-Modified: <the latest change of the data, or midnight, or the release>

The validator costs one query (``queries.publication_version``); a conditional request
that still matches is answered 304 before the page is read or rendered. A page rendered for
a validator is kept in the process (``Memo``) and served again while the validator holds:
the open-data feed of 200 trips then costs that one query.

A request with a session cookie is answered as before: a logged-in person's page is
``private, no-cache`` (their name is in the header); the proxy does not cache it either.

The language of a public page comes from its address (``?sprog=en``), never from a session
for such a request: the English and the Danish page have different addresses, so different
cache keys, and the pages need no ``Vary``. Nothing else a reader's browser fetches starts a
session either: an error page without a session has no language form (grants.core.views),
so the 404 of /favicon.ico does not turn the next public page into a cache bypass.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app, g, make_response, request, session
from flask_login import current_user

from grants.core.address_language import without_session
from grants.publication import queries

# A browser keeps the page a minute; the proxy five (it is purged by nothing, so a change
# shows within five minutes at worst; a revalidation costs one query).
BROWSER_MAX_AGE = 60
PROXY_MAX_AGE = 300
CACHE_CONTROL = f"public, max-age={BROWSER_MAX_AGE}, s-maxage={PROXY_MAX_AGE}"
# The headers a kept page is served again with (the rest are the app's usual ones).
KEPT_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Link",
    "Access-Control-Allow-Origin",
    "Access-Control-Expose-Headers",
    "X-Content-Type-Options",
)
ROOT = Path(__file__).resolve().parent.parent.parent


@functools.cache
def release() -> tuple[str, dt.datetime]:
    """What the pages are rendered with beyond the data: the templates, the translations and
    the static files they link. A deploy that changes any of them changes every ETag (and
    Last-Modified), without any version to remember to raise."""
    digest = hashlib.sha256()
    latest = 0
    for folder in ("templates", "grants/translations", "static"):
        for directory, subdirectories, files in sorted(os.walk(ROOT / folder)):
            subdirectories.sort()
            for name in sorted(files):
                stat = (Path(directory) / name).stat()
                digest.update(f"{directory}/{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
                latest = max(latest, stat.st_mtime_ns)
    return digest.hexdigest()[:16], dt.datetime.fromtimestamp(latest // 10**9, dt.UTC)


@dataclass(frozen=True)
class Validator:
    etag: str
    last_modified: dt.datetime
    # Whether If-Modified-Since may be answered: not while the data's version is settling
    # (queries.SETTLING), when two changes within a second would share the date.
    by_date: bool


def validator() -> Validator:
    """The page's validator. Its language need not be asked for (that would read the
    municipality's languages): without a session it is the address's, and both the address
    and the municipality's profile are in the seed."""
    version = queries.publication_version()
    code, released = release()
    seed = "|".join([version.key, code, request.full_path])
    changed = max(version.changed, released).replace(microsecond=0)
    return Validator(hashlib.sha256(seed.encode()).hexdigest()[:32], changed, version.settled)


def _still_fresh(found: Validator) -> bool:
    """RFC 9110 13.2.2: If-None-Match decides when it is there; else If-Modified-Since."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(found.etag)
    since = request.if_modified_since
    return found.by_date and since is not None and found.last_modified <= since


def _with_validator(response: Response, found: Validator) -> Response:
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.set_etag(found.etag)
    response.last_modified = found.last_modified
    return response


class Memo:
    """The latest rendering of each public address, per process, with the validator it was
    made for: served again only while the validator is the same."""

    def __init__(self, size: int):
        self.size = size
        self.kept: OrderedDict[str, tuple[str, int, bytes, list[tuple[str, str]]]] = OrderedDict()

    def get(self, address: str, etag: str) -> Response | None:
        found = self.kept.get(address)
        if found is None or found[0] != etag:
            return None
        self.kept.move_to_end(address)
        _etag, status, body, headers = found
        return Response(body, status=status, headers=headers)

    def put(self, address: str, etag: str, response: Response) -> None:
        if self.size <= 0 or response.direct_passthrough or response.is_streamed:
            return
        headers = [(k, v) for k, v in response.headers.items() if k in KEPT_HEADERS]
        self.kept[address] = (etag, response.status_code, response.get_data(), headers)
        self.kept.move_to_end(address)
        while len(self.kept) > self.size:
            self.kept.popitem(last=False)


def memo() -> Memo:
    found = current_app.extensions.get("grants.public_pages")
    if found is None:
        found = Memo(current_app.config["PUBLIC_PAGES_KEPT"])
        current_app.extensions["grants.public_pages"] = found
    return found


def public(view: Callable) -> Callable:
    """A public page or feed: see the module's docstring."""

    @functools.wraps(view)
    def answer(*args, **kwargs):
        if not without_session():
            return _as_before(make_response(view(*args, **kwargs)))
        # The same for everyone without a session: grants.core.sessions leaves out
        # Vary: Cookie, as nothing in it was read.
        g.same_without_session = True
        found = validator()
        if _still_fresh(found):
            return _with_validator(Response(status=304), found)
        address = request.full_path
        kept = memo().get(address, found.etag)
        if kept is not None:
            return _with_validator(kept, found)
        response = make_response(view(*args, **kwargs))
        if session.modified:
            # Something wrote to the session after all (it gets its cookie): this answer
            # is this visitor's, and nobody else's.
            response.headers["Cache-Control"] = "private, no-cache"
            return response
        if response.status_code != 200:
            return response
        _with_validator(response, found)
        memo().put(address, found.etag, response)
        return response

    return answer


def _as_before(response: Response) -> Response:
    """With a session: a logged-in person's page is theirs alone; the feeds (already marked
    public by their view) are the same for everyone."""
    if response.status_code != 200:
        return response
    if "public" in response.headers.get("Cache-Control", ""):
        pass
    elif current_user.is_authenticated:
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        response.headers["Cache-Control"] = f"private, max-age={BROWSER_MAX_AGE}"
    response.add_etag()
    return response.make_conditional(request)
