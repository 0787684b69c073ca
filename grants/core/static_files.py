"""Static files as a phone wants them: names that change when the content does, so a browser
may keep them for a year, and gzip and brotli made once at build time, not per request.

``build`` (run by ``make assets``, ``scripts/build_static.py``) copies ``static/`` into
``build/static/`` with the content's hash in every name (``app.css`` ->
``app.3f2a9c01d4e5.css``), cuts the design system's CSS down to the rules the app uses,
points the CSS's ``url(...)`` at the hashed names, writes the ``.br`` and ``.gz`` beside
each text file and ``manifest.json`` (name -> hashed name).

``install`` (``create_app``) reads the manifest: ``url_for('static', filename='app.css')``
then gives the hashed name, and WhiteNoise serves the build in front of Flask, with the
encoding the browser accepts and ``Cache-Control: public, max-age=<a year>, immutable``
(a hashed name's content never changes). Without a build (a fresh clone before ``make
assets``) the names stay plain and Flask serves ``static/`` itself, as before.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import Flask

MANIFEST = "manifest.json"
HASH_LENGTH = 12
# What WhiteNoise sends, with "immutable", for a hashed file (its FOREVER): the name changes
# with the content, so the file never goes stale.
FAR_FUTURE = 10 * 365 * 24 * 3600
# Only text is worth compressing; fonts (woff, woff2) and images are compressed already,
# and the old font formats (ttf, otf, eot) are fallbacks no current browser fetches.
# Source maps are for a developer's tools only: not worth brotli's time at build.
COMPRESSED = (".css", ".js", ".svg", ".json", ".txt", ".html", ".xml", ".ico")
_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
_SOURCE_MAP = re.compile(r"(sourceMappingURL=)([^\s*]+)")


def hashed_name(name: str, content: bytes) -> str:
    """``dkfds/css/dkfds.min.css`` -> ``dkfds/css/dkfds.min.<hash>.css``."""
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    folder, _, base = name.rpartition("/")
    stem, dot, extension = base.rpartition(".")
    hashed = f"{stem}.{digest}.{extension}" if dot and stem else f"{base}.{digest}"
    return f"{folder}/{hashed}" if folder else hashed


def _rewrite_references(name: str, text: str, manifest: dict[str, str]) -> str:
    """Point the CSS's relative references (and a script's source map) at the hashed names;
    anything else (data: URIs, absolute URLs, a file not in the build) stays as it is."""
    folder = posixpath.dirname(name)

    def hashed(reference: str) -> str | None:
        if reference.startswith(("data:", "http:", "https:", "//", "/", "#")):
            return None
        path, separator, rest = _split(reference)
        target = posixpath.normpath(posixpath.join(folder, path))
        if target not in manifest:
            return None
        return posixpath.relpath(manifest[target], folder or ".") + separator + rest

    def url(match: re.Match) -> str:
        new = hashed(match.group(2).strip())
        return match.group(0) if new is None else f"url({match.group(1)}{new}{match.group(1)})"

    def source_map(match: re.Match) -> str:
        new = hashed(match.group(2))
        return match.group(0) if new is None else match.group(1) + new

    if name.endswith(".js"):  # a script's only reference: its source map
        return _SOURCE_MAP.sub(source_map, text)
    return _SOURCE_MAP.sub(source_map, _URL.sub(url, text))


def _split(reference: str) -> tuple[str, str, str]:
    for separator in "?#":
        if separator in reference:
            path, _, rest = reference.partition(separator)
            return path, separator, rest
    return reference, "", ""


def build(
    source: Path,
    target: Path,
    compress: bool = True,
    trim: Iterable[str] = (),
    words: set[str] | None = None,
) -> dict[str, str]:
    """Copy ``source`` into ``target`` under hashed names; return and write the manifest.

    The scripts and then the CSS come last, so that the fonts, images and source maps they
    name are already hashed, and their own hash is taken after their references are
    rewritten (a new font gives a new CSS name). The CSS files named in ``trim`` keep only
    the rules whose classes are among ``words`` (grants/core/css_trim.py).
    """
    from whitenoise.compress import Compressor

    from grants.core.css_trim import trim as trim_css

    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    files = sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith("."))
    files.sort(key=lambda p: {".js": 1, ".css": 2}.get(p.suffix, 0))
    manifest: dict[str, str] = {}
    compressor = Compressor(quiet=True) if compress else None
    for path in files:
        name = path.relative_to(source).as_posix()
        content = path.read_bytes()
        if name in trim:
            content = trim_css(
                content.decode("utf-8"), words or set(), exists=_is_file_beside(path)
            ).encode()
        if path.suffix in (".css", ".js"):
            content = _rewrite_references(name, content.decode("utf-8"), manifest).encode()
        hashed = hashed_name(name, content)
        destination = target / hashed
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content)
        manifest[name] = hashed
        if compressor is not None and path.suffix.lower() in COMPRESSED and len(content) > 256:
            compressor.compress(str(destination))
    (target / MANIFEST).write_text(json.dumps(manifest, indent=0, sort_keys=True))
    return manifest


def _is_file_beside(path: Path) -> Callable[[str], bool]:
    """Whether a reference in ``path`` (relative to its folder) names a file."""
    return lambda reference: (path.parent / reference).is_file()


def read_manifest(folder: Path) -> dict[str, str]:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}


def install(app: Flask) -> None:
    """Hashed names in ``url_for('static', ...)`` and WhiteNoise in front, if there is a
    build (``STATIC_BUILD_DIR``); otherwise nothing changes."""
    setting = app.config.get("STATIC_BUILD_DIR")
    folder = Path(setting) if setting else None
    manifest = read_manifest(folder) if folder else {}
    app.extensions["static_manifest"] = manifest
    if not manifest or folder is None:
        return
    from whitenoise import WhiteNoise

    @app.url_defaults
    def hashed_static_name(endpoint: str, values: dict) -> None:
        if endpoint == "static":
            name = str(values.get("filename"))
            values["filename"] = manifest.get(name, name)

    def headers(headers: dict, _path: str, _url: str) -> None:
        headers["X-Content-Type-Options"] = "nosniff"

    static_path = (app.static_url_path or "/static").strip("/")
    app.wsgi_app = WhiteNoise(  # type: ignore[method-assign]
        app.wsgi_app,
        root=str(folder),
        prefix=static_path + "/",
        max_age=60,  # what is not hashed (the manifest): a minute, as WhiteNoise would
        # Every file in the build has its hash in its name (the manifest itself is not
        # served: it is not under a hashed name and nothing links to it).
        immutable_file_test=lambda _path, url: not url.endswith("/" + MANIFEST),
        add_headers_function=headers,
    )
