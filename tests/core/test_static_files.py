"""Static files as a phone wants them (issue 24 point 3): hashed names in the pages, brotli
or gzip as the browser accepts, a year's caching of a hashed file, a favicon, a meta
description on every page in both languages, and the CSP as strict as before."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask_babel import refresh

from grants import ROOT, create_app
from grants.core.security import CONTENT_SECURITY_POLICY
from grants.core.static_files import FAR_FUTURE, build, hashed_name, read_manifest
from tests.core.test_translations import compiled_english  # noqa: F401  (a fixture)
from tests.html import page

FONT = b"wOF2" + bytes(range(256)) * 8  # stands in for a font: not text, never compressed
DESIGN_CSS = (
    "@font-face{font-family:Plex;src:url(../fonts/plex.woff2) format('woff2')}"
    ".icon{background:url('../img/icon.svg#x')}" + "body{color:#1a1a1a}" * 40
)


@pytest.fixture
def source(tmp_path) -> Path:
    """The app's own static files (committed) and a small stand-in for the design system."""
    folder = tmp_path / "static"
    folder.mkdir()
    for name in ("app.css", "app.js", "favicon.svg"):
        shutil.copy(ROOT / "static" / name, folder / name)
    (folder / "dkfds" / "css").mkdir(parents=True)
    (folder / "dkfds" / "fonts").mkdir()
    (folder / "dkfds" / "img").mkdir()
    (folder / "dkfds" / "css" / "dkfds.min.css").write_text(DESIGN_CSS)
    (folder / "dkfds" / "fonts" / "plex.woff2").write_bytes(FONT)
    (folder / "dkfds" / "img" / "icon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return folder


@pytest.fixture
def built(source, tmp_path) -> Path:
    target = tmp_path / "build"
    build(source, target)
    return target


@pytest.fixture
def built_app(app, built, database_url, tmp_path):
    """The app as `make assets` leaves it: serving a build (the test's own)."""
    other = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MAIL_FOLDER": str(tmp_path / "mail"),
            "STATIC_BUILD_DIR": str(built),
        }
    )
    with other.app_context():
        yield other


def _static_links(html: str) -> list[str]:
    tree = page(html)
    links = [tag["href"] for tag in tree.select("link[href]")]
    return links + [tag["src"] for tag in tree.select("script[src]")]


# -- the build ---------------------------------------------------------------------------------


def test_a_name_changes_with_the_content_only():
    assert hashed_name("app.css", b"a") == hashed_name("app.css", b"a")
    assert hashed_name("app.css", b"a") != hashed_name("app.css", b"b")
    assert re.fullmatch(
        r"dkfds/css/dkfds\.min\.[0-9a-f]{12}\.css", hashed_name("dkfds/css/dkfds.min.css", b"x")
    )


def test_the_build_has_every_file_under_its_hashed_name(source, built):
    manifest = read_manifest(built)
    assert set(manifest) == {
        "app.css",
        "app.js",
        "favicon.svg",
        "dkfds/css/dkfds.min.css",
        "dkfds/fonts/plex.woff2",
        "dkfds/img/icon.svg",
    }
    for name, hashed in manifest.items():
        assert hashed != name
        assert (built / hashed).exists()
    assert (built / manifest["app.js"]).read_bytes() == (source / "app.js").read_bytes()


def test_the_css_points_at_the_hashed_fonts_and_images(built):
    manifest = read_manifest(built)
    css = (built / manifest["dkfds/css/dkfds.min.css"]).read_text()
    font = manifest["dkfds/fonts/plex.woff2"].removeprefix("dkfds/")
    icon = manifest["dkfds/img/icon.svg"].removeprefix("dkfds/")
    assert f"url(../{font})" in css
    assert f"url('../{icon}#x')" in css  # the fragment kept
    assert "plex.woff2)" not in css


def test_a_new_font_gives_the_css_a_new_name(source, tmp_path):
    first = build(source, tmp_path / "one", compress=False)
    (source / "dkfds" / "fonts" / "plex.woff2").write_bytes(FONT + b"new")
    second = build(source, tmp_path / "two", compress=False)
    assert first["dkfds/css/dkfds.min.css"] != second["dkfds/css/dkfds.min.css"]
    assert first["app.css"] == second["app.css"]


