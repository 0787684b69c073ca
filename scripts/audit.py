#!/usr/bin/env python3
"""`make audit`: known vulnerabilities in the packages the app runs on.

Python: pip-audit over the virtualenv's installed packages (PyPI's advisory data; ``--osv``
asks OSV instead). npm: ``npm audit`` over package-lock.json.

A vulnerability database that cannot be reached is not a clean bill: pip-audit reports a
package it could not look up as skipped, and still ends with "No known vulnerabilities
found"; npm audit prints an error. This says plainly which packages were not checked and why.

Exit status: 0 every package checked and none vulnerable; 1 a known vulnerability;
2 something could not be checked (and nothing known was found).
"""

from __future__ import annotations

import json
import shutil
import subprocess  # nosec B404  # fixed programs, arguments as lists
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VULNERABLE, UNCHECKED = 1, 2


def python_packages(service: str) -> int:
    pip_audit = ROOT / ".venv" / "bin" / "pip-audit"
    if not pip_audit.exists():
        print("Python packages: NOT checked: pip-audit is not installed (run `make deps`).")
        return UNCHECKED
    result = subprocess.run(  # nosec B603
        [str(pip_audit), "--format", "json", "--progress-spinner", "off", "-s", service],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        reason = _last_line(result.stderr) or f"pip-audit exited with {result.returncode}"
        print(f"Python packages: NOT checked: the vulnerability database ({service}) could not")
        print(f"  be reached: {reason}")
        return UNCHECKED
    return _python_report(report.get("dependencies", []), service)


def _python_report(dependencies: list[dict], service: str) -> int:
    checked = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in checked if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(
                f"  {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})"
            )
    if skipped:
        print(
            f"Python packages: {len(skipped)} of {len(dependencies)} NOT checked: {service} "
            "could not be asked about them, e.g."
        )
        for dependency in skipped[:3]:
            print(f"  {dependency['skip_reason']}")
    if vulnerable:
        print(f"Python packages: {len(vulnerable)} with known vulnerabilities.")
        return VULNERABLE
    if skipped:
        return UNCHECKED
    print(f"Python packages: {len(checked)} checked against {service}: no known vulnerabilities.")
    return 0


def npm_packages() -> int:
    npm = shutil.which("npm")
    if npm is None:
        print("npm packages: NOT checked: npm is not installed.")
        return UNCHECKED
    result = subprocess.run(  # nosec B603
        [npm, "audit", "--json"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        report = {"message": _last_line(result.stderr) or f"npm exited with {result.returncode}"}
    return _npm_report(report)


def _npm_report(report: dict) -> int:
    if "error" in report or "metadata" not in report:
        reason = report.get("message") or report.get("error", {}).get("summary") or "no answer"
        print("npm packages: NOT checked: the registry's audit service could not be asked:")
        print(f"  {reason}")
        return UNCHECKED
    counts = report["metadata"].get("vulnerabilities", {})
    total = sum(counts.get(level, 0) for level in ("low", "moderate", "high", "critical"))
    dependencies = report["metadata"].get("dependencies", {}).get("total", "all")
    if total:
        found = ", ".join(f"{counts[k]} {k}" for k in counts if counts[k] and k != "total")
        print(f"npm packages: known vulnerabilities: {found} (npm audit for details).")
        return VULNERABLE
    print(f"npm packages: {dependencies} checked: no known vulnerabilities.")
    return 0


def _last_line(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def main(argv: list[str]) -> int:
    service = "osv" if "--osv" in argv else "pypi"
    results = [python_packages(service), npm_packages()]
    if VULNERABLE in results:
        return VULNERABLE
    if UNCHECKED in results:
        print("Not everything could be checked: this is not a clean bill of health.")
        return UNCHECKED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
