"""The app served on loopback for the browser tests: a real HTTP server in a thread, on a free
port, on its own SQLite file built by the migrations and loaded with the demo data by the
real `flask demo load` command. Mail is written to a folder the tests can read."""

from __future__ import annotations

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
    def __init__(self, folder: Path):
        self.folder = folder
        self.mail_folder = folder / "mail"

        class BrowserTestConfig(DevelopmentConfig):
            # The production CSP, CSRF and cookies as they are; only the data is the test's.
            SECRET_KEY = "browser-tests"
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'grants.db'}"
            MAIL_SERVER = ""
            MAIL_FOLDER = str(self.mail_folder)
            SERVER_NAME = None

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
