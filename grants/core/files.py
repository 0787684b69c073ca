"""Uploaded files are judged by their content, never by their name."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from flask import Response
from flask_babel import gettext as _

from grants.core.errors import DomainError

# What each kind of file must start with, and the names it may carry.
_SIGNATURES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}
_OFFICE = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "word/document.xml",
        (".docx",),
    ),
    "application/vnd.oasis.opendocument.text": ("content.xml", (".odt",)),
}
ALLOWED_EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg", ".docx", ".odt")

# The types a browser may show in a tab of its own (a preview): PDF and pictures, formats that
# run no script in the app's origin. Anything else is a download only; SVG and HTML are never
# accepted at all (``sniff``).
PREVIEW_TYPES = ("application/pdf", "image/png", "image/jpeg")
# The policy a preview is served under: a sandbox (no script, no same origin, no forms), no
# requests but the file itself. Chromium's PDF viewer shows a PDF under it (tested in
# tests/browser/test_documents.py).
PREVIEW_POLICY = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"

# One file field takes at most this many files, together at most this many bytes: room for a
# trip's receipts photographed one by one, and a bound on one request (MAX_CONTENT_LENGTH is
# above it, so the limit is said beside the field and not by an error page).
MAX_FILES_PER_FIELD = 10
MAX_BYTES_PER_FILE = 10 * 1024 * 1024
MAX_BYTES_PER_FIELD = 20 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among the allowed ones."""
    for content_type, (magic, _ext) in _SIGNATURES.items():
        if data.startswith(magic):
            return content_type
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        for content_type, (marker, _ext) in _OFFICE.items():
            if marker in names:
                return content_type
    return None


# Characters no file name should hold where it is saved or shown (Windows forbids them, a
# shell or a header reads them): each becomes "_", so "Møde 10:30" stays readable.
_UNSAFE_IN_NAMES = re.compile(r'["<>|:*?]')
_PATH_SEPARATORS = re.compile(r"[/\\]")
_SPACES = re.compile(r"\s+")
# An extension the name keeps when it is shortened: letters and digits, a few of them.
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")
LONGEST_NAME = 200
# The name of a file whose name said nothing usable ("..", "", only dots or controls).
NAMELESS = "fil"


def display_name(filename: str) -> str:
    """A name to keep, show and offer on download, readable and safe: never a path (the
    parts of "a/b" or "a\\b" are joined by "_", "." and ".." left out), no control or
    invisible character (a line break or tab is a space; a right-to-left override, which
    could show "gpj.exe" as "exe.jpg", is dropped), no leading dot, at most ``LONGEST_NAME``
    characters with its extension kept, and "fil" when nothing is left."""
    name = unicodedata.normalize("NFC", filename or "")
    kept = []
    for ch in name:
        if ch.isspace() or unicodedata.category(ch).startswith("Z"):
            kept.append(" ")
        elif ch.isprintable():
            kept.append(ch)
    parts = [part.strip() for part in _PATH_SEPARATORS.split("".join(kept))]
    name = "_".join(part for part in parts if part.strip(". "))
    name = _SPACES.sub(" ", _UNSAFE_IN_NAMES.sub("_", name)).strip()
    stem, dot, extension = name.rpartition(".")
    if not dot or not _EXTENSION.fullmatch(extension):
        stem, extension = name, ""
    room = LONGEST_NAME - (len(extension) + 1 if extension else 0)
    # No leading dot (never "." or "..", never a hidden file), none trailing (Windows drops it).
    stem = stem.strip(". ")[:room].rstrip(". ") or NAMELESS
    return f"{stem}.{extension}" if extension else stem


