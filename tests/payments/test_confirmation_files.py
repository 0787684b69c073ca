"""A confirmation file as an attacker or a careless export makes it: a line or a field
over the CSV reader's limit, old Mac line endings, a NUL byte or another control character in a voucher,
blank lines (the message names the line as a text editor counts it), a voucher that starts
like a formula. Each is refused with a message next to the file, in the reader's language,
and nothing changes; never a server error, and never a voucher no export can write."""

from __future__ import annotations

import io

import pytest

from grants.extensions import db
from grants.payments.models import SENT
from tests.html import errors, field_error
from tests.payments.test_batches import urls
from tests.payments.test_confirmation_and_dates import payments, statuses

HEAD = "batch;line;voucher;paid_on\n"


def post(client, app, text: str, encoding: str = "utf-8"):
    return client.post(
        urls(app)["confirm"], data={"file": (io.BytesIO(text.encode(encoding)), "k.csv")}
    )


def refused(response, batch) -> str:
    assert response.status_code == 422
    message = field_error(response, "file")
    assert message, errors(response)
    assert payments() == []
    assert [status for status, _voucher in statuses(batch)] == [SENT, SENT]
    return message


@pytest.mark.parametrize(
    "voucher", ["V\x00-1", '"V\x1b-1"', '"V\n-1"', '"V\r\n-1"', "V\x7f-1", "V\u202e-1"]
)
def test_a_voucher_with_a_control_character_is_refused(app, client, finance_batch, voucher):
    batch, day = finance_batch.batch, finance_batch.day
    text = HEAD + f"{batch.number};2;V-2;{day}\n{batch.number};1;{voucher};{day}\n"
    message = refused(post(client, app, text), batch)
    assert "Linje 3: skriv bilagsnummeret" in message, message


def test_a_field_over_the_readers_limit_is_refused(app, client, finance_batch):
    batch = finance_batch.batch
    text = HEAD + f"{batch.number};1;{'x' * 200_000};{finance_batch.day}\n"
    message = refused(post(client, app, text), batch)
    assert "Linje 2: linjen er for lang (højst 1000 tegn)." in message, message


@pytest.mark.parametrize("finance_locale", ["en"])
def test_a_field_over_the_readers_limit_in_english(app, client, finance_batch):
    batch = finance_batch.batch
    text = HEAD + f"{batch.number};1;{'x' * 200_000};{finance_batch.day}\n"
    message = refused(post(client, app, text), batch)
    assert "Line 2: the line is too long (at most 1000 characters)." in message, message


def test_old_mac_line_endings_are_read(app, client, finance_batch):
    batch, day = finance_batch.batch, finance_batch.day
    text = HEAD + f"{batch.number};1;V-1;{day}\n{batch.number};2;V-2;{day}\n"
    response = post(client, app, text.replace("\n", "\r"))
    assert response.status_code == 302, errors(response)
    assert len(payments()) == 2


def test_the_line_named_is_the_files_line_blank_lines_counted(app, client, finance_batch):
    batch, day = finance_batch.batch, finance_batch.day
    text = HEAD + f"\n{batch.number};1;V-1;{day}\n\n\n{batch.number};2;V-2;5.12.2026\n"
    message = refused(post(client, app, text), batch)
    assert message.startswith("Linje 6: datoen »5.12.2026«"), message


def test_a_voucher_like_a_formula_is_kept_as_text_in_every_export(app, client, finance_batch):
    """Booked as the finance system wrote it; the budgets' CSV writes it as text."""
    batch, day = finance_batch.batch, finance_batch.day
    text = HEAD + f'{batch.number};1;"=HYPERLINK(""http://x"")";{day}\n'
    assert post(client, app, text).status_code == 302
    ((_case, _amount, voucher),) = payments()
    assert voucher == '=HYPERLINK("http://x")'
    from grants.budgets.exports import ENTRY_COLUMNS, ExportFilter, as_csv, entry_rows

    body = as_csv(ENTRY_COLUMNS, entry_rows(ExportFilter())).decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    assert ",=HYPERLINK" not in body and ',"=HYPERLINK' not in body


def test_a_quoted_field_over_the_readers_limit_is_refused(app, client, finance_batch):
    """Short lines, but one quoted field over many of them: the reader stops there."""
    batch = finance_batch.batch
    field = "\n".join(["x" * 900] * 200)
    text = HEAD + f'{batch.number};1;"{field}";{finance_batch.day}\n'
    message = refused(post(client, app, text), batch)
    assert "linjen kan ikke læses som CSV" in message, message


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","Klik")', "@SUM(1+1)", "+45 1234", "-2+3"])
def test_a_recipient_named_like_a_formula_is_text_in_the_payments_csv(
    app,
    client,
    auth,
    world,
    two_cases,
    name,
):
    """An association names itself; the finance officer opens the list's CSV in Excel."""
    import csv

    association, _person = two_cases
    association.organisation.name = name
    db.session.commit()
    auth.login(world.finance)
    response = client.get("/udbetalinger/eksport/payments.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    (row,) = [row for row in rows if row["case_number"] == association.case_number]
    assert row["recipient_name"] == "'" + name


@pytest.mark.parametrize(
    ("finance_locale", "titles"),
    [
        ("da", ["Bunke", "Linje", "Sagsnr.", "Modtagertype"]),
        ("en", ["Batch", "Line", "Case no.", "Recipient type"]),
    ],
)
def test_the_batch_workbook_speaks_the_readers_language(app, client, finance_batch, titles):
    """The CSV's header is fixed for the finance system; the workbook is read by people."""
    from openpyxl import load_workbook

    batch = finance_batch.batch
    response = client.get(urls(app, batch_id=batch.id)["xlsx"])
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == titles, header
    csv_header = client.get(urls(app, batch_id=batch.id)["csv"]).get_data().decode("utf-8-sig")
    assert csv_header.startswith("batch,line,case_number,recipient_kind,")


@pytest.mark.parametrize(
    ("finance_locale", "words"), [("da", "højst 2 MB"), ("en", "at most 2 MB")]
)
def test_an_oversize_file_is_said_to_be_too_large(app, client, finance_batch, words):
    """Over 2 MB of UTF-8 cut in the middle of a character is still too large, not "not
    UTF-8"."""
    batch = finance_batch.batch
    text = HEAD + "x" + ("ø" * 900 + "\n") * 1200  # 2.16 MB; the cut splits an ø
    message = refused(post(client, app, text), batch)
    assert words in message, message


def test_a_row_with_more_or_fewer_fields_than_the_header(app, client, finance_batch):
    """Extra fields (one with a line break) are left aside; a row short of its day is named."""
    batch, day = finance_batch.batch, finance_batch.day
    text = HEAD + f'{batch.number};1;V-1;{day};"ekstra\nfelt";mere\n{batch.number};2;V-2\n'
    message = refused(post(client, app, text), batch)
    assert message.startswith("Linje 4: datoen mangler. Skriv den ÅÅÅÅ-MM-DD"), message
