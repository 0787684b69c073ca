"""Every setting the code reads is declared in config.py's base class, under a comment that
says what it is for: a reader finds every knob in one file (issue 18 point 3). The code is
searched for ``config["KEY"]``, ``config.get("KEY")`` and the environment variables it
reads (``os.environ.get("NAME")``, ``os.environ["NAME"]``, ``os.getenv("NAME")``)."""

from __future__ import annotations

import re
from pathlib import Path

import config

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "grants").rglob("*.py")), ROOT / "wsgi.py"]
CONFIG_PY = (ROOT / "config.py").read_text(encoding="utf-8")

CONFIG_KEY = re.compile(r"config(?:\.get\(|\[)\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
ENV_NAME = re.compile(
    r"(?:os\.environ\.get\(|os\.environ\[|os\.getenv\()\s*[\"']([A-Z][A-Z0-9_]*)[\"']"
)


def found(pattern: re.Pattern) -> dict[str, list[str]]:
    where: dict[str, list[str]] = {}
    for path in SOURCES:
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            where.setdefault(match.group(1), []).append(str(path.relative_to(ROOT)))
    return where


def commented(name: str) -> bool:
    """The declaration ``NAME = ...`` has a comment on its line or in the lines above it
    (its group, up to a blank line)."""
    lines = CONFIG_PY.splitlines()
    for n, line in enumerate(lines):
        if re.match(rf"\s+{name}\b.*=", line):
            if "#" in line:
                return True
            for above in reversed(lines[:n]):
                if not above.strip() or above.strip().startswith("class "):
                    break
                if above.strip().startswith("#"):
                    return True
    return False


def test_the_search_finds_what_the_code_reads():
    keys = found(CONFIG_KEY)
    assert {"BUDGET_LOCK_TIMEOUT", "RQ_QUEUE", "JOBS_WORKER_CONFIG", "MAIL_SERVER"} <= set(keys)
    assert "GRANTS_INSTANCE_DIR" in found(ENV_NAME)


def test_every_setting_read_is_declared_in_the_base_class_with_a_comment():
    keys = found(CONFIG_KEY)
    undeclared = {key: where for key, where in keys.items() if not hasattr(config.Config, key)}
    assert not undeclared, f"read but not declared in config.Config: {undeclared}"
    uncommented = sorted(key for key in keys if not commented(key))
    assert not uncommented, f"declared in config.py without a comment: {uncommented}"


def test_every_environment_variable_read_is_named_in_config_py():
    names = found(ENV_NAME)
    missing = {name: where for name, where in names.items() if name not in CONFIG_PY}
    assert not missing, f"environment variables read outside config.py: {missing}"
