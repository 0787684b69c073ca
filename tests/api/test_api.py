"""The API (/api/v1): tokens and their scopes, the owner's access rules, idempotent payment
writes, problem details, the audit of each use, and the administrator's token page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from flask import url_for
from sqlalchemy import func, select

from grants.api import tokens
from grants.api.models import ApiToken
from grants.audit.models import AuditEvent
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.movements import reserve
from grants.cases.models import Outcome
from grants.core import clock
from grants.extensions import db
from tests.factories import make_application, this_year

PROBLEM = "application/problem+json"


def granted(world, amount=8000):
    day = dt.date(this_year() + 1, 3, 1)
    application = make_application(
        world.employee,
        world.fund,
        amount=amount,
        state="granted",
        outcome=Outcome.GRANTED,
        granted_amount=Decimal(amount),
        decided_at=clock.now(),
        departure_date=day,
        return_date=day + dt.timedelta(days=4),
    )
    reserve(application, Decimal(amount), world.caseworker)
    return application


def issue(owner, scope="read", days=30) -> tuple[ApiToken, str]:
    token, secret = tokens.issue("Økonomisystem", scope, clock.today() + dt.timedelta(days), owner)
    db.session.commit()
    return token, secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def payments() -> list[BudgetEntry]:
    return list(
        db.session.scalars(select(BudgetEntry).where(BudgetEntry.kind == EntryKind.PAYMENT))
    )


@pytest.fixture
def case(world):
    application = granted(world)
    db.session.commit()
    return application


BODY = {"amount": "8000.00", "paid_on": None, "voucher": "B-1001"}


def body(**changes) -> dict:
    return {**BODY, "paid_on": clock.today().isoformat(), **changes}


def test_a_read_token_reads_cases_payments_and_balances(app, client, world, case):
    _token, secret = issue(world.finance)
    with app.test_request_context():
        urls = [
            url_for("api.cases"),
            url_for("api.case", case_id=case.id),
            url_for("api.decisions"),
            url_for("api.payments_due"),
            url_for("api.payments_made"),
            url_for("api.trips"),
            url_for("api.fund_balances", year=this_year()),
        ]
    for url in urls:
        response = client.get(url, headers=bearer(secret))
        assert response.status_code == 200, (url, response.json)
    one = client.get(urls[1], headers=bearer(secret)).json
    assert one["case_number"] == case.case_number
    assert one["decision"]["granted_amount"] == "8000.00"
    due = client.get(urls[3], headers=bearer(secret)).json["items"]
    assert [item["case_id"] for item in due] == [case.id]
    assert due[0]["outstanding"] == "8000.00"


def test_without_a_token_or_with_a_bad_one_401_problem(app, client, world, case):
    with app.test_request_context():
        url = url_for("api.cases")
    for headers in ({}, {"Authorization": "Basic abc"}, bearer("gtk_nope"), bearer("x" * 500)):
        response = client.get(url, headers=headers)
        assert response.status_code == 401
        assert response.mimetype == PROBLEM
        assert response.json["status"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_and_expired_tokens_are_refused(app, client, world, case, move_clock):
    token, secret = issue(world.finance, days=2)
    with app.test_request_context():
        url = url_for("api.cases")
    assert client.get(url, headers=bearer(secret)).status_code == 200
    move_clock(clock.today() + dt.timedelta(days=3))
    assert client.get(url, headers=bearer(secret)).status_code == 401
    token2, secret2 = issue(world.finance)
    tokens.revoke(db.session.get(ApiToken, token2.id))
    db.session.commit()
    assert client.get(url, headers=bearer(secret2)).status_code == 401


def test_a_case_the_owner_may_not_see_is_404(app, client, world, case):
    _token, secret = issue(world.outsider)
    with app.test_request_context():
        one = url_for("api.case", case_id=case.id)
        listed = url_for("api.cases")
    response = client.get(one, headers=bearer(secret))
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert client.get(listed, headers=bearer(secret)).json["items"] == []
    # The owner's rules: an outsider may not read payments either.
    with app.test_request_context():
        assert client.get(url_for("api.payments_due"), headers=bearer(secret)).status_code == 403


def test_a_read_token_cannot_write(app, client, world, case):
    token, secret = issue(world.finance, scope="read")
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=case.id)
    response = client.post(url, json=body(), headers=bearer(secret))
    assert response.status_code == 403
    assert response.mimetype == PROBLEM
    assert payments() == []
    # The refused attempt is in the audit trail with the token's id, though nothing it tried.
    use = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api.used", AuditEvent.object_id == token.id)
    ).one()
    assert (use.details["method"], use.details["status"]) == ("POST", 403)


def test_a_payments_token_marks_paid_once_with_an_idempotency_key(app, client, world, case):
    token, secret = issue(world.finance, scope="payments")
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=case.id)
    headers = {**bearer(secret), "Idempotency-Key": "k-1"}
    first = client.post(url, json=body(), headers=headers)
    assert first.status_code == 201, first.json
    again = client.post(url, json=body(), headers=headers)
    assert again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    entries = payments()
    assert len(entries) == 1
    assert entries[0].voucher == "B-1001"
    assert entries[0].amount == Decimal("8000.00")
    # The same key with another body: 422, nothing more.
    other = client.post(url, json=body(voucher="B-1002"), headers=headers)
    assert other.status_code == 422
    assert other.mimetype == PROBLEM
    assert len(payments()) == 1
    # Every use audited with the token's id.
    uses = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api.used", AuditEvent.object_id == token.id)
    ).all()
    # The refused one too: its attempt is rolled back, its audit kept.
    assert [use.details["status"] for use in uses] == [201, 201, 422]
    assert all(use.actor_id == world.finance.id for use in uses)


def test_never_more_than_due_and_bad_input_is_422_next_to_the_field(app, client, world, case):
    _token, secret = issue(world.finance, scope="payments")
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=case.id)
    cases = [
        (body(amount="9000.00"), "amount"),
        (body(amount="-1"), "amount"),
        (body(amount=12), "amount"),
        (body(paid_on="i morgen"), "paid_on"),
        (body(paid_on=(clock.today() + dt.timedelta(days=1)).isoformat()), "paid_on"),
        (body(voucher=""), "voucher"),
        (body(voucher="<script>" * 10), "voucher"),
        (body(extra=1), "extra"),
    ]
    for data, field in cases:
        response = client.post(url, json=data, headers=bearer(secret))
        assert response.status_code == 422, data
        assert field in response.json["errors"], response.json
    assert client.post(url, data="nej", headers=bearer(secret)).status_code == 400
    assert payments() == []
    # A voucher used once on the case is refused the second time.
    assert client.post(url, json=body(amount="100.00"), headers=bearer(secret)).status_code == 201
    again = client.post(url, json=body(amount="100.00"), headers=bearer(secret))
    assert again.status_code == 422
    assert len(payments()) == 1


def test_a_payments_token_of_someone_without_the_finance_role_cannot_pay(app, client, world, case):
    _token, secret = issue(world.caseworker, scope="payments")
    with app.test_request_context():
        url = url_for("api.mark_paid", case_id=case.id)
    assert client.post(url, json=body(), headers=bearer(secret)).status_code == 403
    assert payments() == []


def test_the_description_and_its_page(app, client, world):
    with app.test_request_context():
        spec_url, page_url = url_for("api.openapi"), url_for("api.reference")
    spec = client.get(spec_url).json
    assert spec["openapi"].startswith("3.1")
    page = client.get(page_url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    # The page's own markup, no viewer script from elsewhere (the CSP allows none).
    # (Named by their content when the static files are built: dkfds.min.<hash>.js.)
    scripts = re.findall(r'<script src="([^"]*)">', text)
    assert len(scripts) == len(re.findall(r"<script", text)) == 2, text
    assert re.fullmatch(r"/static/dkfds/js/dkfds\.min(\.[0-9a-f]{12})?\.js", scripts[0])
    assert re.fullmatch(r"/static/app(\.[0-9a-f]{12})?\.js", scripts[1])
    for path in spec["paths"]:
        assert path in text


def test_the_administrator_issues_shows_once_and_revokes(app, client, auth, world):
    auth.login(world.admin)
    with app.test_request_context():
        url = url_for("api_tokens.index")
    expires = (clock.today() + dt.timedelta(days=90)).isoformat()
    form = {"name": "Prisme", "scope": "payments", "owner": world.finance.id, "expires_on": expires}
    response = client.post(url, data=form)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    start = text.index(tokens.PREFIX)
    secret = text[start : text.index("<", start)]
    token = db.session.scalar(select(ApiToken))
    assert token.digest == tokens.digest(secret) and secret not in token.digest
    assert secret not in client.get(url).get_data(as_text=True)  # shown once
    # Bad input: next to the field, nothing issued.
    bad = client.post(url, data={**form, "name": "", "expires_on": "2000-01-01"})
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1
    with app.test_request_context():
        revoke = url_for("api_tokens.revoke", token_id=token.id)
    assert client.post(revoke).status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    trail = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "api_token"))
    actions = {event.action: event for event in trail}
    assert {"api.token_issued", "api.token_revoked"} <= set(actions)
    assert actions["api.token_issued"].actor_id == world.admin.id
    assert token.digest not in str(actions["api.token_issued"].details)


@pytest.mark.parametrize("who", ["finance", "caseworker", "outsider"])
def test_only_the_administrator_issues_tokens(app, client, auth, world, who):
    auth.login(getattr(world, who))
    with app.test_request_context():
        url = url_for("api_tokens.index")
    form = {"name": "X", "scope": "payments", "owner": world.finance.id, "expires_on": "2099-01-01"}
    assert client.post(url, data=form).status_code == 403
    assert client.get(url).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
