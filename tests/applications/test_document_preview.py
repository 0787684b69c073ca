"""Documents seen in the browser (issue 21 point 8): a PDF or a picture is served inline under
a sandboxing policy, with nosniff; anything else, and anything whose bytes are not what it was
accepted as (an SVG or HTML calling itself a picture), only as a download. Whoever may download
may preview; others are refused and get no bytes."""

from __future__ import annotations

import pytest

from grants.cases.models import Attachment
from grants.core import files
from grants.extensions import db
from tests.factories import make_application
from tests.html import links, texts
from tests.reports.helpers import PDF, PNG

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def stored(application, data: bytes, content_type: str, name: str) -> Attachment:
    item = Attachment(
        application=application,
        purpose="receipt",
        filename=name,
        content_type=content_type,
        size=len(data),
        sha256="0" * 64,
        data=data,
    )
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def case(world):
    return make_application(world.employee, world.fund, state="granted")


@pytest.mark.parametrize(
    ("data", "content_type", "name"),
    [
        (PDF, "application/pdf", "bon.pdf"),
        (PNG, "image/png", "bon.png"),
        (JPEG, "image/jpeg", "bon.jpg"),
    ],
)
def test_a_pdf_or_picture_is_shown_inline_in_a_sandbox(
    world, case, client, auth, data, content_type, name
):
    item = stored(case, data, content_type, name)
    auth.login(world.employee)
    response = client.get(f"/ansoegninger/{case.id}/bilag/{item.id}/vis")
    assert response.status_code == 200 and response.data == data
    assert response.mimetype == content_type
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["Content-Security-Policy"] == files.PREVIEW_POLICY
    assert response.headers["Content-Security-Policy"].startswith("sandbox;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("data", "content_type", "name"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/png",
            "x.png",
        ),
        (b"<html><script>alert(1)</script></html>", "image/jpeg", "x.jpg"),
        (b"<html><script>alert(1)</script></html>", "application/pdf", "x.pdf"),
        (b"<svg onload=alert(1)>", "image/svg+xml", "x.svg"),
        (b"<p>hej</p>", "text/html", "x.html"),
        (b"PK\x03\x04word/document.xml", DOCX_TYPE, "x.docx"),
        (PNG, "application/pdf", "x.pdf"),  # a picture stored as a PDF: not what it says
    ],
)
def test_anything_else_is_a_download_only(world, case, client, auth, data, content_type, name):
    item = stored(case, data, content_type, name)
    auth.login(world.employee)
    response = client.get(f"/ansoegninger/{case.id}/bilag/{item.id}/vis")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype not in ("text/html", "image/svg+xml")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_preview_is_refused_to_those_who_may_not_download(world, case, client, auth):
    item = stored(case, PDF, "application/pdf", "bon.pdf")
    for person in (world.outsider,):
        auth.login(person)
        response = client.get(f"/ansoegninger/{case.id}/bilag/{item.id}/vis")
        assert response.status_code in (403, 404)
        assert b"%PDF" not in response.data
    # Their own case's number with another case's document: not found.
    own = make_application(world.outsider, world.fund, state="granted")
    db.session.commit()
    response = client.get(f"/ansoegninger/{own.id}/bilag/{item.id}/vis")
    assert response.status_code == 404 and b"%PDF" not in response.data
    assert client.get(f"/ansoegninger/{own.id}/bilag/999999/vis").status_code == 404
    auth.logout()
    response = client.get(f"/ansoegninger/{case.id}/bilag/{item.id}/vis")
    assert response.status_code in (302, 401, 403, 404) and b"%PDF" not in response.data


def test_the_case_page_offers_a_preview_beside_each_download_of_a_pdf_or_picture(
    world, case, client, auth
):
    shown = stored(case, PDF, "application/pdf", "bon.pdf")
    only = stored(case, b"PK\x03\x04word/document.xml", DOCX_TYPE, "notat.docx")
    auth.login(world.caseworker)
    for language in ("da", "en"):
        client.post("/sprog", data={"locale": language})
        page = client.get(f"/ansoegninger/{case.id}").get_data(as_text=True)
        hrefs = links(page)
        assert f"/ansoegninger/{case.id}/bilag/{shown.id}/vis" in hrefs
        assert f"/ansoegninger/{case.id}/bilag/{only.id}/vis" not in hrefs
        assert f"/ansoegninger/{case.id}/bilag/{only.id}" in hrefs
        hint = "åbner i en ny fane" if language == "da" else "opens in a new tab"
        assert any(hint in label for label in texts(page, "a[target=_blank]"))
