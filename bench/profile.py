"""Why is a page slow? Its SQL statements with their times, and a pyinstrument profile; and
each page's CPU time a request, in this process.

    .venv/bin/python bench/profile.py 100k queue [--profile] [--explain]
    .venv/bin/python bench/profile.py 100k staff --repeat 200 --quiet   # the CPU table
    .venv/bin/python bench/profile.py 100k /arbejdskoe?state=screening --as caseworker

Endpoints by their names in bench/run.py (``ENDPOINTS``), comma-separated, or a group of
them (``GROUPS``: ``staff`` is every staff page), or a path of the app with the person who
asks for it (``--as``, one of ``PEOPLE``). A new page is profiled by adding it to
``ENDPOINTS`` (and to ``STAFF_PAGES`` if it is a staff page) in bench/run.py; nothing here
changes. Uses the Flask test client in the production config.

CPU time is this process's (``time.process_time``): the app's own work, not PostgreSQL's
and not the time spent waiting on it. It is the figure the machine's load disturbs least;
with ``--repeat`` the mean and the median of the requests are printed. PostgreSQL's own
CPU time a request ("PG ms") is its server process's, read from /proc when the database
runs on this machine: on the bench's two shared cores it comes out of the app's share
(``pg_cpu``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402

PEOPLE = {
    "caseworker": run.CASEWORKER,
    "applicant": run.APPLICANT,
    "finance": run.FINANCE,
    "anonymous": None,
}
GROUPS = {"staff": run.STAFF_PAGES}


def stdlib_cprofile():
    """cProfile imports the standard library's ``profile``, which this file's name hides
    (the script's folder comes first on the path)."""
    here = str(Path(__file__).resolve().parent)
    saved = sys.path[:]
    sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != here]
    try:
        import cProfile
    finally:
        sys.path[:] = saved
    return cProfile


