"""An uploaded file's name is a label, kept safe and readable: never a path, no control or
invisible characters, no leading dot, not too long, its extension kept; and a download names
it as RFC 6266 says (the name in full as ``filename*``, an ASCII ``filename`` beside it)."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from sqlalchemy import select

from grants.cases.models import Attachment
from grants.core.files import LONGEST_NAME, content_disposition, display_name
from grants.extensions import db
from tests.applications.helpers import form_data
from tests.html import field_error, page_text

NEW = "/ansoegninger/ny/studierejsefonden"
PDF = b"%PDF-1.7\n%%EOF"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Budget 2026/27.pdf", "Budget 2026_27.pdf"),  # not cut to "27.pdf"
        ("Rejse\\program.pdf", "Rejse_program.pdf"),
        ("../../etc/passwd.pdf", "etc_passwd.pdf"),
        ("Møde 10:30.pdf", "Møde 10_30.pdf"),
        ("Linje\nskift\tog\x00nul.pdf", "Linje skift ognul.pdf"),
        ("faktura\u202efdp.pdf", "fakturafdp.pdf"),  # no right-to-left override
        ("....pdf", "fil.pdf"),  # only dots before the extension: it is kept
        ("...", "fil"),
        (".skjult.pdf", "skjult.pdf"),
        ("Ka\u030ar.pdf", "Kår.pdf"),  # one form of "å" (NFC)
    ],
)
def test_a_name_is_kept_readable_and_never_a_path(sent, kept):
    assert display_name(sent) == kept


def test_a_very_long_name_keeps_its_extension():
    name = display_name("rejse " * 100 + ".pdf")
    assert len(name) <= LONGEST_NAME and name.endswith(".pdf")
    assert not name[:-4].endswith((" ", "."))


@pytest.mark.parametrize(
    ("sent", "ascii_name"),
    [
        ("Kørsel og ærinder på Ålandsøerne.pdf", "Koersel og aerinder paa Aalandsoeerne.pdf"),
        ("报告.pdf", "fil.pdf"),
        ('a"b;c%20\\d.pdf', "a_b_c_20_d.pdf"),
        ("x\r\nX-Evil: 1.pdf", "x X-Evil_ 1.pdf"),
    ],
)
def test_a_download_names_the_file_in_full_and_in_ascii(sent, ascii_name):
    header = content_disposition(sent)
    assert header.startswith("attachment; ")
    assert f'filename="{ascii_name}"' in header
    assert header.isascii() and "\r" not in header and "\n" not in header
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == display_name(sent)
    assert ";" not in encoded and '"' not in encoded and " " not in encoded
    assert content_disposition(sent, inline=True).startswith("inline; ")


HOSTILE = [
    ("Budget 2026/27.pdf", "Budget 2026_27.pdf", "Budget 2026_27.pdf"),
    ("Kørsel\x1b[31m/../bilag.pdf", "Kørsel[31m_bilag.pdf", "Koersel[31m_bilag.pdf"),
    ("a" * 300 + ".pdf", "a" * (LONGEST_NAME - 4) + ".pdf", "a" * (LONGEST_NAME - 4) + ".pdf"),
    ("..", None, None),  # no extension left: refused as not a PDF's name
]


@pytest.mark.parametrize(("sent", "kept", "ascii_name"), HOSTILE)
def test_an_uploaded_name_is_stored_shown_and_served_safely(
    world, client, auth, sent, kept, ascii_name
):
    auth.login(world.employee)
    data = form_data(manager_id=str(world.manager.id), intent="save")
    data["programme_file"] = (io.BytesIO(PDF), sent)
    response = client.post(NEW, data=data, content_type="multipart/form-data")
    if kept is None:
        assert response.status_code == 422
        assert "fil" in field_error(response, "programme_file")
        assert db.session.scalars(select(Attachment)).all() == []
        return
    assert response.status_code == 302
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.filename == kept
    page = client.get(f"/ansoegninger/{attachment.application_id}")
    assert kept in page_text(page)
    for path, kind in (("", "attachment"), ("/vis", "inline")):
        download = client.get(
            f"/ansoegninger/{attachment.application_id}/bilag/{attachment.id}{path}"
        )
        assert download.status_code == 200 and download.data == PDF
        header = download.headers["Content-Disposition"]
        assert header.startswith(f"{kind}; ")
        assert f'filename="{ascii_name}"' in header
        assert unquote(header.split("filename*=UTF-8''", 1)[1]) == kept


def test_a_refused_form_names_the_file_to_choose_again_safely(world, client, auth):
    auth.login(world.employee)
    data = form_data(manager_id=str(world.manager.id), intent="save", return_date="x")
    data["programme_file"] = (io.BytesIO(PDF), "../mappe/Program\x07 1/2.pdf")
    response = client.post(NEW, data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    message = field_error(response, "programme_file")
    assert "mappe_Program 1_2.pdf" in message
    assert "\x07" not in response.get_data(as_text=True) and "../" not in message
