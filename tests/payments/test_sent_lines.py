"""A line sent to the finance system and what the finance officer does with it by hand: a
payment recorded by hand is the whole line or is refused (the finance system pays a line as
it was sent), and a line the finance system will not pay (a wrong NemKonto, a CPR number it
cannot find) is withdrawn with a reason, so the money is due again and goes in a later
batch. A line confirmed paid is not withdrawn; a confirmation file that names a withdrawn
line is refused. Double clicks, stale pages, other people's cases and every form of an
amount change nothing they should not."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from grants.budgets.balances import balance
from grants.budgets.models import BudgetEntry
from grants.core import clock
from grants.extensions import db
from grants.organisations.models import Membership
from grants.payments.models import PAID, SENT, WITHDRAWN, PaymentBatch, PaymentBatchLine
from grants.people.models import Role
from grants.workflow.models import JournalEntry
from tests.factories import make_user
from tests.html import errors, field_error, flashes, has_error, page_text
from tests.payments.test_batches import api_mark_paid, confirmation, make_batch, urls
from tests.payments.test_confirmation_and_dates import by_hand, line_of, payments, statuses
from tests.payments.test_payments import travel


def withdraw_url(line: PaymentBatchLine) -> str:
    return f"/udbetalinger/bunker/{line.batch_id}/linje/{line.position}/tilbagekald"


def withdraw(client, line: PaymentBatchLine, reason: str = "Forkert CPR-nummer", **headers):
    return client.post(withdraw_url(line), data={"reason": reason}, headers=headers)


def entry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(BudgetEntry))


def fresh(line: PaymentBatchLine) -> PaymentBatchLine:
    db.session.expire_all()
    return db.session.get(PaymentBatchLine, line.id)


# -- 1. a payment recorded by hand on a sent line ---------------------------------------------


@pytest.mark.parametrize("amount", ["5.000,00", "1"])
def test_a_hand_payment_of_part_of_a_sent_line_is_refused(
    app,
    client,
    auth,
    world,
    two_cases,
    amount,
):
    """The finance system pays a sent line as it was sent: 5.000 kr. recorded by hand on a
    line of 8.000 kr. would mark the whole line paid with 3.000 kr. unrecorded (the bug).
    Refused next to the amount, naming the batch, the line and its amount; nothing changes."""
    association, _person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    line = line_of(batch, association)
    entries = entry_count()
    response = by_hand(client, association, amount, "H-1")
    assert response.status_code == 422
    message = field_error(response, "amount") or ""
    assert f"bunke {batch.number} (linje {line.position})" in message, errors(response)
    assert "8.000,00 kr." in message
    assert "tilbagekald" in message
    assert entry_count() == entries
    assert fresh(line).status == SENT
    # The whole line by hand marks it paid, as before.
    assert by_hand(client, association, "8.000,00", "H-2").status_code == 302
    assert (fresh(line).status, fresh(line).voucher) == (PAID, "H-2")


def test_a_hand_payment_of_part_of_a_sent_line_in_english(app, client, auth, world, two_cases):
    association, _person = two_cases
    world.finance.locale = "en"
    db.session.commit()
    auth.login(world.finance)
    batch = make_batch(client, app)
    response = by_hand(client, association, "5000.00", "H-1")
    assert response.status_code == 422
    assert "was sent to the finance system in batch" in (field_error(response, "amount") or "")
    assert payments() == []
    assert statuses(batch)[0][0] == SENT


def test_without_a_sent_line_part_of_the_grant_may_be_paid_by_hand(
    app, client, auth, world, two_cases
):
    association, _person = two_cases
    auth.login(world.finance)
    assert by_hand(client, association, "5.000,00", "H-1").status_code == 302
    assert payments() == [(association.id, "5000.00", "H-1")]


# -- 2. withdrawing a sent line ---------------------------------------------------------------


def test_a_sent_line_is_withdrawn_and_the_money_is_due_again(app, client, auth, world, two_cases):
    association, person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    line = line_of(batch, association)
    before = balance(world.fund.id, travel().year)
    entries = entry_count()
    page = client.get(f"/udbetalinger/bunker/{batch.id}")
    assert page.status_code == 200
    assert withdraw_url(line) in page.get_data(as_text=True)
    form = client.get(withdraw_url(line))
    assert form.status_code == 200
    assert association.case_number in page_text(form)
    response = withdraw(client, line, "  Forkert NemKonto på CVR-nummeret  ")
    assert response.status_code == 302
    withdrawn = fresh(line)
    assert withdrawn.status == WITHDRAWN
    assert withdrawn.withdrawn_reason == "Forkert NemKonto på CVR-nummeret"
    assert withdrawn.withdrawn_by_id == world.finance.id
    assert withdrawn.withdrawn_at is not None
    # Nothing was spent by sending the line: the ledger and the budget are as they were.
    assert entry_count() == entries
    after = balance(world.fund.id, travel().year)
    assert (after.granted, after.committed, after.spent) == (
        before.granted,
        before.committed,
        before.spent,
    )
    journal = db.session.scalars(
        select(JournalEntry)
        .where(JournalEntry.application_id == association.id)
        .order_by(JournalEntry.id)
    ).all()
    assert journal[-1].action == "payment_line_withdrawn"
    assert journal[-1].details["why"] == "Forkert NemKonto på CVR-nummeret"
    case_page = client.get(f"/ansoegninger/{association.id}")
    assert "Forkert NemKonto på CVR-nummeret" in page_text(case_page)
    shown = page_text(client.get(f"/udbetalinger/bunker/{batch.id}"))
    assert "Tilbagekaldt" in shown
    # Due again: the next batch holds it, with the whole amount; the other line still waits.
    later = make_batch(client, app)
    assert later.id != batch.id
    assert [(entry.application_id, entry.amount) for entry in later.lines] == [
        (association.id, Decimal("8000.00"))
    ]
    assert fresh(line_of(batch, person)).status == SENT


def test_a_withdrawn_line_lets_the_grant_be_lowered(app, client, auth, world, two_cases):
    """While a line is sent the grant is not lowered below it; once it is withdrawn the
    money is no longer on its way, and the grant may be lowered."""
    from grants.budgets.movements import release
    from grants.core.errors import DomainError

    association, _person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    with pytest.raises(DomainError):
        release(association, Decimal("1000"), world.caseworker, "Mindre forbrug")
    db.session.rollback()
    assert withdraw(client, line_of(batch, association)).status_code == 302
    release(association, Decimal("1000"), world.caseworker, "Mindre forbrug")


def test_a_withdrawal_twice_a_paid_line_and_no_reason_are_refused(
    app,
    client,
    auth,
    world,
    two_cases,
):
    association, person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    line, other = line_of(batch, association), line_of(batch, person)
    # No reason, or one too long: next to the field, nothing changes.
    for reason in ("", "   ", "x" * 501):
        response = withdraw(client, line, reason)
        assert response.status_code == 422
        assert field_error(response, "reason"), errors(response)
        assert fresh(line).status == SENT
    # A double click: the second is told the line is withdrawn already; one journal entry.
    assert withdraw(client, line).status_code == 302
    again = withdraw(client, line)
    assert again.status_code == 422
    assert has_error(again, "er allerede tilbagekaldt"), errors(again)
    withdrawals = db.session.scalar(
        select(func.count())
        .select_from(JournalEntry)
        .where(JournalEntry.action == "payment_line_withdrawn")
    )
    assert withdrawals == 1
    # A line confirmed paid: refused, and the payment stays.
    day = clock.today().isoformat()
    confirmed = client.post(
        urls(app)["confirm"], data=confirmation([f"{batch.number};{other.position};V-2;{day}"])
    )
    assert confirmed.status_code == 302
    refused = withdraw(client, other)
    assert refused.status_code == 422
    assert has_error(refused, "er bekræftet betalt"), errors(refused)
    assert fresh(other).status == PAID
    # A stale page of a paid line offers no button, and an unknown line is 404.
    assert "Tilbagekald" not in page_text(client.get(withdraw_url(other)))
    assert client.post("/udbetalinger/bunker/999/linje/1/tilbagekald").status_code == 404
    assert client.post(f"/udbetalinger/bunker/{batch.id}/linje/99/tilbagekald").status_code == 404


def test_a_confirmation_file_naming_a_withdrawn_line_is_refused(
    app,
    client,
    auth,
    world,
    two_cases,
):
    association, person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    line, other = line_of(batch, association), line_of(batch, person)
    assert withdraw(client, line, "Forkert CPR-nummer").status_code == 302
    day = clock.today().isoformat()
    rows = [
        f"{batch.number};{line.position};V-1;{day}",
        f"{batch.number};{other.position};V-2;{day}",
    ]
    response = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert response.status_code == 422
    message = field_error(response, "file") or ""
    assert (
        f"Linje 2: bunke {batch.number} linje {line.position} (sag {association.case_number}) "
        "er tilbagekaldt"
    ) in message, message
    assert "Forkert CPR-nummer" in message
    assert payments() == []
    assert fresh(other).status == SENT


def test_a_confirmation_naming_a_withdrawn_line_in_english(app, client, auth, world, two_cases):
    association, _person = two_cases
    world.finance.locale = "en"
    db.session.commit()
    auth.login(world.finance)
    batch = make_batch(client, app)
    line = line_of(batch, association)
    assert withdraw(client, line, "Wrong CPR number").status_code == 302
    rows = [f"{batch.number};{line.position};V-1;{clock.today().isoformat()}"]
    response = client.post(urls(app)["confirm"], data=confirmation(rows))
    assert response.status_code == 422
    assert "was withdrawn on" in (field_error(response, "file") or ""), errors(response)
    twice = withdraw(client, line)
    assert has_error(twice, "is withdrawn already"), errors(twice)


def test_the_withdrawal_in_english(app, client, auth, world, two_cases):
    association, _person = two_cases
    world.finance.locale = "en"
    db.session.commit()
    auth.login(world.finance)
    batch = make_batch(client, app)
    line = line_of(batch, association)
    response = withdraw(client, line, "")
    assert response.status_code == 422
    assert field_error(response, "reason") == "Write why the line is withdrawn."
    done = client.get(
        client.post(withdraw_url(line), data={"reason": "Wrong CPR"}).headers["Location"]
    )
    assert any("is withdrawn" in message for message in flashes(done, "success")), flashes(done)


@pytest.mark.parametrize("who", ["caseworker", "admin", "outsider", "employee"])
def test_only_a_finance_officer_withdraws_a_line(app, client, auth, world, two_cases, who):
    association, _person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    line = line_of(batch, association)
    auth.logout()
    auth.login(getattr(world, who))
    assert withdraw(client, line).status_code in (403, 404)
    assert fresh(line).status == SENT


def test_no_finance_officer_withdraws_a_line_of_their_own_case(app, client, auth, world, two_cases):
    """A finance officer who belongs to the applying association has a personal interest:
    the batch page offers no button on that line, and the withdrawal is refused; another
    finance officer withdraws it."""
    association, _person = two_cases
    db.session.add(Membership(organisation_id=association.organisation_id, user=world.finance))
    colleague = make_user(Role.EMPLOYEE, Role.FINANCE, name="Per Pedersen", email="per@ballerup.dk")
    db.session.commit()
    auth.login(colleague)
    batch = make_batch(client, app)
    line = line_of(batch, association)
    auth.logout()
    auth.login(world.finance)
    assert withdraw_url(line) not in client.get(f"/udbetalinger/bunker/{batch.id}").get_data(
        as_text=True
    )
    assert withdraw(client, line).status_code == 403
    assert fresh(line).status == SENT
    auth.logout()
    auth.login(colleague)
    assert withdraw(client, line).status_code == 302


def test_the_batch_list_counts_a_withdrawn_line_as_ready_again(app, client, auth, world, two_cases):
    association, _person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    assert withdraw(client, line_of(batch, association)).status_code == 302
    db.session.expire_all()
    assert [line.status for line in db.session.get(PaymentBatch, batch.id).lines].count(
        WITHDRAWN
    ) == 1
    listing = page_text(client.get(urls(app)["list"]))
    # The withdrawn line's money is ready again, said in the singular.
    assert "Klar til en ny bunke: 1 udbetaling." in listing, listing
    made = client.post(urls(app)["make"], follow_redirects=True)
    assert f"Bunke {clock.today().year}-0002 med 1 udbetaling er dannet." in flashes(made)


# -- amounts in every form, on the payment form ----------------------------------------------


@pytest.mark.parametrize(
    ("typed", "recorded"),
    [
        ("6500", "6500.00"),
        ("6.500,00", "6500.00"),
        ("6500,5", "6500.50"),
        (" 6 500,00 ", "6500.00"),
    ],
)
def test_an_amount_in_a_danish_form_is_read(app, client, auth, world, two_cases, typed, recorded):
    association, _person = two_cases
    auth.login(world.finance)
    response = by_hand(client, association, typed, "H-1")
    assert response.status_code == 302, errors(response)
    assert payments() == [(association.id, recorded, "H-1")]


@pytest.mark.parametrize("typed", ["6.500", "6,500", "-6500", "-1", "0", "6500,001", "1e3", "NaN"])
def test_an_ambiguous_negative_or_odd_amount_is_refused(app, client, auth, world, two_cases, typed):
    association, _person = two_cases
    auth.login(world.finance)
    response = by_hand(client, association, typed, "H-1")
    assert response.status_code == 422
    assert field_error(response, "amount"), errors(response)
    assert payments() == []


def test_a_double_click_on_the_payment_form_books_once(app, client, auth, world, two_cases):
    association, _person = two_cases
    auth.login(world.finance)
    assert by_hand(client, association, "8.000,00", "H-1").status_code == 302
    again = by_hand(client, association, "8.000,00", "H-1")
    assert again.status_code == 422
    assert payments() == [(association.id, "8000.00", "H-1")]


def test_a_double_click_on_make_batch_makes_one(app, client, auth, world, two_cases):
    auth.login(world.finance)
    make_batch(client, app)
    again = client.post(urls(app)["make"])
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 1


def test_a_day_long_ago_on_the_withdrawal_is_not_asked(app, client, auth, world, two_cases):
    """The withdrawal is booked on the day it is made: the form asks no day, and a day sent
    along is ignored (the clock's day is kept)."""
    association, _person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    line = line_of(batch, association)
    response = client.post(
        withdraw_url(line), data={"reason": "Forkert CPR", "withdrawn_at": "1900-01-01"}
    )
    assert response.status_code == 302
    withdrawn_at = fresh(line).withdrawn_at
    if withdrawn_at.tzinfo is None:
        withdrawn_at = withdrawn_at.replace(tzinfo=dt.UTC)
    assert abs(withdrawn_at - clock.now()) < dt.timedelta(minutes=5)


def test_a_line_withdrawn_while_the_file_is_read_is_not_paid(
    app, client, auth, world, two_cases, monkeypatch
):
    """The file's rows are checked before the funds' locks are taken; a withdrawal that
    commits in between (it waited for no lock of the file's) is seen under the locks, and
    the file is refused rather than the withdrawn line paid over."""
    from sqlalchemy import update

    from grants.budgets import lock
    from grants.core.errors import DomainError
    from grants.payments import batches

    association, person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    line, other = line_of(batch, association), line_of(batch, person)
    taking = lock.lock_fund

    def withdrawn_meanwhile(fund):
        db.session.execute(
            update(PaymentBatchLine)
            .where(PaymentBatchLine.id == line.id)
            .values(status=WITHDRAWN, withdrawn_reason="Forkert CPR")
        )
        return taking(fund)

    monkeypatch.setattr(lock, "lock_fund", withdrawn_meanwhile)
    day = clock.today().isoformat()
    text = (
        "batch;line;voucher;paid_on\n"
        f"{batch.number};{line.position};V-1;{day}\n{batch.number};{other.position};V-2;{day}\n"
    )
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        batches.confirm(text, world.finance)
    assert f"Bunke {batch.number} linje {line.position} blev betalt eller tilbagekaldt" in (
        refused.value.message
    )
    assert payments() == []


@pytest.mark.parametrize(
    "path",
    [
        "/udbetalinger/bunker/99999999999999999999999",
        "/udbetalinger/bunker/99999999999999999999999/linje/1/tilbagekald",
        "/udbetalinger/bunker/1/linje/99999999999999999999999/tilbagekald",
        "/udbetalinger/bunker/99999999999999999999999.csv",
        "/udbetalinger/99999999999999999999999/udbetal",
    ],
)
def test_a_guessed_address_out_of_range_is_not_found(app, client, auth, world, two_cases, path):
    auth.login(world.finance)
    make_batch(client, app)
    assert client.get(path).status_code == 404
    assert client.post(path, data={"reason": "x"}).status_code in (404, 405)


def test_the_payment_form_of_a_sent_line_says_so_and_offers_its_amount(
    app, client, auth, world, two_cases
):
    """A grant raised after its line was sent: the form offers the line's amount (what the
    finance system pays), not all that is due, and says where the line is."""
    association, _person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    association.granted_amount = Decimal("9000")
    db.session.commit()
    page = client.get(f"/udbetalinger/{association.id}/udbetal")
    text = page_text(page)
    assert f"Sendt til økonomisystemet i bunke {batch.number} (linje 1)" in text, text
    assert 'value="8.000,00"' in page.get_data(as_text=True)


def test_the_api_refuses_part_of_a_sent_line_too(app, client, auth, world, two_cases):
    association, _person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    auth.logout()
    response = api_mark_paid(client, app, world.finance, association, "5000.00")
    assert response.status_code == 422
    assert f"bunke {batch.number} (linje 1)" in response.json["errors"]["amount"][0]
    assert payments() == []
    assert fresh(line_of(batch, association)).status == SENT


@pytest.mark.parametrize("text", ["B\x00-1", "\x00"])
def test_a_control_character_in_a_voucher_or_a_reason_changes_nothing(
    app, client, auth, world, two_cases, text
):
    association, _person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    line = line_of(batch, association)
    paid = by_hand(client, association, "8.000,00", text)
    assert paid.status_code in (302, 422)
    withdrawn = withdraw(client, line, text)
    assert withdrawn.status_code in (302, 422)
    db.session.expire_all()
    assert not any("\x00" in voucher for _case, _amount, voucher in payments())
    stored = fresh(line)
    assert "\x00" not in stored.voucher and "\x00" not in stored.withdrawn_reason


def test_a_line_confirmed_while_it_is_withdrawn_stays_paid(
    app, client, auth, world, two_cases, database_url, owner_database_url
):
    """One finance officer reads in the confirmation file while another withdraws the same
    line: the withdrawal waits for the fund's lock, reads the line again under it, finds it
    paid and is refused; the line stays paid, with its payment. Without reading it again it
    would have been marked withdrawn over its payment."""
    import threading

    from sqlalchemy.engine import make_url

    from grants.payments import batches
    from grants.people.models import User
    from tests.locking import someone_waits_for_a_lock

    if make_url(database_url).get_backend_name() == "sqlite":
        pytest.skip("SQLite has one writer: the withdrawal waits for the file's commit")
    association, _person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    line = line_of(batch, association)
    page = client.get(withdraw_url(line))  # the form, opened before the file is read
    assert page.status_code == 200
    finance_id = world.finance.id
    text = f"batch;line;voucher;paid_on\n{batch.number};{line.position};V-1;{clock.today()}\n"
    confirmed, go_on = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def reading_the_file():
        with app.app_context(), app.test_request_context():
            try:
                outcome["paid"] = batches.confirm(text, db.session.get(User, finance_id)).paid
                confirmed.set()
                go_on.wait(30)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the test reports what failed
                db.session.rollback()
                outcome["paid"] = error
                confirmed.set()
            finally:
                db.session.remove()

    def watcher():
        outcome["waited"] = someone_waits_for_a_lock(owner_database_url)
        go_on.set()

    reader = threading.Thread(target=reading_the_file)
    reader.start()
    assert confirmed.wait(30)
    watching = threading.Thread(target=watcher)
    watching.start()
    try:
        response = withdraw(client, line)
    finally:
        go_on.set()
        reader.join(60)
        watching.join(60)
    assert outcome["paid"] == 1
    assert outcome["waited"]
    assert response.status_code == 422
    assert has_error(response, "er bekræftet betalt"), errors(response)
    assert (fresh(line).status, fresh(line).voucher) == (PAID, "V-1")
    assert payments() == [(association.id, "8000.00", "V-1")]


def test_a_withdrawal_takes_the_funds_lock_before_it_writes_the_line(
    app, client, auth, world, two_cases
):
    """The lock order (docs/budgets.md): the fund's lock first, so a withdrawal and the
    confirmation, a batch's export or a payment of the same fund take turns."""
    from sqlalchemy import event

    from grants.payments.operations import withdraw_line

    association, _person = two_cases
    auth.login(world.finance)
    line = line_of(make_batch(client, app), association)
    updated: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        words = statement.split(None, 2)
        if words[0].upper() == "UPDATE":
            updated.append(words[1].strip('"'))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        with app.test_request_context():
            withdraw_line(line, "Forkert CPR", world.finance)
            db.session.flush()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    db.session.commit()
    assert updated[:1] == ["fund"], updated
    assert "payment_batch_line" in updated, updated


def test_a_withdrawn_line_is_left_out_of_the_batchs_files(app, client, auth, world, two_cases):
    """A careless re-download of a batch after a withdrawal, sent to the finance system again,
    must not pay the withdrawn line a second time (its money is in a later batch): the
    batch's files leave it out, and the other lines keep their numbers."""
    import csv
    import io

    from grants.payments import batches

    association, person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    line, other = line_of(batch, association), line_of(batch, person)
    assert withdraw(client, line).status_code == 302
    files = urls(app, batch_id=batch.id)
    body = client.get(files["csv"]).get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(row["line"], row["case_number"]) for row in rows] == [
        (str(other.position), person.case_number)
    ]
    text = client.get(files["prisme"]).get_data(as_text=True)
    parsed = [batches.parse_prisme_line(row) for row in text.split("\r\n") if row]
    assert {row["henvisning"] for row in parsed} == {f"{batch.number}-{other.position:04d}"}
    assert client.get(files["xlsx"]).status_code == 200
    assert "er ikke med i bunkens filer" in page_text(
        client.get(f"/udbetalinger/bunker/{batch.id}")
    )


