"""A committee meeting's 40 decisions issued through the app's own job path (issue 24, "Also
measure"): "Udsend" makes one ``committee_issue`` job, ``grants.jobs.runner`` splits it into
one part per worker (``JOBS_PARALLEL``) on an RQ queue, and ``rq worker`` processes, one per
core, each run ``grants.worker.run_in_worker``: its own app, then each of its items in its own
transaction (the decision, the reservation under the fund's lock, the letter by WeasyPrint,
the journal, the e-mail).

    .venv/bin/python bench/meeting.py            # the JSON on stdout

Measured, each on fresh cases of a fresh meeting:

* ``single_letter_s``: one decision issued in-process, warm (``issue_item`` and its
  commit, the median of 5 after a warm-up): what one letter costs on one core;
* ``one_worker``: the 40 through the queue with one worker (``JOBS_PARALLEL=1``);
* ``all_cores``: the 40 with one worker per core (``JOBS_PARALLEL`` = the cores).

``ideal_s`` = 40 x ``single_letter_s`` / cores; ``vs_ideal`` = the all-cores time / that (1.0:
the job path costs nothing beyond the letters themselves, spread perfectly over the cores);
``speed_up`` = one worker's time / all the cores' time.

It builds ``grants_bench_meeting`` (the migrations, the standard routes, a committee with
its fund, people and meetings; the tests' small factories) and starts its own Redis on a
port of its own, so nothing else's queue or data is touched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.letters import _cpu_times  # noqa: E402
from bench.run import PG  # noqa: E402
from bench.seed import run_migrations  # noqa: E402

DATABASE = "grants_bench_meeting"
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6391"))
QUEUE = "grants-bench"
DECISIONS = 40
SINGLES = 5


def _fresh_database() -> str:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    url = f"{PG}/{DATABASE}"
    run_migrations(url)
    return url.replace("postgresql://", "postgresql+psycopg://")


class World:
    """A committee with a fund large enough for every grant, its chair, secretary and a
    member, and a caseworker who puts the cases on the agendas."""

    def __init__(self) -> None:
        from grants.committees import operations as ops
        from grants.committees.models import CommitteeKind, MemberRole
        from grants.core import clock
        from grants.extensions import db
        from grants.funds import kinds
        from grants.funds.models import CarryOver
        from grants.people.models import Role
        from grants.workflow.loader import load_standard_routes
        from tests.factories import make_fund, make_municipality, make_user, this_period

        load_standard_routes()
        make_municipality()
        self.chair = make_user(Role.BOARD_MEMBER, name="Frederik Friis", email="formand@b.dk")
        self.secretary = make_user(Role.EMPLOYEE, name="Sine Sekretær", email="sekretaer@b.dk")
        self.member = make_user(Role.BOARD_MEMBER, name="Ulla Ulriksen", email="udvalg@b.dk")
        self.caseworker = make_user(Role.EMPLOYEE, Role.CASEWORKER, name="Sara Skov")
        self.fund = make_fund(
            code="kultur-udvalg",
            name="Kultur- og Fritidsudvalget",
            route="committee_decision",
            kind=kinds.COMMITTEE.code,
            delegated_limit=0,
            budget=10_000_000,
            carry_over=CarryOver.ELECTION_PERIOD,
        )
        self.committee = ops.create_committee(
            "Kultur- og Fritidsudvalget", CommitteeKind.STANDING, self.fund, *this_period()
        )
        start = clock.today() - dt.timedelta(days=30)
        ops.add_member(self.committee, self.chair, MemberRole.CHAIR, start, None)
        ops.add_member(self.committee, self.secretary, MemberRole.SECRETARY, start, None)
        ops.add_member(self.committee, self.member, MemberRole.MEMBER, start, None)
        db.session.commit()

    def decided_meeting(self, n: int):
        """A meeting held today with ``n`` cases on its agenda, each with a recorded grant."""
        from flask import current_app

        from grants.committees import operations as ops
        from grants.committees.models import Decision
        from grants.core import clock
        from grants.extensions import db
        from tests.factories import future, make_application, make_user

        starts = dt.datetime.combine(
            clock.today(), dt.time(16, 0), tzinfo=ZoneInfo("Europe/Copenhagen")
        )
        meeting = ops.create_meeting(self.committee, starts, "Rådhuset")
        ops.set_attendance(meeting, {self.chair.id, self.member.id}, self.secretary)
        items = []
        with current_app.test_request_context():
            for i in range(n):
                applicant = make_user(name=f"Ansøger {meeting.id}-{i}")
                application = make_application(
                    applicant,
                    self.fund,
                    state="screening",
                    amount=5000 + i,
                    departure_date=future(60),
                    return_date=future(63),
                    travellers="Ulla Ulriksen (medlem)",
                )
                items.append(
                    ops.add_to_agenda(meeting, application, "Indstilles.", self.caseworker)
                )
            for item in items:
                ops.record_decision(item, self.secretary, Decision.GRANT, None, "")
        db.session.commit()
        return meeting, items


def _single_letters(world: World) -> list[float]:
    """One decision at a time, in this process: the handler's work for one item."""
    from grants.committees.operations import issue_item
    from grants.extensions import db

    _meeting, items = world.decided_meeting(SINGLES + 1)
    times = []
    for item in items:
        started = time.perf_counter()
        issue_item(item, world.secretary)
        db.session.commit()
        times.append(time.perf_counter() - started)
    return times[1:]  # the first loads fonts and templates


