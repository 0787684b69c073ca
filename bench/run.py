"""The benchmark (issue 9): build the data sets, serve with gunicorn, measure over HTTP.

    make bench                      # everything, from scratch (~6-8 minutes)
    .venv/bin/python bench/run.py --reuse      # keep the databases if they are there
    .venv/bin/python bench/run.py --only queue,mine --duration 5

Prints the table and PASS/MISS per target; writes bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
sys.path.insert(0, str(ROOT))

PG = "postgresql://postgres@127.0.0.1:5432"
SIZES = {"100k": 100_000, "1k": 1_000}
PORT = int(os.environ.get("BENCH_PORT", "5099"))
# The data sets are <prefix>_100k and <prefix>_1k: BENCH_DB=bench_mine keeps a second
# checkout's databases apart from the default ones.
DB_PREFIX = os.environ.get("BENCH_DB", "grants_bench")
CLIENTS = 16
# A page whose single request takes longer than this is not load-tested (see measure_size).
SLOW = 2.0
SECRET_KEY = "bench-only-secret-key-0123456789abcdef-not-for-production"

CASEWORKER = ("sagsbehandler@ballerup.dk", "sagsbehandler-demo-2026")
APPLICANT = ("medarbejder@ballerup.dk", "medarbejder-demo-2026")
FINANCE = ("okonomi@ballerup.dk", "okonomi-demo-2026")

# name, path (formatted with the ids found in the data set), who is logged in
ENDPOINTS = [
    ("baseline", "/healthz", None),
    ("queue", "/arbejdskoe", CASEWORKER),
    # The fund and a search: a full page (20) at both sizes, so the two compare like with
    # like (fund + state=screening found 10 at 1k and 20 at 100k).
    ("queue_filtered", "/arbejdskoe?fund=studierejsefonden&q=i", CASEWORKER),
    ("mine", "/ansoegninger/mine", APPLICANT),
    # Issue 21: the caseworker's tasks, and the search over every case she may see: a name
    # (trigram), and words of the application's text (Danish full-text) with filters.
    ("tasks", "/opgaver", CASEWORKER),
    # The tasks by deadline, the most urgent first: read along the deadline's own index on
    # PostgreSQL (migration c3e5a7b9d1f4); all of a caseworker's tasks were sorted before.
    ("tasks_by_deadline", "/opgaver?sort=deadline&order=asc", CASEWORKER),
    ("search", "/soeg?q=Larsen", CASEWORKER),
    ("search_filtered", "/soeg?q=konferencer&fund=studierejsefonden&amount_from=5000", CASEWORKER),
    ("case", "/ansoegninger/{case_id}", CASEWORKER),
    ("budgets", "/budgetter", FINANCE),
    ("public", "/udlandsrejser", None),
    ("open_data", "/aabne-data/rejser.json", None),
    ("letter", "/breve/{letter_id}/hent", CASEWORKER),
]
# The pages staff work in (issue 24): each at least 0.15 of the baseline; the busiest three
# (BUSY_PAGES) answer 16 clients with p95 under 100 ms. A new staff page is added here and
# to ENDPOINTS; bench/profile.py's group "staff" follows.
STAFF_PAGES = (
    "queue",
    "queue_filtered",
    "mine",
    "case",
    "budgets",
    "tasks",
    "tasks_by_deadline",
    "search",
    "search_filtered",
)
BUSY_PAGES = ("queue", "case", "budgets")

TARGETS = {
    "page_vs_baseline": 0.25,
    "staff_vs_baseline": 0.15,  # issue 24: STAFF_PAGES
    "letter_vs_baseline": 0.5,
    "growth": 0.9,
    "p95_ms": 100.0,
    "queries": 9,
    "letter_ratio": 1.2,
    # The open-data feed without the proxy (issue 24; the proxy's targets: bench/proxy.py).
    "feed_vs_baseline": 0.15,
}


def db_url(size: str) -> str:
    return f"{PG}/{db_name(size)}"


def db_name(size: str) -> str:
    return f"{DB_PREFIX}_{size}"


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://")


# --- the data sets -----------------------------------------------------------------------


def database_exists(size: str) -> bool:
    import psycopg

    with psycopg.connect(f"{PG}/postgres") as conn:
        return bool(
            conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (db_name(size),)
            ).fetchone()
        )


def build_database(size: str) -> dict:
    import psycopg

    from bench import seed

    name = db_name(size)
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return seed.build(db_url(size), SIZES[size])


def find_ids(size: str) -> dict:
    import psycopg

    with psycopg.connect(db_url(size)) as conn:
        case_id = conn.execute(
            "SELECT a.id FROM application a JOIN fund f ON f.id = a.fund_id "
            "WHERE a.state = 'awaiting_decision' AND f.code = 'studierejsefonden' "
            "AND a.amount_applied <= f.delegated_limit ORDER BY a.id DESC LIMIT 1"
        ).fetchone()[0]
        letter_id = conn.execute(
            "SELECT id FROM letter WHERE kind = 'decision' ORDER BY size DESC, id LIMIT 1"
        ).fetchone()[0]
        counts = dict(
            applications=conn.execute("SELECT count(*) FROM application").fetchone()[0],
            published_trips=conn.execute(
                "SELECT count(*) FROM application a JOIN fund f ON f.id = a.fund_id "
                "WHERE a.state = 'settled' AND f.publish_trips "
                "AND a.departure_date >= make_date(extract(year FROM now())::int - 4, 1, 1)"
            ).fetchone()[0],
            mine=conn.execute(
                'SELECT count(*) FROM application a JOIN "user" u ON u.id = a.applicant_id '
                "WHERE u.email = %s",
                (APPLICANT[0],),
            ).fetchone()[0],
        )
    return {"case_id": case_id, "letter_id": letter_id, "counts": counts}


# --- the server --------------------------------------------------------------------------


def server_env(size: str) -> dict:
    """Production config, as deployed, with a bench secret. The session cookie is Secure in
    production: the bench reads it from Set-Cookie itself and sends it over plain http, which
    the server accepts (Secure only tells browsers when to send it)."""
    instance = RESULTS / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    return dict(
        os.environ,
        GRANTS_CONFIG="production",
        SECRET_KEY=SECRET_KEY,
        SERVER_NAME=f"127.0.0.1:{PORT}",  # production refuses to start without its address
        DATABASE_URL=db_url(size),
        FLASK_DEBUG="0",
        GRANTS_INSTANCE_DIR=str(instance),
        MAIL_FOLDER=str(instance / "mail"),
    )


class Server:
    def __init__(self, size: str):
        self.size = size
        self.log = open(RESULTS / f"gunicorn-{size}.log", "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{PORT}",
                "--timeout",
                "90",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=server_env(size),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.wait_until_up()

    def wait_until_up(self, port: int | None = None) -> None:
        """Until /healthz answers; stopped, and an error, if it has not in two minutes."""
        deadline = time.time() + 120  # a busy machine takes its time to import the app
        while time.time() < deadline:
            try:
                if request("GET", "/healthz", port=port)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start; see {self.log.name}")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def request(method: str, path: str, body: str = "", cookie: str = "", port: int | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port or PORT, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    cookies = [v.split(";", 1)[0] for k, v in response.getheaders() if k.lower() == "set-cookie"]
    conn.close()
    return response.status, data, cookies


def login(person: tuple[str, str], port: int | None = None) -> str:
    """Post the login form with its CSRF token; return the session cookie ("session=...")."""
    status, page, cookies = request("GET", "/log-ind", port=port)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        token = re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', page)
    body = urlencode(
        {"csrf_token": token.group(1).decode(), "email": person[0], "password": person[1]}
    )
    status, _page, new = request("POST", "/log-ind", body, "; ".join(cookies), port)
    if status != 302 or not new:
        raise RuntimeError(f"login as {person[0]} failed: {status}")
    return new[-1]


# --- measuring ---------------------------------------------------------------------------


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _system_busy() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


def wrk(path: str, cookie: str, duration: int, workers: list[int]) -> dict:
    command = [
        "wrk",
        "-t1",
        f"-c{CLIENTS}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / "wrk_report.lua"),
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{PORT}{path}")
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    before_workers = sum(_proc_cpu(p) for p in workers)
    before_busy = _system_busy()
    started = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - started
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    after_busy = _system_busy()
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    values = {k: int(v) for k, v in (pair.split("=") for pair in line.split()[1:])}
    wrk_cpu = (
        after_children.ru_utime
        + after_children.ru_stime
        - before_children.ru_utime
        - before_children.ru_stime
    )
    cores = os.cpu_count() or 1
    return {
        "rps": round(values["requests"] / (values["duration_us"] / 1e6), 1),
        "p50_ms": round(values["p50"] / 1000, 1),
        "p95_ms": round(values["p95"] / 1000, 1),
        "p99_ms": round(values["p99"] / 1000, 1),
        "requests": values["requests"],
        "errors": values["status_errors"] + values["socket_errors"],
        "kb_per_response": round(values["bytes"] / max(values["requests"], 1) / 1024, 1),
        # The load generator's share of the machine, and the app workers' (of all cores).
        "wrk_cpu_percent": round(100 * wrk_cpu / wall / cores, 1),
        "workers_cpu_percent": round(
            100 * (sum(_proc_cpu(p) for p in workers) - before_workers) / wall / cores, 1
        ),
        "machine_busy_percent": round(
            100 * (after_busy[0] - before_busy[0]) / max(after_busy[1] - before_busy[1], 1), 1
        ),
    }


def count_queries(size: str, paths: dict[str, tuple[str, tuple | None]]) -> dict[str, int]:
    """SQL statements per page: one warm request each through the Flask test client, against
    the same database, in the production config, counted with before_cursor_execute."""
    from sqlalchemy import event

    from config import ProductionConfig
    from grants import create_app
    from grants.extensions import db

    class BenchConfig(ProductionConfig):
        SECRET_KEY = SECRET_KEY_VALUE
        SQLALCHEMY_DATABASE_URI = sqlalchemy_url(db_url(size))
        SERVER_NAME = f"127.0.0.1:{PORT}"
        GRANTS_INSTANCE_DIR = str(RESULTS / "instance")

    app = create_app(BenchConfig)
    counted = {"n": 0}
    results = {}
    with app.app_context():
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda *args: counted.__setitem__("n", counted["n"] + 1),
        )
    clients = {}
    for name, (path, person) in paths.items():
        client = clients.get(person)
        if client is None:
            client = clients[person] = app.test_client()
            if person:
                page = client.get("/log-ind", base_url="https://localhost").data
                token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
                # Over https, Flask-WTF checks the Referer too (WTF_CSRF_SSL_STRICT).
                client.post(
                    "/log-ind",
                    base_url="https://localhost",
                    headers={"Referer": "https://localhost/log-ind"},
                    data={"csrf_token": token.decode(), "email": person[0], "password": person[1]},
                )
        client.get(path, base_url="https://localhost")  # warm: first-use caches
        counted["n"] = 0
        response = client.get(path, base_url="https://localhost")
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {path} answered {response.status_code}")
        results[name] = counted["n"]
    with app.app_context():
        db.engine.dispose()
    return results


SECRET_KEY_VALUE = SECRET_KEY


def measure_size(size: str, duration: int, names: set[str]) -> dict:
    """The endpoints ``names`` at ``size``, on a gunicorn of their own."""
    ids = find_ids(size)
    paths = {
        name: (path.format(**ids), person) for name, path, person in ENDPOINTS if name in names
    }
    queries = count_queries(size, paths)
    server = Server(size)
    try:
        workers = server.worker_pids()
        cookies = {}
        results = {}
        for name, (path, person) in paths.items():
            if person and person not in cookies:
                cookies[person] = login(person)
            cookie = cookies.get(person, "")
            started = time.perf_counter()
            try:
                status, _body, _c = request("GET", path, cookie=cookie)
            except TimeoutError:
                status = "timeout (60 s)"
            single = time.perf_counter() - started
            if status != 200 or single > SLOW:
                # Too slow to load-test with 16 clients (each would wait minutes and gunicorn
                # kills a worker after 30 s): recorded as a miss with the one request's time,
                # and the server is restarted so the next page starts on idle workers.
                print(
                    f"  {size:>4} {name:<15} answered {status} in {single:.1f} s over HTTP: "
                    "too slow to load-test",
                    flush=True,
                )
                results[name] = {
                    "rps": round(2 / single, 2) if status == 200 else 0.0,
                    "p50_ms": round(single * 1000, 1),
                    "p95_ms": round(single * 1000, 1),
                    "p99_ms": None,
                    "requests": 1,
                    "errors": 0 if status == 200 else 1,
                    "path": path,
                    "queries": queries[name],
                    "failed": f"{status}; one request took {single:.1f} s; rps "
                    "estimated as 2 workers / that time",
                }
                server.stop()
                server = Server(size)
                workers = server.worker_pids()
                continue
            wrk(path, cookie, 1, workers)  # warm-up: connections, caches, plans
            result = wrk(path, cookie, duration, workers)
            result.update(path=path, queries=queries[name])
            results[name] = result
            print(
                f"  {size:>4} {name:<15} {result['rps']:>8.1f} rps  p50 {result['p50_ms']:>7.1f}"
                f" ms  p95 {result['p95_ms']:>7.1f} ms  {result['queries']:>3} SQL  wrk cpu "
                f"{result['wrk_cpu_percent']}%  machine {result['machine_busy_percent']}%",
                flush=True,
            )
    finally:
        server.stop()
    return {"ids": ids, "endpoints": results}


# --- the report --------------------------------------------------------------------------


def combined(runs: list[dict]) -> dict:
    """The rounds of one endpoint at one size: the mean of each figure, with the rounds'
    throughputs kept beside it (``rps_rounds``) to show how much they differed."""
    result = dict(runs[-1])
    for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "wrk_cpu_percent", "machine_busy_percent"):
        values = [run[key] for run in runs if run.get(key) is not None]
        if values:
            result[key] = round(sum(values) / len(values), 1)
    result["requests"] = sum(run.get("requests", 0) for run in runs)
    result["errors"] = sum(run.get("errors", 0) for run in runs)
    result["rps_rounds"] = [run["rps"] for run in runs]
    result["p95_rounds_ms"] = [run["p95_ms"] for run in runs]
    return result


def evaluate(big: dict, small: dict, letters: dict | None) -> list[tuple[str, str, bool]]:
    checks = []
    base = big["baseline"]["rps"]
    for name, r in big.items():
        if name == "baseline":
            continue
        limit = (
            TARGETS["letter_vs_baseline"]
            if name == "letter"
            else TARGETS["staff_vs_baseline"]
            if name in STAFF_PAGES
            else TARGETS["feed_vs_baseline"]
            if name == "open_data"
            else TARGETS["page_vs_baseline"]
        )
        checks.append(
            (name, f"rps {r['rps']} >= {limit} x baseline {base}", r["rps"] >= limit * base)
        )
        if name in small:
            s = small[name]
            checks.append(
                (
                    name,
                    f"100k rps {r['rps']} >= 0.9 x 1k rps {s['rps']}",
                    r["rps"] >= TARGETS["growth"] * s["rps"],
                )
            )
            checks.append(
                (
                    name,
                    f"SQL {r['queries']} <= {TARGETS['queries']} and same at 1k ({s['queries']})",
                    r["queries"] <= TARGETS["queries"] and r["queries"] == s["queries"],
                )
            )
        if name not in BUSY_PAGES:  # the busy pages' p95 is its own check (busy_pages_p95)
            checks.append((name, f"p95 {r['p95_ms']} ms < 100 ms", r["p95_ms"] < TARGETS["p95_ms"]))
        if r["errors"]:
            checks.append((name, f"{r['errors']} errors under load", False))
    for name, figures in busy_pages_p95(big).items():
        checks.append(
            (
                f"p95 {name}",
                f"p95 {figures['p95_ms']} ms < {TARGETS['p95_ms']:.0f} ms at {CLIENTS} clients "
                f"(rounds {figures['p95_rounds_ms']})",
                figures["pass"],
            )
        )
    if letters:
        checks.append(
            (
                "letters",
                f"app {letters['app_ms']} ms <= 1.2 x WeasyPrint "
                f"{letters['weasyprint_ms']} ms (ratio {letters['ratio']})",
                letters["ratio"] <= TARGETS["letter_ratio"],
            )
        )
        busy = letters["batch_all_cores"]["core_busy_percent"]
        checks.append(
            (
                "letters",
                f"batch uses every core: busy {busy} %, speed-up "
                f"{letters['speed_up']} on {letters['cores']} cores",
                min(busy) >= 80 and letters["speed_up"] >= 0.75 * letters["cores"],
            )
        )
    return checks


def busy_pages_p95(big: dict) -> dict:
    """Issue 24: the case page, the budgets and the queue (BUSY_PAGES) answer 16 clients
    (``CLIENTS``, wrk's connections) with a 95th percentile under 100 ms at 100k. The figure
    is the mean of the rounds' p95 (each round's beside it); it passes when that mean is
    under the target. In the JSON as ``busy_pages_p95``."""
    result = {}
    for name in BUSY_PAGES:
        if name not in big:
            continue
        r = big[name]
        result[name] = {
            "clients": CLIENTS,
            "p95_ms": r["p95_ms"],
            "p95_rounds_ms": r.get("p95_rounds_ms", [r["p95_ms"]]),
            "p50_ms": r["p50_ms"],
            "rps": r["rps"],
            "target_ms": TARGETS["p95_ms"],
            "pass": r["p95_ms"] < TARGETS["p95_ms"],
        }
    return result


def phone_and_meeting_checks(report: dict) -> list[tuple[str, str, bool]]:
    """Lighthouse's mobile score per page (issue 24 point 3), and the meeting's figures
    (reported, with the speed-up held to 0.75 x the cores as the letter batch is)."""
    checks = []
    pages = (report.get("lighthouse") or {}).get("pages", {})
    for name, page in pages.items():
        checks.append(
            (
                f"lh {name}",
                f"Lighthouse mobile performance {page['score']} >= 95 (runs {page['scores']})",
                page["score"] >= 95,
            )
        )
    meeting = report.get("meeting") or {}
    if "speed_up" in meeting:
        checks.append(
            (
                "meeting",
                f"{meeting['decisions']} decisions on {meeting['cores']} workers "
                f"{meeting['all_cores']['seconds']} s, 1 worker {meeting['one_worker']['seconds']}"
                f" s: speed-up {meeting['speed_up']}; {meeting['vs_ideal']} x the ideal "
                f"{meeting['ideal_s']} s (40 x one letter {meeting['single_letter_s']} s / cores)",
                meeting["speed_up"] >= 0.75 * meeting["cores"],
            )
        )
    return checks


def table(big: dict, small: dict) -> str:
    base = big["baseline"]["rps"]
    head = (
        f"{'endpoint':<15} {'rps':>8} {'p50 ms':>7} {'p95 ms':>7} {'x base':>7} {'SQL':>4} "
        f"{'rps 1k':>8} {'100k/1k':>8}"
    )
    rows = [head, "-" * len(head)]
    for name, r in big.items():
        s = small.get(name, {})
        rows.append(
            f"{name:<15} {r['rps']:>8.1f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} "
            f"{r['rps'] / base:>7.2f} {r['queries']:>4} {s.get('rps', float('nan')):>8.1f} "
            f"{r['rps'] / s['rps'] if s else float('nan'):>8.2f}"
        )
    return "\n".join(rows)


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": free.splitlines()[1].split()[1],
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
        "postgresql": _pg_version(),
    }


def _pg_version() -> str:
    import psycopg

    with psycopg.connect(f"{PG}/postgres") as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("Installing wrk (apt-get install -y wrk) ...", flush=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a data set that is already there (default: rebuild)",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--no-letters", action="store_true")
    parser.add_argument("--no-lighthouse", action="store_true", help="skip bench/lighthouse.py")
    parser.add_argument("--lighthouse-runs", type=int, default=3, help="Lighthouse runs a page")
    parser.add_argument("--no-meeting", action="store_true", help="skip bench/meeting.py")
    parser.add_argument(
        "--no-proxy", action="store_true", help="skip the public pages through nginx"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="times each endpoint is measured at each size, alternating; the means are shown",
    )
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    ensure_wrk()
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    report = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "clients": CLIENTS,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "server": "gunicorn -w 2 (sync), GRANTS_CONFIG=production",
        "data_sets": {},
        "results": {},
    }
    for size in SIZES:
        if args.reuse and database_exists(size):
            print(f"Reusing {db_name(size)}", flush=True)
        else:
            print(f"Building {db_name(size)} ({SIZES[size]:,} applications) ...", flush=True)
            report["data_sets"][size] = build_database(size)
            print(f"  built in {report['data_sets'][size]['seconds']['total']} s", flush=True)
    names = [
        name
        for name, _path, _person in ENDPOINTS
        if only is None or name in only or name == "baseline"
    ]
    # Each endpoint at one size and straight after at the other, each on a fresh gunicorn:
    # the machine's speed drifts by 10-15 % over minutes here, and measuring every page at
    # 100k and only then every page at 1k put that drift into the 100k/1k ratios.
    print(
        f"Measuring each endpoint at {' and then '.join(SIZES)}, {args.rounds} round(s) "
        f"({CLIENTS} clients, {args.duration} s each):",
        flush=True,
    )
    rounds: dict[str, dict[str, list[dict]]] = {size: {} for size in SIZES}
    for name in names:
        for _round in range(args.rounds):
            for size in SIZES:
                measured = measure_size(size, args.duration, {name})
                rounds[size].setdefault(name, []).append(measured["endpoints"][name])
                report["data_sets"].setdefault(size, {})["ids"] = measured["ids"]
    for size, by_name in rounds.items():
        report["results"][size] = {name: combined(runs) for name, runs in by_name.items()}
    letters = None
    if not args.no_letters:
        print("Letters ...", flush=True)
        from bench import letters as letters_bench

        letters = letters_bench.measure(db_url("1k"))
        report["letters"] = letters
    if not args.no_lighthouse:
        print("Lighthouse (mobile) ...", flush=True)
        from bench import lighthouse

        report["lighthouse"] = lighthouse.measure(args.lighthouse_runs)
    if not args.no_meeting:
        print("A meeting's 40 decisions through the RQ workers ...", flush=True)
        from bench import meeting

        report["meeting"] = meeting.measure()
    big, small = report["results"]["100k"], report["results"]["1k"]
    report["busy_pages_p95"] = busy_pages_p95(big)
    checks = evaluate(big, small, letters)
    if not args.no_proxy:
        print("The public pages through nginx (bench/proxy.py) at 100k ...", flush=True)
        from bench import proxy

        report["proxy"] = proxy.measure("100k", args.duration)
        checks += proxy.checks(report["proxy"])
    checks += phone_and_meeting_checks(report)
    report["targets"] = [{"what": w, "check": c, "pass": ok} for w, c, ok in checks]
    report["seconds"] = round(time.perf_counter() - started, 1)
    print()
    print(table(big, small))
    if report["busy_pages_p95"]:
        print(
            f"\np95 at {CLIENTS} clients (100k; target < {TARGETS['p95_ms']:.0f} ms): "
            + ", ".join(
                f"{name} {f['p95_ms']} ms {'PASS' if f['pass'] else 'MISS'}"
                for name, f in report["busy_pages_p95"].items()
            )
        )
    if letters:
        print(
            f"\nletter: app {letters['app_ms']} ms, WeasyPrint alone "
            f"{letters['weasyprint_ms']} ms, ratio {letters['ratio']} (the fastest of "
            f"{letters['runs']} each; medians {letters['app_median_ms']} and "
            f"{letters['weasyprint_median_ms']} ms); batch of "
            f"{letters['batch_all_cores']['letters']}: 1 process "
            f"{letters['batch_one_process']['seconds']} s, {letters['cores']} processes "
            f"{letters['batch_all_cores']['seconds']} s (speed-up {letters['speed_up']}), "
            f"cores busy {letters['batch_all_cores']['core_busy_percent']} %"
        )
    print()
    for what, check, ok in checks:
        print(f"{'PASS' if ok else 'MISS'}  {what:<15} {check}")
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=1, default=str))
    print(f"\nWrote {RESULTS / 'latest.json'} ({report['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
