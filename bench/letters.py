"""Letters: the app's path to one decision letter (the seal included) vs WeasyPrint alone on
the same HTML, the seal's own share, and a batch of letters (rendering only) across processes.

    python bench/letters.py postgresql://postgres@127.0.0.1:5432/grants_bench_1k

Nothing is committed: each letter is made in a savepoint that is rolled back.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Runs of each (app, WeasyPrint alone), alternated; the fastest of each is compared: on a
# shared two-core machine a run is only ever slowed by others, never sped up.
RUNS = 9


def _cpu_times() -> list[tuple[int, int]]:
    """(busy, total) jiffies per core from /proc/stat."""
    cores = []
    with open("/proc/stat") as stat:
        for line in stat:
            if line.startswith("cpu") and line[3].isdigit():
                values = [int(v) for v in line.split()[1:]]
                idle = values[3] + values[4]
                cores.append((sum(values) - idle, sum(values)))
    return cores


def _render(html: str) -> int:
    from grants.letters.render import create_pdf

    return len(create_pdf(html))


def _warm(html: str) -> None:
    _render(html)  # fonts and stylesheets loaded once per worker, as in a long-lived worker


def batch(html: str, letters: int, processes: int) -> dict:
    with Pool(processes, initializer=_warm, initargs=(html,)) as pool:
        before, started = _cpu_times(), time.perf_counter()
        pool.map(_render, [html] * letters, chunksize=1)
        elapsed, after = time.perf_counter() - started, _cpu_times()
    busy = [
        round(100 * (a[0] - b[0]) / max(a[1] - b[1], 1), 1)
        for a, b in zip(after, before, strict=True)
    ]
    return {
        "processes": processes,
        "letters": letters,
        "seconds": round(elapsed, 2),
        "letters_per_second": round(letters / elapsed, 2),
        "core_busy_percent": busy,
    }


def measure(url: str) -> dict:
    from weasyprint import HTML

    from grants import create_app
    from grants.cases.models import Application
    from grants.extensions import db
    from grants.letters import operations
    from grants.letters.models import Letter
    from grants.letters.render import ASSETS_URL, PDF_VARIANT
    from grants.people.models import User

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://")}
    )
    captured: list[str] = []
    real_create_pdf = operations.create_pdf

    def capturing(html: str, base_url: str | None = None, **options) -> bytes:
        captured.append(html)
        return real_create_pdf(html, base_url, **options)

    operations.create_pdf = capturing
    # The seal (grants.letters.seal) is part of the app's path; its own share is timed too,
    # with what it adds to the file.
    seal_times: list[float] = []
    seal_growth: list[int] = []
    real_seal = operations.seal.seal

    def timed_seal(pdf: bytes, **options) -> bytes:
        started = time.perf_counter()
        sealed = real_seal(pdf, **options)
        seal_times.append(time.perf_counter() - started)
        seal_growth.append(len(sealed) - len(pdf))
        return sealed

    operations.seal.seal = timed_seal
    app_times, weasy_times = [], []
    with app.app_context(), app.test_request_context():
        application = db.session.scalar(
            db.select(Application)
            .where(Application.state == "granted")
            .order_by(Application.id)
            .limit(1)
        )
        actor = db.session.get(User, application.decided_by_id)
        # In the outer transaction, never committed: the case has no letter yet.
        db.session.execute(db.delete(Letter).where(Letter.application_id == application.id))
        for run in range(RUNS + 1):
            savepoint = db.session.begin_nested()
            started = time.perf_counter()
            operations.issue_decision_letter(application, actor)
            app_time = time.perf_counter() - started
            savepoint.rollback()
            html = captured[-1]
            started = time.perf_counter()
            HTML(string=html, base_url=ASSETS_URL).write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
            weasy_time = time.perf_counter() - started
            if run:  # the first of each is a warm-up (fonts, stylesheet)
                app_times.append(app_time)
                weasy_times.append(weasy_time)
        db.session.rollback()
        db.engine.dispose()
    operations.create_pdf = real_create_pdf
    operations.seal.seal = real_seal
    seal_times = seal_times[1:]  # the first loads the key (once per process)
    html = captured[-1]
    cores = os.cpu_count() or 1
    letters = 8 * cores
    single = batch(html, letters, 1)
    parallel = batch(html, letters, cores)
    app_best, weasy_best = min(app_times), min(weasy_times)
    return {
        "runs": RUNS,
        "app_ms": round(1000 * app_best, 1),
        "weasyprint_ms": round(1000 * weasy_best, 1),
        "ratio": round(app_best / weasy_best, 3),
        # The seal's share of the app's path (PAdES with pyHanko), and the bytes it adds.
        "seal_ms": round(1000 * min(seal_times), 1),
        "seal_median_ms": round(1000 * statistics.median(seal_times), 1),
        "seal_adds_bytes": seal_growth[-1],
        "app_median_ms": round(1000 * statistics.median(app_times), 1),
        "weasyprint_median_ms": round(1000 * statistics.median(weasy_times), 1),
        "batch_one_process": single,
        "batch_all_cores": parallel,
        "speed_up": round(single["seconds"] / parallel["seconds"], 2),
        "cores": cores,
    }


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1]), indent=1))