def _through_the_queue(app, world: World, workers: int, redis_url: str, mail: str) -> dict:
    from grants.committees import operations as ops
    from grants.extensions import db
    from grants.jobs import runner
    from grants.jobs.models import Job, JobStatus

    meeting, _items = world.decided_meeting(DECISIONS)
    app.config.update(JOBS_PARALLEL=workers)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    processes = [
        subprocess.Popen(
            [
                str(ROOT / ".venv/bin/rq"),
                "worker",
                "--worker-class",
                "grants.worker.Worker",
                "--url",
                redis_url,
                "--quiet",
                QUEUE,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        _wait_for_workers(redis_url, workers)
        with app.test_request_context():
            job = ops.start_issue(meeting, world.secretary)
            db.session.commit()
            job_id = job.id
            before, started = _cpu_times(), time.perf_counter()
            runner.start(job_id)  # what the request's commit hook does: one part per worker
        while True:
            db.session.expire_all()
            job = db.session.get(Job, job_id)
            if job.status in (JobStatus.DONE, JobStatus.FAILED):
                break
            if time.perf_counter() - started > 600:
                raise RuntimeError("the meeting's job did not finish in 10 minutes")
            time.sleep(0.05)
        elapsed, after = time.perf_counter() - started, _cpu_times()
        if job.status != JobStatus.DONE or job.done != DECISIONS:
            raise RuntimeError(f"job {job_id}: {job.status}, {job.done} done, {job.failed} failed")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
    return {
        "workers": workers,
        "decisions": DECISIONS,
        "seconds": round(elapsed, 2),
        "letters_per_second": round(DECISIONS / elapsed, 2),
        "core_busy_percent": [
            round(100 * (a[0] - b[0]) / max(a[1] - b[1], 1), 1)
            for a, b in zip(after, before, strict=True)
        ],
    }


def _wait_for_workers(redis_url: str, count: int) -> None:
    from redis import Redis
    from rq import Worker

    connection = Redis.from_url(redis_url)
    deadline = time.time() + 60
    while time.time() < deadline:
        if len(Worker.all(connection=connection)) >= count:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{count} rq workers did not start")


def measure() -> dict:
    from grants import create_app
    from grants.extensions import db

    redis_server = shutil.which("redis-server")
    if redis_server is None:
        return {"skipped": "no redis-server (apt-get install redis-server)"}
    cores = os.cpu_count() or 1
    url = _fresh_database()
    redis_url = f"redis://127.0.0.1:{REDIS_PORT}/0"
    with tempfile.TemporaryDirectory() as folder:
        redis = subprocess.Popen(
            [redis_server, "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", folder],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        mail = str(Path(folder) / "mail")
        config = {
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_FOLDER": mail,
            "MAIL_SERVER": "",
            "SERVER_NAME": "rejsetilskud.bench",
            "GRANTS_INSTANCE_DIR": folder,
        }
        app = create_app(
            dict(config, JOBS_MODE="rq", REDIS_URL=redis_url, RQ_QUEUE=QUEUE,
                 JOBS_WORKER_CONFIG=config)
        )  # fmt: skip
        try:
            with app.app_context():
                world = World()
                singles = _single_letters(world)
                one = _through_the_queue(app, world, 1, redis_url, mail)
                every = _through_the_queue(app, world, cores, redis_url, mail)
                db.session.remove()
                db.engine.dispose()
        finally:
            redis.terminate()
            redis.wait(10)
    single = statistics.median(singles)
    ideal = DECISIONS * single / cores
    return {
        "decisions": DECISIONS,
        "cores": cores,
        "single_letter_s": round(single, 3),
        "single_letters_s": [round(t, 3) for t in singles],
        "ideal_s": round(ideal, 2),
        "one_worker": one,
        "all_cores": every,
        "vs_ideal": round(every["seconds"] / ideal, 2),
        "speed_up": round(one["seconds"] / every["seconds"], 2),
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=1))
