"""A restart of the server loses no submitted application: gunicorn serves a file database,
an employee submits, the server is killed with SIGKILL (no clean shutdown) and started again,
and the application is there. Each request commits before it answers."""

from __future__ import annotations

import http.cookiejar
import os
import signal
import subprocess  # nosec B404  # the test starts gunicorn from the venv
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from flask_migrate import upgrade

from grants import create_app
from grants.core import backup
from grants.extensions import db
from tests import factories
from tests.applications.helpers import form_data
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


def gunicorn(env: dict, port: int) -> subprocess.Popen:
    binary = Path(sys.executable).parent / "gunicorn"
    if not binary.exists():
        pytest.skip("gunicorn is not installed")
    process = subprocess.Popen(  # nosec B603  # fixed program and arguments
        [str(binary), "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(env["GRANTS_INSTANCE_DIR"] + ".log", "ab"),  # noqa: SIM115
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=20)  # nosec B310
            return process
        except OSError:  # refused, reset or timed out while the worker boots
            time.sleep(0.2)
    process.kill()
    raise AssertionError("gunicorn did not start")


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:  # nosec B310
            return response.read().decode()

    def post_form(self, path: str, data: dict) -> int:
        page = self.get(path)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")
        request.add_header("Referer", self.base + path)
        with self.opener.open(request, timeout=60) as response:  # nosec B310
            return response.status


def test_a_killed_server_loses_no_submitted_application(tmp_path, database_url):
    url = f"sqlite:///{tmp_path / 'grants.db'}"
    if database_url.startswith("sqlite"):
        backup.create(database_url, tmp_path / "grants.db")  # the schema, migrated already
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if not database_url.startswith("sqlite"):
            upgrade()
        from grants.workflow.loader import load_standard_routes

        load_standard_routes()
        world = factories.study_trip_world()
        fund_code, email, manager_id = world.fund.code, world.employee.email, world.manager.id
        db.session.remove()
        db.engine.dispose()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "GRANTS_CONFIG": "development",
        "GRANTS_INSTANCE_DIR": str(tmp_path / "instance"),
        "FLASK_DEBUG": "0",
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = gunicorn(env, port)
    try:
        browser = Browser(base)
        browser.post_form("/log-ind", {"email": email, "password": factories.PASSWORD})
        title = "Studietur der overlever en genstart"
        status = browser.post_form(
            f"/ansoegninger/ny/{fund_code}",
            form_data(title=title, manager_id=str(manager_id)),
        )
        assert status == 200  # after the redirect to the case
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # no clean shutdown
        server.wait(timeout=30)
    server = gunicorn(env, port)
    try:
        browser = Browser(base)
        browser.post_form("/log-ind", {"email": email, "password": factories.PASSWORD})
        assert title in browser.get("/ansoegninger/mine")
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
