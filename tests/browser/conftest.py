"""Browser tests: a real headless Chromium (Debian's `chromium`, driven by Playwright for
Python) walks the journeys through the app served on loopback (tests/browser/server.py).

Every page a person reaches is checked by `Person.check` (tests/browser/people.py): axe-core
finds no WCAG 2.1 A/AA violation in Danish and in English, the page has its skip link and the
footer's link to the accessibility statement, and its body does not scroll sideways at 360 px
nor at 200 % zoom, the first time a page of its shape is reached in the run. With
BROWSER_SCREENSHOTS=1 a screenshot of every step is kept under test-artifacts/browser/; the
pages open when a test fails are kept whatever the setting.

Adding a journey is a test module here with a few lines per step (tests/browser/people.py
says what a Person does; tests/browser/journeys.py holds shared steps and the demo logins):

    def test_a_meeting(person):
        chair = person("udvalg@ballerup.dk")         # logged in, in their own browser context
        chair.follow("Møder", "the meetings")        # a link, by its Danish name; page checked
        chair.fill("#title", "Møde i maj")
        chair.press("Opret mødet", "meeting created")  # a button; the answer is checked
        chair.see("Møde i maj")

Without Playwright or Chromium the tests are skipped, and the run's summary says so plainly;
with BROWSER_TESTS=required (CI sets it) they fail instead. Set CHROMIUM to use another
Chromium binary.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.browser.people import Person

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Chromium as the brief for this machine has it: no sandbox (root in a container), and none
# of the background traffic it would otherwise send to a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _why_skip() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
    if not AXE.is_file():
        return f"no axe-core at {AXE.relative_to(ROOT)} (npm ci)"
    return None


SKIP_REASON = _why_skip()
_ran = {"count": 0}


def _is_browser_test(item) -> bool:
    return Path(str(item.fspath)).is_relative_to(Path(__file__).parent)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the markers
def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if _is_browser_test(item)]
    _ran["count"] = len(browser_items)
    if SKIP_REASON and os.environ.get("BROWSER_TESTS") == "required":
        raise pytest.UsageError(f"BROWSER_TESTS=required, but {SKIP_REASON}")
    if SKIP_REASON:
        marker = pytest.mark.skip(reason=f"Browser tests skipped: {SKIP_REASON}")
        for item in browser_items:
            item.add_marker(marker)
    # Under pytest-xdist (--dist loadgroup), one worker walks every journey: one app served
    # and one Chromium for them all, while the other worker takes the rest of the suite.
    for item in browser_items:
        item.add_marker(pytest.mark.xdist_group("browser"))


def pytest_terminal_summary(terminalreporter):
    # (With xdist the workers collect, not the process that prints: it counts the reports.)
    reported = [
        report
        for reports in terminalreporter.stats.values()
        for report in reports
        if str(getattr(report, "nodeid", "")).startswith("tests/browser/")
    ]
    if not (_ran["count"] or reported):
        return
    if SKIP_REASON:
        terminalreporter.write_line(f"Browser tests skipped: {SKIP_REASON}", yellow=True, bold=True)
    else:
        terminalreporter.write_line(
            f"Browser tests ran in {CHROMIUM}; screenshots (of failures, or of every step"
            f" with BROWSER_SCREENSHOTS=1) in {ARTIFACTS.relative_to(ROOT)}/"
        )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from tests.browser.server import LiveServer

    server = LiveServer(tmp_path_factory.mktemp("live")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture
def person(request, browser, live_server, axe_source, artifacts):
    """`person("medarbejder@ballerup.dk")`: someone in their own browser context (their own
    cookies), logged in when given a demo e-mail address, or anonymous with None."""
    folder = artifacts / re.sub(r"[^\w.-]+", "_", request.node.name)
    made: list[Person] = []

    def make(email: str | None = None, **options) -> Person:
        visitor = Person(browser, live_server, axe_source, folder, email=email, **options)
        made.append(visitor)
        if email:
            visitor.login()
        return visitor

    yield make
    failed = getattr(request.node, "failed_call", False)
    for visitor in made:
        if failed:
            # (a page already gone has nothing to show)
            with contextlib.suppress(Exception):
                visitor.screenshot("at the failure", always=True)
        visitor.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Marks a test whose body failed, for the `person` fixture's screenshots."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.failed_call = True
