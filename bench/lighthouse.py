"""Lighthouse on a phone (issue 24 point 3): the performance score of the front page, the
public trips, the login page and the study-trip form, served as in production.

    .venv/bin/python bench/lighthouse.py              # 3 runs a page, the JSON on stdout
    .venv/bin/python bench/lighthouse.py --runs 5

Lighthouse 12.2.3 (npm, in bench/package.json: `make bench` installs it there, CI never
does) drives Debian's Chromium (/usr/bin/chromium, or CHROME_PATH) in its default mobile
mode: a Moto G Power's screen, 4x CPU slowdown and a slow 4G network, simulated. The app
runs under gunicorn with GRANTS_CONFIG=production on a database of its own with the demo
data (grants_bench_lighthouse: the demo's funds, trips and people), and the static files as
`make assets` built them. The study-trip form is the demo employee's (logged in by posting
the login form; the session cookie goes to Lighthouse as a header).

A page's score is the median of its runs (Lighthouse's own advice against its variance);
each run's score is kept. The baseline of the same run: the pages without the build
(``without_build``: plain names, nothing compressed, the whole design system's CSS).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

from bench import run, seed  # noqa: E402
from bench.run import PG, SECRET_KEY, login  # noqa: E402

# Follows BENCH_DB (run.DB_PREFIX), so a second checkout keeps its own.
DATABASE = f"{run.DB_PREFIX}_lighthouse"
PORT = int(os.environ.get("BENCH_LIGHTHOUSE_PORT", "5098"))
EMPLOYEE = ("medarbejder@ballerup.dk", "medarbejder-demo-2026")
TARGET = 0.95

# name, path, logged in as
PAGES = [
    ("front", "/", None),
    ("public", "/udlandsrejser", None),
    ("login", "/log-ind", None),
    ("study_trip_form", "/ansoegninger/ny/studierejsefonden", EMPLOYEE),
]
METRICS = {
    "first-contentful-paint": "fcp_ms",
    "largest-contentful-paint": "lcp_ms",
    "total-blocking-time": "tbt_ms",
    "cumulative-layout-shift": "cls",
    "speed-index": "speed_index_ms",
    "total-byte-weight": "bytes",
}


def lighthouse_cli() -> Path:
    cli = BENCH / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        print("Installing Lighthouse into bench/node_modules (npm ci) ...", flush=True)
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=BENCH, check=True
        )
    return cli


def chromium() -> str | None:
    path = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
    return path if Path(path).exists() else shutil.which("chromium")


def server_env(built: bool = True) -> dict:
    instance = BENCH / "results" / "instance-lighthouse"
    instance.mkdir(parents=True, exist_ok=True)
    extra = {} if built else {"STATIC_BUILD_DIR": ""}
    return dict(
        os.environ,
        **extra,
        GRANTS_CONFIG="production",
        SECRET_KEY=SECRET_KEY,
        SERVER_NAME=f"127.0.0.1:{PORT}",  # production refuses to start without it
        DATABASE_URL=f"{PG}/{DATABASE}",
        FLASK_DEBUG="0",
        GRANTS_INSTANCE_DIR=str(instance),
        MAIL_FOLDER=str(instance / "mail"),
    )


def ensure_database(rebuild: bool = False) -> None:
    """The demo data on a database of its own (other benches rebuild theirs)."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
        if exists.fetchone() and not rebuild:
            return
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    seed.run_migrations(f"{PG}/{DATABASE}")
    seed.load_reference_data(f"{PG}/{DATABASE}")


def ensure_static_build() -> None:
    if not (ROOT / "build" / "static" / "manifest.json").exists():
        subprocess.run([str(ROOT / ".venv/bin/python"), "scripts/build_static.py"], check=True)


class Server(run.Server):
    """gunicorn as run.Server starts it, on the Lighthouse database and port."""

    def __init__(self, built: bool = True) -> None:  # noqa: PLW0231  (its own start)
        self.log = open(BENCH / "results" / "gunicorn-lighthouse.log", "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{PORT}",
             "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=server_env(built), stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.wait_until_up(port=PORT)


def run_once(cli: Path, browser: str, url: str, cookie: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "report.json"
        command = [
            "node", str(cli), url, "--only-categories=performance", "--output=json",
            f"--output-path={output}", "--quiet",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ]  # fmt: skip
        if cookie:
            command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        subprocess.run(command, check=True, env=dict(os.environ, CHROME_PATH=browser))
        report = json.loads(output.read_text())
    audits = report["audits"]
    result = {"score": round(report["categories"]["performance"]["score"] * 100)}
    for audit, name in METRICS.items():
        value = audits[audit].get("numericValue")
        result[name] = round(value, 3) if name == "cls" else round(value or 0)
    result["benchmark_index"] = report["environment"].get("benchmarkIndex")
    result["final_url"] = report.get("finalDisplayedUrl") or report.get("finalUrl")
    return result


def measure_pages(cli: Path, browser: str, runs: int, built: bool) -> dict:
    server = Server(built)
    results: dict = {}
    try:
        cookies = {}
        for name, path, person in PAGES:
            if person and person not in cookies:
                cookies[person] = login(person, PORT)
            each = [
                run_once(cli, browser, f"http://127.0.0.1:{PORT}{path}", cookies.get(person, ""))
                for _ in range(runs)
            ]
            if any(not run["final_url"].endswith(path) for run in each):
                ended = each[0]["final_url"]
                raise RuntimeError(f"{name}: Lighthouse ended on {ended}, not {path}")
            median = sorted(each, key=lambda run: run["score"])[len(each) // 2]
            results[name] = dict(median, path=path, scores=[run["score"] for run in each])
            print(
                f"  lighthouse {'' if built else 'unbuilt '}{name:<16} score "
                f"{median['score']:>3} (runs {results[name]['scores']})  FCP {median['fcp_ms']}"
                f" ms  LCP {median['lcp_ms']} ms  TBT {median['tbt_ms']} ms  CLS "
                f"{median['cls']}  SI {median['speed_index_ms']} ms  {median['bytes'] // 1024} KiB",
                flush=True,
            )
    finally:
        server.stop()
    return results


def measure(runs: int = 3, baseline_runs: int = 1, rebuild: bool = False) -> dict:
    """Each page ``runs`` times as served (the build), and ``baseline_runs`` times without the
    build (STATIC_BUILD_DIR empty: plain names, uncompressed, the whole design system's CSS,
    as before issue 24) as the baseline of the same run."""
    browser = chromium()
    if browser is None:
        return {"skipped": "no Chromium (apt-get install chromium, or set CHROME_PATH)"}
    cli = lighthouse_cli()
    ensure_static_build()
    ensure_database(rebuild)
    (BENCH / "results").mkdir(parents=True, exist_ok=True)
    pages = measure_pages(cli, browser, runs, built=True)
    baseline = measure_pages(cli, browser, baseline_runs, built=False) if baseline_runs else {}
    return {
        "lighthouse": "12.2.3",
        "mode": "mobile (default: Moto G Power, 4x CPU slowdown, slow 4G, simulated)",
        "chromium": subprocess.run(
            [browser, "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "runs": runs,
        "target": round(TARGET * 100),
        "pages": pages,
        "without_build": baseline,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, default=1, help="0: no baseline")
    parser.add_argument("--rebuild", action="store_true", help="load the demo database anew")
    args = parser.parse_args()
    print(json.dumps(measure(args.runs, args.baseline_runs, args.rebuild), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