# What the plain ``filename`` of a download may hold, for the browsers that do not read
# ``filename*`` (RFC 6266 appendix D): ASCII letters, digits and these.
_ASCII_NAME = re.compile(r"[^A-Za-z0-9 ._()\[\]+,!&=@~-]")
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The Content-Disposition of a stored file (RFC 6266): its safe name (``display_name``)
    in full as ``filename*`` (UTF-8, percent-encoded), and an ASCII ``filename`` for older
    browsers ("Kørsel.pdf" as "Koersel.pdf"); nothing in either can end the header or the
    parameter, or name a path."""
    name = display_name(filename)
    ascii_name = unicodedata.normalize("NFKD", name.translate(_DANISH))
    ascii_name = display_name(
        _ASCII_NAME.sub("_", ascii_name.encode("ascii", "ignore").decode("ascii"))
    )
    encoded = quote(name, safe="!#$&+-.^_`|~")  # RFC 8187's attr-char
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


def served_type(content_type: str) -> str:
    """The type to serve a stored file as: one of the types uploads may have, or a download
    the browser never renders."""
    if content_type in _SIGNATURES or content_type in _OFFICE:
        return content_type
    return "application/octet-stream"


def preview_type(content_type: str, data: bytes) -> str | None:
    """The type to show a stored file as in the browser, or None (download only): its bytes
    must still be the kind it was accepted as, and that kind one a browser shows safely."""
    if content_type not in PREVIEW_TYPES:
        return None
    return content_type if sniff(data) == content_type else None


def megabytes(size: int) -> str:
    """A size for people, in whole megabytes (at least 1)."""
    return str(max(1, round(size / (1024 * 1024))))


def check_uploads(
    files: list[tuple[str, bytes]],
    field: str,
    max_files: int = MAX_FILES_PER_FIELD,
    max_bytes: int = MAX_BYTES_PER_FIELD,
) -> list[CheckedFile]:
    """Several files sent in one field: each checked as ``check_upload`` checks one, all of
    them refused if there are too many or they are too large together (nothing is kept)."""
    files = [(name, data) for name, data in files if name or data]
    if len(files) > max_files:
        raise DomainError(
            _(
                "Du har valgt %(count)s filer. Du kan højst sende %(max)s filer ad gangen i "
                "dette felt.",
                count=len(files),
                max=max_files,
            ),
            field=field,
        )
    total = sum(len(data) for _name, data in files)
    if total > max_bytes:
        raise DomainError(
            _(
                "Filerne fylder %(size)s MB tilsammen. Du kan højst sende %(max)s MB ad gangen "
                "i dette felt: send dem i flere omgange.",
                size=megabytes(total),
                max=megabytes(max_bytes),
            ),
            field=field,
        )
    return [check_upload(name, data, field=field) for name, data in files]


def check_upload(filename: str, data: bytes, field: str) -> CheckedFile:
    """Accept the file if its content is an allowed type and its name says the same."""
    name = display_name(filename)
    if not data:
        raise DomainError(_("Filen %(name)s er tom.", name=name), field=field)
    if len(data) > MAX_BYTES_PER_FILE:
        raise DomainError(
            _(
                "Filen %(name)s fylder %(size)s MB. En fil kan højst fylde %(max)s MB.",
                name=name,
                size=megabytes(len(data)),
                max=megabytes(MAX_BYTES_PER_FILE),
            ),
            field=field,
        )
    content_type = sniff(data)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if content_type is None:
        raise DomainError(
            _(
                "%(name)s: Filen kan ikke bruges. Vedhæft en PDF, et Word- eller "
                "OpenDocument-dokument eller et billede (PNG eller JPEG).",
                name=name,
            ),
            field=field,
        )
    allowed = _SIGNATURES.get(content_type, (None, ()))[1] or _OFFICE[content_type][1]
    if extension not in allowed:
        raise DomainError(
            _(
                "Filens indhold passer ikke til filnavnet %(name)s. Tjek, at det er den rigtige "
                "fil.",
                name=name,
            ),
            field=field,
        )
    return CheckedFile(filename=name, content_type=content_type, data=data)


def private_download(body: bytes | str, mimetype: str, filename: str) -> Response:
    """A file made for the person who asks (an export, a payment batch): downloaded under
    ``filename``, never stored by a cache, never sniffed as another type."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
