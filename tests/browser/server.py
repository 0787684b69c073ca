"""The app served on loopback for the browser tests: a real HTTP server in a thread, on a free
port, on its own SQLite file built by the migrations and loaded with the demo data by the
real `flask demo load` command. Mail is written to a folder the tests can read."""

from __future__ import annotations

import hashlib
import logging
import threading
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask_migrate import upgrade
from werkzeug.serving import make_server

from config import DevelopmentConfig
from grants import create_app
from grants.extensions import db


class LiveServer:
    def __init__(self, folder: Path, settings: dict | None = None):
        """``settings``: configuration on top of the browser tests' (a journey that needs a
        login method switched on, e.g. NemLog-in, serves an app of its own with it)."""
        self.folder = folder
        self.mail_folder = folder / "mail"

        class BrowserTestConfig(DevelopmentConfig):
            # The production CSP, CSRF and cookies as they are; only the data is the test's.
            SECRET_KEY = "browser-tests"
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'grants.db'}"
            MAIL_SERVER = ""
            MAIL_FOLDER = str(self.mail_folder)
            SERVER_NAME = None
            # The browser keeps the static files instead of asking again on every page.
            SEND_FILE_MAX_AGE_DEFAULT = 3600
            # Jobs (the committees' issuing) run in a thread of the web process, as in a
            # deployment without Redis, so that a progress display is seen as it is.
            JOBS_MODE = "thread"
            REDIS_URL = ""

        for key, value in (settings or {}).items():
            setattr(BrowserTestConfig, key, value)
        self.app = create_app(BrowserTestConfig)
        with self.app.app_context():
            upgrade()
            db.engine.dispose()
        result = self.app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        with self.app.app_context():
            db.engine.dispose()

    def mail_to(self, address: str) -> list:
        """The messages written for `address`, oldest first."""
        found = []
        for path in sorted(self.mail_folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if address in str(message["To"]):
                found.append(message)
        return found

    def _mettes_study_trip(
        self,
        title: str,
        *,
        city: str,
        country: str,
        days_ahead: int,
        lines,
        nights: int = 2,
        amount: int = 6000,
    ):
        """Inside a request context: a draft study trip of Mette's (through the demo cases'
        own builder), and her, her manager and the caseworker."""
        from grants.demo_cases import _case
        from grants.funds.models import Fund
        from grants.people.models import User

        users = {u.email: u for u in db.session.scalars(db.select(User))}
        employee, manager = users["medarbejder@ballerup.dk"], users["leder@ballerup.dk"]
        fund = db.session.scalars(db.select(Fund).filter_by(code="studierejsefonden")).one()
        case = _case(
            fund,
            employee,
            manager=manager,
            title=title,
            city=city,
            country=country,
            days_ahead=days_ahead,
            nights=nights,
            amount=amount,
            lines=lines,
        )
        return case, employee, manager, users["sagsbehandler@ballerup.dk"]

    def granted_study_trip(self, title: str, *, days_ahead: int = -20) -> str:
        """Arrange a study trip that Mette has made and been granted, through the same
        operations as the demo cases (the journey of getting there has its own test)."""
        from grants.applications import operations
        from grants.cases.models import BudgetCategory
        from grants.workflow import engine

        with self.app.test_request_context(base_url=self.url):
            case, employee, manager, caseworker = self._mettes_study_trip(
                title,
                city="Aarhus",
                country="DK",
                days_ahead=days_ahead,
                lines={BudgetCategory.TRANSPORT: 2000, BudgetCategory.FEES: 4000},
            )
            operations.submit(case, employee)
            operations.endorse(case, manager, True, "")
            engine.take(case, "forward_for_decision", caseworker)
            operations.decide(case, caseworker, "grant", None, "")
            db.session.commit()
            case_number = case.case_number
            db.session.remove()
        return case_number

    def study_trip_in_screening(self, title: str, *, amount: int = 7000) -> str:
        """A study trip Mette has applied for and her manager endorsed: in the caseworker's
        queue for screening (and, within her limit, for her decision)."""
        from grants.applications import operations
        from grants.cases.models import BudgetCategory

        with self.app.test_request_context(base_url=self.url):
            case, employee, manager, _ = self._mettes_study_trip(
                title,
                city="Lissabon",
                country="PT",
                days_ahead=50,
                nights=3,
                amount=amount,
                lines={BudgetCategory.TRANSPORT: 3000, BudgetCategory.FEES: amount - 3000},
            )
            operations.submit(case, employee)
            operations.endorse(case, manager, True, "")
            db.session.commit()
            case_number = case.case_number
            db.session.remove()
        return case_number

    def study_trip_awaiting_information(self, title: str, programme: bytes, question: str) -> str:
        """Arrange a study trip of Mette's, submitted with ``programme`` as its programme file
        (program.pdf), endorsed, and sent back by the caseworker with ``question``."""
        from grants.applications import documents, operations
        from grants.cases.models import BudgetCategory
        from grants.core.files import check_upload
        from grants.workflow import engine

        with self.app.test_request_context(base_url=self.url):
            case, employee, manager, caseworker = self._mettes_study_trip(
                title,
                city="Helsinki",
                country="FI",
                days_ahead=50,
                lines={BudgetCategory.TRANSPORT: 2500, BudgetCategory.FEES: 4000},
            )
            documents.receive(case, check_upload("program.pdf", programme, "p"), employee)
            operations.submit(case, employee)
            operations.endorse(case, manager, True, "")
            engine.take(case, "request_information", caseworker, question)
            db.session.commit()
            case_number = case.case_number
            db.session.remove()
        return case_number

    def committee_case(self, title: str, committee: str, applicant: str) -> str:
        """A case submitted to the fund of `committee` by `applicant`, waiting for the
        secretariat's screening (applying to a committee fund has journeys of its own)."""
        from grants.applications import operations
        from grants.cases.models import Attachment, BudgetCategory
        from grants.committees.models import Committee
        from grants.demo_cases import _case
        from grants.people.models import User

        with self.app.test_request_context(base_url=self.url):
            person = db.session.scalars(db.select(User).filter_by(email=applicant)).one()
            fund = db.session.scalars(db.select(Committee).filter_by(name=committee)).one().fund
            case = _case(
                fund,
                person,
                title=title,
                city="Göteborg",
                country="SE",
                days_ahead=60,
                nights=2,
                amount=9000,
                lines={BudgetCategory.TRANSPORT: 3000, BudgetCategory.ACCOMMODATION: 6000},
            )
            programme = b"%PDF-1.4\n% Kulturnattens program\n%%EOF\n"
            case.attachments.append(
                Attachment(
                    filename="program-kulturnat.pdf",
                    content_type="application/pdf",
                    size=len(programme),
                    sha256=hashlib.sha256(programme).hexdigest(),
                    data=programme,
                    uploaded_by_id=person.id,
                )
            )
            operations.submit(case, person)
            db.session.commit()
            case_number = case.case_number
            db.session.remove()
        return case_number

    def meeting_today(self, committee: str, place: str) -> None:
        """A meeting of `committee` today at 16:00 in `place` (a meeting's decisions are
        recorded only once its day has come; the live server's clock is the real one)."""
        import datetime as dt

        from grants.committees import operations as ops
        from grants.committees.models import Committee
        from grants.core import clock

        with self.app.test_request_context(base_url=self.url):
            found = db.session.scalars(db.select(Committee).filter_by(name=committee)).one()
            starts = dt.datetime.combine(clock.today(), dt.time(16), tzinfo=clock.LOCAL)
            ops.create_meeting(found, starts, place)
            db.session.commit()
            db.session.remove()

    def meeting_day_comes(self, place: str) -> None:
        """The day of the planned meeting in `place` comes: it is moved to today."""
        import datetime as dt

        from grants.committees.models import Meeting
        from grants.core import clock

        with self.app.app_context():
            meeting = db.session.scalars(db.select(Meeting).filter_by(place=place)).one()
            starts = dt.datetime.combine(clock.today(), dt.time(16), tzinfo=clock.LOCAL)
            meeting.starts_at = starts.astimezone(dt.UTC)
            db.session.commit()
            db.session.remove()
