"""Uploaded files are judged by their content, never by their name."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

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


def display_name(filename: str) -> str:
    """A name to show and offer on download: no path, no control characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    # No leading dots either: never "." or "..", never a hidden file.
    return name.strip().lstrip(".").strip()[:200] or "fil"


def served_type(content_type: str) -> str:
    """The type to serve a stored file as: one of the types uploads may have, or a download
    the browser never renders."""
    if content_type in _SIGNATURES or content_type in _OFFICE:
        return content_type
    return "application/octet-stream"


def check_upload(filename: str, data: bytes, field: str) -> CheckedFile:
    """Accept the file if its content is an allowed type and its name says the same."""
    if not data:
        raise DomainError(_("Filen er tom."), field=field)
    content_type = sniff(data)
    name = display_name(filename)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if content_type is None:
        raise DomainError(
            _(
                "Filen kan ikke bruges. Vedhæft en PDF, et Word- eller OpenDocument-dokument "
                "eller et billede (PNG eller JPEG)."
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
