"""The app's RQ worker class (``grants.worker.Worker``) loads the app before its first job,
so that the work horse RQ forks for each job starts with it loaded, and connects to no
database while doing so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.committees.test_issue import _redis_or_skip

ROOT = Path(__file__).resolve().parent.parent

LOADED_BY_A_JOB = ["weasyprint", "fontTools.subset", "saml2.sigver", "grants.committees.views"]

SCRIPT = f"""
import json, sys
from redis import Redis
from grants.worker import Worker
before = [name for name in {LOADED_BY_A_JOB!r} if name in sys.modules]
Worker(["grants"], connection=Redis.from_url("redis://127.0.0.1:6379/15"))
after = [name for name in {LOADED_BY_A_JOB!r} if name in sys.modules]
from grants.letters import render
print(json.dumps({{"before": before, "after": after,
                   "fonts": hasattr(render._fonts, "configuration")}}))
"""


def test_the_worker_loads_the_app_and_fonts_once_before_any_job(tmp_path):
    _redis_or_skip()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        GRANTS_INSTANCE_DIR=str(tmp_path),
        DATABASE_URL="postgresql://nobody@127.0.0.1:1/none",  # reached only if it connected
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded["before"] == []  # importing the class alone loads none of it
    assert loaded["after"] == LOADED_BY_A_JOB
    assert loaded["fonts"]  # Pango's fonts are ready for the first letter