def test_text_is_compressed_once_at_build_and_fonts_are_not(built):
    manifest = read_manifest(built)
    css = built / manifest["dkfds/css/dkfds.min.css"]
    assert Path(f"{css}.br").exists() and Path(f"{css}.gz").exists()
    font = built / manifest["dkfds/fonts/plex.woff2"]
    assert not Path(f"{font}.br").exists() and not Path(f"{font}.gz").exists()


# -- serving -----------------------------------------------------------------------------------


def test_pages_link_the_hashed_files(built_app, built):
    manifest = read_manifest(built)
    html = built_app.test_client().get("/log-ind").get_data(as_text=True)
    links = _static_links(html)
    for name in ("app.css", "app.js", "favicon.svg", "dkfds/css/dkfds.min.css"):
        assert f"/static/{manifest[name]}" in links
    assert "/static/app.css" not in links


@pytest.mark.parametrize("accepted, encoding", [("br, gzip", "br"), ("gzip", "gzip"), ("", None)])
def test_static_files_come_compressed_as_the_browser_accepts(built_app, built, accepted, encoding):
    manifest = read_manifest(built)
    url = f"/static/{manifest['dkfds/css/dkfds.min.css']}"
    response = built_app.test_client().get(url, headers={"Accept-Encoding": accepted})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Content-Type"].startswith("text/css")
    if encoding is None:
        assert response.data == (built / manifest["dkfds/css/dkfds.min.css"]).read_bytes()
    else:
        assert len(response.data) < len(DESIGN_CSS) / 2


def test_a_hashed_file_is_cached_for_a_year(built_app, built):
    manifest = read_manifest(built)
    response = built_app.test_client().get(f"/static/{manifest['app.js']}")
    assert response.status_code == 200
    cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert {"public", "immutable", f"max-age={FAR_FUTURE}"} <= cache
    assert FAR_FUTURE >= 365 * 24 * 3600
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_plain_name_is_not_cached_for_a_year(built_app):
    # Not in the build under that name: Flask serves static/ itself, to be checked each time.
    response = built_app.test_client().get("/static/app.css")
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")
    # Nor the manifest, the one file of the build without a hash in its name.
    manifest = built_app.test_client().get("/static/manifest.json")
    assert manifest.headers["Cache-Control"] == "max-age=60, public"


def test_without_a_build_the_names_stay_plain(app, tmp_path):
    plain = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "STATIC_BUILD_DIR": str(tmp_path / "nothing-built"),
        }
    )
    with plain.app_context():
        client = plain.test_client()
        html = client.get("/log-ind").get_data(as_text=True)
        assert "/static/app.css" in _static_links(html)
        assert client.get("/static/app.css").status_code == 200


# -- the favicon -------------------------------------------------------------------------------


def test_the_favicon_is_there(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


def test_every_page_names_its_icon_and_the_icon_is_there(built_app):
    client = built_app.test_client()
    icon = page(client.get("/log-ind")).select_one("link[rel=icon]")["href"]
    response = client.get(icon)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"


# -- the meta description ----------------------------------------------------------------------

PUBLIC_PAGES = [
    "/",
    "/udlandsrejser",
    "/log-ind",
    "/partnerbyer",
    "/tilgaengelighed",
    "/aabne-data/",
]


def _description(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    tags = page(response).select("meta[name=description]")
    assert len(tags) == 1, path
    return tags[0]["content"]


def test_every_public_page_has_its_own_description_in_danish_and_english(
    client,
    world,
    compiled_english,  # noqa: F811
):
    danish = {path: _description(client, path) for path in PUBLIC_PAGES}
    response = client.post("/sprog", data={"locale": "en"})
    assert response.status_code == 302
    refresh()
    english = {path: _description(client, path) for path in PUBLIC_PAGES}
    for path in PUBLIC_PAGES:
        assert 50 <= len(danish[path]) <= 200, path
        assert english[path] and english[path] != danish[path], path
    assert len(set(danish.values())) == len(PUBLIC_PAGES)  # each page says what it is
    assert "Ballerup Kommune" in danish["/"]
    assert "Apply" in english["/"]


def test_the_study_trip_form_describes_its_fund(client, auth, world):
    auth.login(world.employee)
    description = _description(client, "/ansoegninger/ny/studierejsefonden")
    assert world.fund.name in description


# -- the CSP -----------------------------------------------------------------------------------


def test_the_pages_keep_the_strict_csp(built_app):
    response = built_app.test_client().get("/log-ind")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    tree = page(response)
    assert not tree.select("style") and not tree.select("[style]")
    assert all(
        script.get("src") for script in tree.select("script:not([type='application/ld+json'])")
    )
