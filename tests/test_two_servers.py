"""Two app servers, one PostgreSQL, one set of users (issue 9, point 4).

Two gunicorn processes on different ports serve the same database with the same SECRET_KEY.
Employees submit applications and two caseworkers decide a pile of cases at the same time,
every person's requests alternating between the two servers (a session made on one is good
on the other, as behind a load balancer). Afterwards: every submission is there once with its
own case number, every case is decided once, and the fund never spends more than it has.

PostgreSQL only: that is the production database, and what the two servers share here.
"""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import itertools
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from html import unescape as html_unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grants.budgets.balances import balance
from grants.budgets.models import BudgetEntry, EntryKind
from grants.budgets.opening import allocate
from grants.cases.models import Application
from grants.extensions import db
from grants.letters.models import Letter
from grants.people.models import Role
from grants.workflow.models import JournalEntry
from tests.applications.helpers import form_data
from tests.factories import PASSWORD, make_application, make_fund, make_user

ROOT = Path(__file__).resolve().parent.parent
EMPLOYEES = 4
SUBMISSIONS_EACH = 3
TO_DECIDE = 12
AMOUNT = 8_000
ALLOCATION = 60_000  # fits seven grants of 8,000 kr.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_servers(database_url, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("two app servers share one PostgreSQL: run with make test-postgres")
    env = {
        **os.environ,
        "GRANTS_CONFIG": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "two-servers-one-database-" + "x" * 16,
        "GRANTS_INSTANCE_DIR": str(tmp_path / "instance"),
        "MAIL_FOLDER": str(tmp_path / "mail"),
        "FLASK_DEBUG": "0",
    }
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / f"gunicorn-{port}.log").open("w"),
        )
        for port in ports
    ]
    try:
        for port, server in zip(ports, servers, strict=True):
            _wait_until_up(port, server, tmp_path / f"gunicorn-{port}.log")
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)


def _wait_until_up(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn on {port} stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn on {port} did not answer within a minute:\n{log.read_text()}")


class Browser:
    """One person's cookies, with each request going to the next server in turn."""

    def __init__(self, servers: list[str]):
        self._servers = itertools.cycle(servers)
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        url = next(self._servers) + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self._opener.open(url, data=body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post_form(self, path: str, data: dict, page: str | None = None) -> int:
        """GET the page with the form (on one server) for its CSRF token, POST (on the
        other)."""
        status, html = self.request(page or path)
        assert status == 200, (page or path, status)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        status, _ = self.request(path, {**data, "csrf_token": token})
        return status

    def post_and_confirm(self, path: str, data: dict, page: str) -> int:
        """A step shown before it is taken: post the form, then confirm what is shown
        (grants.core.confirmation), each on the next server."""
        status, html = self.request(page)
        assert status == 200, (page, status)
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        status, html = self.request(path, {**data, "csrf_token": csrf})
        shown = re.search(r'name="confirmation" value="([^"]+)"', html)
        if status != 200 or not shown:
            return status
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        status, _ = self.request(
            path, {"confirmation": html_unescape(shown.group(1)), "csrf_token": csrf}
        )
        return status

    def login(self, email: str) -> None:
        assert self.post_form("/log-ind", {"email": email, "password": PASSWORD}) == 302


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_two_app_servers_on_one_database_lose_nothing_double_nothing_overspend_nothing(
    app, world, two_servers
):
    employees = [world.employee] + [
        make_user(
            Role.EMPLOYEE,
            name=f"Medarbejder {n}",
            email=f"medarbejder{n}@ballerup.dk",
            manager=world.manager,
        )
        for n in range(1, EMPLOYEES)
    ]
    second_caseworker = make_user(
        Role.EMPLOYEE, Role.CASEWORKER, name="Kim Krog", email="sagsbehandler2@ballerup.dk"
    )
    # The pile the two caseworkers decide at the same time, on a fund that has room for seven.
    tight = make_fund(code="sidste-penge", budget=None, delegated_limit=50_000)
    departure = dt.date.today() + dt.timedelta(days=90)
    allocate(tight, departure.year, Decimal(ALLOCATION))
    pile = [
        make_application(
            world.employee,
            tight,
            amount=AMOUNT,
            state="awaiting_decision",
            departure_date=departure,
            return_date=departure + dt.timedelta(days=3),
        ).id
        for _ in range(TO_DECIDE)
    ]
    db.session.commit()
    # The threads below only speak HTTP: what they need of the database is read here.
    new_application = f"/ansoegninger/ny/{world.fund.code}"
    data = form_data(manager_id=str(world.manager.id))
    employee_ids = [employee.id for employee in employees]
    employee_emails = [employee.email for employee in employees]
    caseworker_emails = [world.caseworker.email, second_caseworker.email]

    def submit_all(email: str) -> list[int]:
        browser = Browser(two_servers)
        browser.login(email)
        return [browser.post_form(new_application, data) for _ in range(SUBMISSIONS_EACH)]

    def decide_all(email: str, order: list[int]) -> list[int]:
        browser = Browser(two_servers)
        browser.login(email)
        return [
            browser.post_and_confirm(
                f"/ansoegninger/{application_id}/afgoerelse",
                {"action": "grant"},
                page=f"/ansoegninger/{application_id}",
            )
            for application_id in order
        ]

    with ThreadPoolExecutor(max_workers=EMPLOYEES + 2) as pool:
        submitting = [pool.submit(submit_all, email) for email in employee_emails]
        deciding = [
            pool.submit(decide_all, caseworker_emails[0], pile),
            pool.submit(decide_all, caseworker_emails[1], list(reversed(pile))),
        ]
        submitted = [status for job in submitting for status in job.result()]
        decided = [status for job in deciding for status in job.result()]

    db.session.expire_all()
    # Nothing lost: every submission is there, once, with a case number of its own.
    assert submitted == [302] * (EMPLOYEES * SUBMISSIONS_EACH)
    submissions = db.session.scalars(
        select(Application).where(Application.fund_id == world.fund.id)
    ).all()
    assert len(submissions) == EMPLOYEES * SUBMISSIONS_EACH
    assert {a.state for a in submissions} == {"awaiting_endorsement"}
    case_numbers = [a.case_number for a in submissions]
    assert None not in case_numbers and len(set(case_numbers)) == len(case_numbers)
    for employee_id in employee_ids:
        assert sum(a.applicant_id == employee_id for a in submissions) == SUBMISSIONS_EACH

    # Nothing doubled: each case decided once, by one of the two, with one letter and one
    # reservation; the rest refused for want of money, and left waiting.
    assert set(decided) <= {302, 409, 422, 403, 404}, decided
    granted = db.session.scalars(
        select(Application).where(Application.id.in_(pile), Application.state == "granted")
    ).all()
    assert len(granted) == ALLOCATION // AMOUNT
    for application in granted:
        assert count(JournalEntry, JournalEntry.application_id == application.id,
                     JournalEntry.action == "grant") == 1  # fmt: skip
        assert count(Letter, Letter.application_id == application.id) == 1
        assert (
            count(
                BudgetEntry,
                BudgetEntry.application_id == application.id,
                BudgetEntry.kind == EntryKind.RESERVATION,
            )
            == 1
        )
    waiting = count(Application, Application.id.in_(pile), Application.state == "awaiting_decision")
    assert waiting == TO_DECIDE - len(granted)

    # Nothing overspent.
    figures = balance(tight.id, departure.year)
    assert figures.available >= 0
    assert figures.available == ALLOCATION - AMOUNT * len(granted)
