"""`make audit` never calls a check that did not happen a clean bill (scripts/audit.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit.py"
spec = importlib.util.spec_from_file_location("audit_script", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

FLASK = {"name": "flask", "version": "3.1.3", "vulns": []}
OLD_JINJA = {
    "name": "jinja2",
    "version": "3.1.2",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
}
NOT_FOUND = {
    "name": "alembic",
    "skip_reason": "Dependency not found on PyPI and could not be audited: alembic (1.20.1)",
}


def test_python_packages_all_checked_and_clean(capsys):
    assert audit._python_report([FLASK], "pypi") == 0
    assert "1 checked against pypi: no known vulnerabilities" in capsys.readouterr().out


def test_python_packages_not_looked_up_are_not_called_clean(capsys):
    """pip-audit itself ends with "No known vulnerabilities found" when PyPI could not be
    asked about any package: that is reported as not checked, with exit status 2."""
    assert audit._python_report([FLASK, NOT_FOUND], "pypi") == audit.UNCHECKED
    out = capsys.readouterr().out
    assert "1 of 2 NOT checked" in out and "alembic (1.20.1)" in out
    assert "no known vulnerabilities" not in out


def test_a_known_vulnerability_wins(capsys):
    assert audit._python_report([OLD_JINJA, NOT_FOUND], "pypi") == audit.VULNERABLE
    assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "report",
    [
        {"message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/..."},
        {"error": {"summary": "getaddrinfo ENOTFOUND registry.npmjs.org", "detail": ""}},
    ],
)
def test_npm_audit_that_could_not_ask_is_not_clean(report, capsys):
    assert audit._npm_report(report) == audit.UNCHECKED
    assert "NOT checked" in capsys.readouterr().out


def test_npm_audit_clean_and_vulnerable(capsys):
    clean = {"metadata": {"vulnerabilities": {"low": 0, "high": 0}, "dependencies": {"total": 9}}}
    assert audit._npm_report(clean) == 0
    assert "9 checked: no known vulnerabilities" in capsys.readouterr().out
    bad = {"metadata": {"vulnerabilities": {"low": 0, "high": 2, "total": 2}}}
    assert audit._npm_report(bad) == audit.VULNERABLE
    assert "2 high" in capsys.readouterr().out


def test_a_database_that_cannot_be_reached_is_said_plainly(monkeypatch, capsys):
    """The whole run, with pip-audit failing to connect (as with OSV on a closed network)."""

    class Result:
        returncode = 1
        stdout = ""
        stderr = "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'"

    monkeypatch.setattr(audit.subprocess, "run", lambda *a, **k: Result())
    assert audit.python_packages("osv") == audit.UNCHECKED
    out = capsys.readouterr().out
    assert "NOT checked" in out and "could not" in out and "api.osv.dev" in out