def pg_cpu(servers: set[int]) -> dict[int, float]:
    """CPU seconds (user and system) each of PostgreSQL's server processes has used, from
    /proc; empty when the database is on another machine (no such process here)."""
    used = {}
    for pid in servers:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def targets(names: str, person: str | None) -> list[tuple[str, str, tuple | None]]:
    """(name, path, who) for the endpoint names, groups or path asked for."""
    if names.startswith("/"):
        return [(names, names, PEOPLE[person or "anonymous"])]
    chosen = []
    for name in names.split(","):
        for each in GROUPS.get(name, (name,)):
            try:
                chosen.append(next(e for e in run.ENDPOINTS if e[0] == each))
            except StopIteration:
                raise SystemExit(
                    f"No endpoint {each!r}: one of {', '.join(e[0] for e in run.ENDPOINTS)}, "
                    f"a group ({', '.join(GROUPS)}) or a path"
                ) from None
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("size")
    parser.add_argument("endpoint", help="names (comma-separated), a group, or a path")
    parser.add_argument("--as", dest="person", choices=PEOPLE, help="who asks for a path")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--cpu-profile",
        type=int,
        metavar="N",
        help="cProfile on this process's CPU clock (not waiting on PostgreSQL): the N "
        "functions with most CPU time of their own, and the N with most in all they call",
    )
    parser.add_argument(
        "--pstats",
        metavar="FILE",
        help="with --cpu-profile: also save each page's profile (pstats) as FILE.<page>",
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each SELECT")
    parser.add_argument(
        "--explain-repeat",
        type=int,
        default=1,
        metavar="N",
        help="with --explain: each SELECT N times, the plan once and the times of each (the "
        "least of them is what the machine's other load disturbs least)",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="requests to time (and profile); means are printed"
    )
    parser.add_argument("--quiet", action="store_true", help="no statements, only the figures")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()

    from sqlalchemy import event, text

    from config import ProductionConfig
    from grants import create_app
    from grants.extensions import db

    class BenchConfig(ProductionConfig):
        SECRET_KEY = run.SECRET_KEY
        SQLALCHEMY_DATABASE_URI = run.sqlalchemy_url(run.db_url(args.size))
        SERVER_NAME = f"127.0.0.1:{run.PORT}"

    ids = run.find_ids(args.size)
    app = create_app(BenchConfig)
    statements: list[list] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append([time.perf_counter() - conn.info["t"], statement, parameters])

    servers: set[int] = set()  # PostgreSQL's server processes of this process's connections

    def checkout(dbapi_connection, record, proxy):
        servers.add(dbapi_connection.info.backend_pid)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        event.listen(db.engine, "checkout", checkout)
    base = "https://localhost"
    clients: dict = {}

    def client_for(person):
        if person in clients:
            return clients[person]
        client = clients[person] = app.test_client()
        if person:
            page = client.get("/log-ind", base_url=base).data
            token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
            client.post(
                "/log-ind",
                base_url=base,
                headers={"Referer": base + "/log-ind"},
                data={"csrf_token": token, "email": person[0], "password": person[1]},
            )
        return client

    figures = {}
    repeat = max(args.repeat, 1)
    for name, path, person in targets(args.endpoint, args.person):
        path = path.format(**ids)
        client = client_for(person)
        for _warm_up in range(3):
            client.get(path, base_url=base)
        cpu_each: list[float] = []

        def requests(client=client, path=path, cpu_each=cpu_each):
            for _ in range(repeat):
                statements.clear()
                cpu = time.process_time()
                response = client.get(path, base_url=base)
                cpu_each.append(time.process_time() - cpu)
            return response

        pg_before = pg_cpu(servers)
        started = time.perf_counter()
        if args.profile:
            from pyinstrument import Profiler

            with Profiler(interval=0.0005) as profiler:
                response = requests()
        elif args.cpu_profile:
            cProfile = stdlib_cprofile()
            cpu_profiler = cProfile.Profile(time.process_time)
            response = cpu_profiler.runcall(requests)
        else:
            response = requests()
        total = (time.perf_counter() - started) / repeat
        cpu = sum(cpu_each) / repeat
        pg_after = pg_cpu(servers)
        pg = (
            (sum(pg_after.values()) - sum(pg_before.get(pid, 0.0) for pid in pg_after)) / repeat
            if pg_after
            else None
        )
        sql = sum(s[0] for s in statements)
        figures[name] = {
            "path": path,
            "status": response.status_code,
            "bytes": len(response.data),
            "wall_ms": round(total * 1000, 2),
            "cpu_ms": round(cpu * 1000, 2),
            "cpu_median_ms": round(statistics.median(cpu_each) * 1000, 2),
            # The least a request took: what the machine's other load adds least to.
            "cpu_min_ms": round(min(cpu_each) * 1000, 2),
            "statements": len(statements),
            "sql_ms": round(sql * 1000, 2),
            "pg_cpu_ms": None if pg is None else round(pg * 1000, 2),
        }
        print(
            f"{path}: {response.status_code}, {len(response.data)} bytes, {total * 1000:.1f} ms "
            f"({cpu * 1000:.1f} ms CPU in this process, median "
            f"{statistics.median(cpu_each) * 1000:.1f}) a request over {repeat}, "
            f"{len(statements)} statements, {sql * 1000:.1f} ms in SQL"
            + ("" if pg is None else f", {pg * 1000:.1f} ms of PostgreSQL's CPU"),
            flush=True,
        )
        if not args.quiet:
            for seconds, statement, parameters in statements:
                print(f"--- {seconds * 1000:.1f} ms  {parameters!r:.200}\n{statement[:1500]}")
        if args.explain:
            with app.app_context():
                for _s, statement, parameters in statements:
                    if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                        print("=== " + statement[:120].replace("\n", " "))
                        for again in range(max(args.explain_repeat, 1)):
                            raw = (
                                db.session.connection()
                                .exec_driver_sql(
                                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
                                )
                                .all()
                            )
                            lines = [r[0] for r in raw]
                            if again:
                                lines = [line for line in lines if line.endswith(" ms")][-2:]
                            print("\n".join(lines))
                db.session.execute(text("SELECT 1"))
        if args.profile:
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        if args.cpu_profile:
            import pstats

            if args.pstats:
                cpu_profiler.dump_stats(f"{args.pstats}.{name}")
            stats = pstats.Stats(cpu_profiler).strip_dirs()
            stats.sort_stats("tottime").print_stats(args.cpu_profile)
            stats.sort_stats("cumulative").print_stats(args.cpu_profile)
    if len(figures) > 1:
        print(
            f"\n{'page':<16} {'CPU ms':>7} {'median':>7} {'wall ms':>8} {'SQL':>4} {'SQL ms':>7}"
            f" {'PG ms':>6}"
        )
        for name, f in figures.items():
            pg_ms = "-" if f["pg_cpu_ms"] is None else f"{f['pg_cpu_ms']:.1f}"
            print(
                f"{name:<16} {f['cpu_ms']:>7.1f} {f['cpu_median_ms']:>7.1f} {f['wall_ms']:>8.1f} "
                f"{f['statements']:>4} {f['sql_ms']:>7.1f} {pg_ms:>6}"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