def test_the_batch_page_takes_as_many_queries_for_five_lines_as_for_one(app, client, auth, world):
    from tests.payments.test_payments import granted
    from tests.publication.helpers import QueryCounter

    auth.login(world.finance)
    world.fund.account_string = "5.25.10.01.04.5"
    granted(world, amount=1000)
    db.session.commit()
    one_line = make_batch(client, app)
    for _ in range(5):
        granted(world, amount=1000)
    db.session.commit()
    five_lines = make_batch(client, app)
    client.get(f"/udbetalinger/bunker/{one_line.id}")
    with QueryCounter() as one:
        client.get(f"/udbetalinger/bunker/{one_line.id}")
    with QueryCounter() as five:
        page = client.get(f"/udbetalinger/bunker/{five_lines.id}")
    assert page.get_data(as_text=True).count("/tilbagekald") == 5
    assert five.count == one.count


def test_a_reason_with_markup_is_shown_as_text(app, client, auth, world, two_cases):
    association, _person = two_cases
    auth.login(world.finance)
    batch = make_batch(client, app)
    line = line_of(batch, association)
    reason = '<script>alert("x")</script><b>Forkert CPR</b>'
    assert withdraw(client, line, reason).status_code == 302
    for url in (f"/udbetalinger/bunker/{batch.id}", f"/ansoegninger/{association.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<b>Forkert" not in html, url
        assert "&lt;b&gt;Forkert CPR&lt;/b&gt;" in html, url
    rows = [f"{batch.number};{line.position};V-1;{clock.today().isoformat()}"]
    refused = client.post(urls(app)["confirm"], data=confirmation(rows)).get_data(as_text=True)
    assert "<script>alert" not in refused and "&lt;b&gt;Forkert CPR&lt;/b&gt;" in refused


@pytest.mark.parametrize(
    ("typed", "outcome"),
    [
        ("1.500", 422),  # 1500 or 1,5? Asked, both readings named
        ("1,500", 422),
        ("-1.500,00", 422),
        ("1.500,001", 422),
        ("1.500,00", 302),
        ("1500", 302),
    ],
)
def test_a_refund_amount_in_every_form(app, client, auth, world, typed, outcome):
    from tests.payments.test_payments import cases as cases_of

    refund = cases_of.__wrapped__(world)["refund"]
    auth.login(world.finance)
    response = client.post(
        f"/udbetalinger/{refund.id}/tilbagebetaling",
        data={"amount": typed, "refunded_on": clock.today().isoformat(), "voucher": "R-1"},
    )
    assert response.status_code == outcome, errors(response)
    refunds = [
        entry.amount
        for entry in db.session.scalars(
            select(BudgetEntry).where(
                BudgetEntry.application_id == refund.id, BudgetEntry.kind == "refund"
            )
        )
    ]
    assert refunds == ([Decimal("-1500.00")] if outcome == 302 else [])
    if outcome == 422:
        assert field_error(response, "amount"), errors(response)


def test_a_payment_sent_in_a_batch_says_so_and_is_left_out_of_the_csv(
    app, client, auth, world, two_cases
):
    """The list's CSV goes to the finance system: a case whose payment is already in a sent
    batch would be paid twice if it were in the CSV too. The list still shows it, saying
    which batch pays it; once the line is withdrawn it is in the CSV again."""
    from tests.payments.test_payments import csv_rows

    association, person = two_cases
    auth.login(world.finance)
    before = {
        row["case_number"] for row in csv_rows(client.get("/udbetalinger/eksport/payments.csv"))
    }
    assert {association.case_number, person.case_number} <= before
    batch = make_batch(client, app)
    line = line_of(batch, association)
    listed = page_text(client.get("/udbetalinger"))
    assert f"Sendt i bunke {batch.number} (linje {line.position})" in listed, listed
    assert "ikke med i CSV-filen" in listed
    world.finance.locale = "en"  # the officer reads the service in English
    db.session.commit()
    auth.login(world.finance)
    english = page_text(client.get("/udbetalinger"))
    assert f"Sent in batch {batch.number} (line {line.position})" in english, english
    assert "not in the CSV file" in english
    world.finance.locale = "da"
    db.session.commit()
    auth.login(world.finance)
    rows = csv_rows(client.get("/udbetalinger/eksport/payments.csv"))
    numbers = {row["case_number"] for row in rows}
    assert association.case_number not in numbers and person.case_number not in numbers
    assert withdraw(client, line).status_code == 302
    again = {
        row["case_number"] for row in csv_rows(client.get("/udbetalinger/eksport/payments.csv"))
    }
    assert association.case_number in again
    listed = page_text(client.get("/udbetalinger"))
    assert f"Sendt i bunke {batch.number} (linje {line.position})" not in listed, listed
