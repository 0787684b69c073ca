"""HTML to archival PDF: PDF/A-3a, i.e. fit for the archive and tagged for screen readers.

A letter is made from our own template and our own assets only. The renderer fetches
nothing from outside the app: a letter must look the same when it is made again from its
parameters years later, and text in a case (an applicant's reasons, a title) must never be
able to make the server fetch a URL or read a file.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

#: The only folder the renderer reads from: the letters' stylesheet and images.
ASSETS_DIR = Path(__file__).resolve().parent / "assets"
#: Relative URLs in a letter (``href="letter.css"``) resolve against this folder.
ASSETS_URL = ASSETS_DIR.as_uri() + "/"

#: Images given to create_pdf as bytes are named grants-image:<name> in the HTML.
IMAGE_SCHEME = "grants-image:"

#: PDF/A-3a: archival (PDF/A-3) and accessible (level A: tagged, with a structure tree).
PDF_VARIANT = "pdf/a-3a"


_fonts = threading.local()


def _font_configuration() -> FontConfiguration:
    """This thread's fonts: Pango's font map, made once per thread instead of once per letter
    (a sixth of a letter's time). Per thread, since Pango's font maps are not to be shared
    between threads; the letters use installed fonts only (no @font-face), so nothing a letter
    does is kept in it."""
    if not hasattr(_fonts, "configuration"):
        _fonts.configuration = FontConfiguration()
    return _fonts.configuration


class FetchRefused(ValueError):
    """The renderer asked for something outside the letters' assets folder."""


class AssetsOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves files from one folder and refuses the rest.

    Only ``file:`` URLs whose real path (symlinks and ``..`` resolved) lies inside ``root``
    are served; ``http(s):``, ``ftp:``, ``data:`` and any other file are refused. WeasyPrint
    catches the refusal, logs it and renders without the resource.
    """

    def __init__(
        self, root: Path = ASSETS_DIR, images: dict[str, tuple[bytes, str]] | None = None
    ) -> None:
        # No network handlers are ever used: ``fetch`` below never calls urllib.
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.root = root.resolve()
        # Images handed over as bytes (the municipality's logo, checked by content when it
        # was uploaded), named ``grants-image:<name>`` in the letter.
        self.images = dict(images or {})

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith(IMAGE_SCHEME) and url[len(IMAGE_SCHEME) :] in self.images:
            data, content_type = self.images[url[len(IMAGE_SCHEME) :]]
            return URLFetcherResponse(url, body=data, headers={"Content-Type": content_type})
        path = self.resolve(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        # Read it all now: a response holding bytes has no file handle to leak.
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    def resolve(self, url: str) -> Path:
        """The file ``url`` names, if it may be served; raises FetchRefused otherwise."""
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise self._refuse(url, "malformed URL") from exc
        if parts.scheme.lower() != "file":
            raise self._refuse(url, f"scheme {parts.scheme or '(none)'!r} is not allowed")
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "a file on another host")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.root):
            raise self._refuse(url, "outside the letters' assets")
        if not path.is_file():
            raise self._refuse(url, "no such asset")
        return path

    @staticmethod
    def _refuse(url: str, why: str) -> FetchRefused:
        # Logged here, not only by WeasyPrint, so a refused fetch is visible in our own logs.
        log.warning("Letter renderer refused to fetch %s: %s", url[:200], why)
        return FetchRefused(f"refused {url[:200]}: {why}")


def create_pdf(
    html: str, base_url: str | None = None, images: dict[str, tuple[bytes, str]] | None = None
) -> bytes:
    """Render ``html`` as a PDF/A-3a document and return its bytes.

    The HTML must set ``<html lang>`` and ``<title>``: they become the PDF's language and
    title, which PDF/A level A and screen readers need. Relative URLs resolve against
    ``base_url``, by default the letters' assets folder, but whatever the base, only files
    inside that folder are fetched, and the ``images`` given as bytes
    (``{"logo": (data, "image/png")}``, used as ``src="grants-image:logo"``). Fonts come
    from fontconfig and are embedded (subset).
    """
    fetcher = AssetsOnlyFetcher(images=images)
    document = HTML(string=html, base_url=base_url or ASSETS_URL, url_fetcher=fetcher)
    # pdf_variant pdf/a-3a already implies tags in WeasyPrint 70; say so anyway, so the
    # letter stays tagged if the variant is ever changed to a "b" level.
    return document.write_pdf(
        pdf_variant=PDF_VARIANT, pdf_tags=True, font_config=_font_configuration()
    )
