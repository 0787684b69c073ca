"""A fund's account string goes into every line of the finance system's files (the Prisme
file separates its fields with ";" and its lines with CRLF; a spreadsheet runs a cell that
starts with "-" as a formula). One rule (grants.funds.accounts) at every way in: the
administrator's fund form and a municipality profile; and a batch is never built, nor its
files written, with a value that breaks the rule (one set some other way, straight in the
database), naming the fund."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.funds import accounts
from grants.payments import batches
from grants.payments.models import PaymentBatch
from tests.html import flashes
from tests.payments.test_batches import urls

INJECTIONS = [
    "5.25;111=9999",
    "5.25\r\n000G69000990000001NORFLYD;111=1",
    "5.25\n",
    "-5.25.10",
    "=1+1",
    "+45",
    "@SUM(A1)",
    " .25",
    "5.25\u202e01",
    "5,25",
    "5.25\t01",
    "æøå",
    # An empty segment: a posting on an account the finance system does not have.
    "5..25",
    "5.25.",
    "5.-25",
    "5 .25",
    "5.25 ",
    "2201--5101",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_the_rule_refuses_what_breaks_a_line(text):
    assert accounts.problem(text) is not None


@pytest.mark.parametrize("text", ["", "5.25.10.01.04.5", "2201-5101-40", "KONTO 4711", "x" * 60])
def test_the_rule_takes_an_account_string(text):
    assert accounts.problem(text) is None


@pytest.mark.parametrize("text", ["", " ", "5..25"])
def test_no_file_is_written_with_an_empty_account_string_or_segment(text):
    assert accounts.for_file(text) is not None
    assert accounts.for_file("5.25.10.01.04.5") is None


@pytest.mark.parametrize(
    ("locale", "typed", "message"),
    [
        ("da", "5..25", "Kontostrengen har et tomt led"),
        ("da", "5.25.", "Kontostrengen har et tomt led"),
        ("en", "5.25.-01", "The account string has an empty segment"),
    ],
)
def test_the_fund_form_refuses_an_empty_segment_next_to_the_field(
    client, auth, world, locale, typed, message
):
    from flask import url_for

    from tests.administration.test_admin_pages import fund_data
    from tests.html import field_error

    world.admin.locale = locale
    db.session.commit()
    auth.login(world.admin)
    with client.application.test_request_context():
        url = url_for("admin.fund", fund_id=world.fund.id)
    bad = client.post(url, data=fund_data(world.fund, account_string=typed))
    assert bad.status_code == 422
    assert field_error(bad, "account_string").startswith(message), field_error(
        bad, "account_string"
    )
    db.session.expire_all()
    assert world.fund.account_string == ""


def test_a_profile_with_an_empty_segment_is_refused():
    from grants.profiles.operations import ProfileError, _account_string

    with pytest.raises(ProfileError, match="empty segment"):
        _account_string("5.25..01", "funds[0] (studierejsefonden).account_string")


def batch_count() -> int:
    return db.session.scalar(select(func.count()).select_from(PaymentBatch))


@pytest.mark.parametrize("language", ["da", "en"])
def test_no_batch_is_built_with_an_account_string_that_breaks_the_file(
    app,
    client,
    auth,
    world,
    two_cases,
    language,
):
    world.fund.account_string = "5.25;111=9999"  # set in the database, past the form
    world.finance.locale = language
    db.session.commit()
    auth.login(world.finance)
    response = client.post(urls(app)["make"], follow_redirects=True)
    assert response.status_code == 200
    (message,) = flashes(response, "error")
    assert world.fund.name in message
    if language == "da":
        assert "kontostreng" in message and "Ingen bunke er dannet" in message
    else:
        assert "account string" in message and "No batch was made" in message
    assert batch_count() == 0


@pytest.mark.parametrize(("language", "stored"), [("da", ""), ("en", ""), ("da", "5.25.")])
def test_no_batch_is_made_with_a_fund_that_has_no_account_string(
    app, client, auth, world, two_cases, language, stored
):
    """No line posted on no account (``111=``) or on half of one: the batch is refused,
    naming the fund, and nothing is made."""
    world.fund.account_string = stored
    world.finance.locale = language
    db.session.commit()
    auth.login(world.finance)
    response = client.post(urls(app)["make"], follow_redirects=True)
    assert response.status_code == 200
    (message,) = flashes(response, "error")
    assert world.fund.name in message
    if not stored:
        for case in two_cases:
            assert case.case_number in message, message
    if language == "da" and not stored:
        assert "har ingen kontostreng" in message and "Ingen bunke er dannet" in message
    elif language == "da":
        assert "tomt led" in message and "Ingen bunke er dannet" in message
    else:
        assert "has no account string" in message and "No batch was made" in message
    assert batch_count() == 0


def test_an_old_batch_is_not_written_once_its_account_string_is_emptied(
    app, client, world, finance_batch
):
    batch = finance_batch.batch
    world.fund.account_string = ""
    db.session.commit()
    for layout in ("prisme", "csv", "xlsx"):
        response = client.get(urls(app, batch_id=batch.id)[layout], follow_redirects=True)
        assert response.mimetype == "text/html", layout
        (message,) = flashes(response, "error")
        assert world.fund.name in message and "ingen kontostreng" in message
    with pytest.raises(batches.UnwritableBatch):
        batches.prisme_lines(batch, "0000", batch.created_at.date())


def test_an_old_batch_is_not_written_with_an_account_string_changed_since(
    app, client, world, finance_batch
):
    batch = finance_batch.batch
    world.fund.account_string = "5.25\r\n000G69000990000001NORFLYD;111=1"
    db.session.commit()
    files = urls(app, batch_id=batch.id)
    for layout in ("prisme", "csv", "xlsx"):
        response = client.get(files[layout], follow_redirects=True)
        assert response.status_code == 200, layout
        assert response.mimetype == "text/html", layout
        (message,) = flashes(response, "error")
        assert world.fund.name in message and "kontostreng" in message
    with pytest.raises(batches.UnwritableBatch):
        batches.prisme_lines(batch, "0000", batch.created_at.date())
    world.fund.account_string = "5.25.10.01.04.5"
    db.session.commit()
    assert client.get(files["prisme"]).mimetype == "text/plain"


def test_no_other_value_breaks_a_prisme_line_either(finance_batch):
    """The case number (given by the ESDH) is written in the G68's reference and the posting
    text: one with ";" or a line break refuses the file too."""
    batch, person = finance_batch.batch, finance_batch.person
    person.case_number = "26-0007;beloeb=99999"
    db.session.commit()
    with pytest.raises(batches.UnwritableBatch) as refused:
        batches.prisme_lines(batch, "0000", batch.created_at.date())
    assert "26-0007" in refused.value.message
