"""Why is a page slow? Its SQL statements with their times, and a pyinstrument profile.

    .venv/bin/python bench/profile.py 100k queue [--profile] [--explain]

Endpoint names as in bench/run.py. Uses the Flask test client in the production config.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("size")
    parser.add_argument("endpoint")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each SELECT")
    parser.add_argument(
        "--repeat", type=int, default=1, help="requests to time (and profile); means are printed"
    )
    args = parser.parse_args()

    from sqlalchemy import event, text

    from config import ProductionConfig
    from grants import create_app
    from grants.extensions import db

    class BenchConfig(ProductionConfig):
        SECRET_KEY = run.SECRET_KEY
        SQLALCHEMY_DATABASE_URI = run.sqlalchemy_url(run.db_url(args.size))

    ids = run.find_ids(args.size)
    _name, path, person = next(e for e in run.ENDPOINTS if e[0] == args.endpoint)
    path = path.format(**ids)
    app = create_app(BenchConfig)
    statements: list[list] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["t"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append([time.perf_counter() - conn.info["t"], statement, parameters])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
    client = app.test_client()
    base = "https://localhost"
    if person:
        page = client.get("/log-ind", base_url=base).data
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        client.post(
            "/log-ind",
            base_url=base,
            headers={"Referer": base + "/log-ind"},
            data={"csrf_token": token, "email": person[0], "password": person[1]},
        )
    for _warm_up in range(3):
        client.get(path, base_url=base)
    statements.clear()
    repeat = max(args.repeat, 1)

    def requests():
        for _ in range(repeat):
            statements.clear()
            response = client.get(path, base_url=base)
        return response

    started = time.perf_counter()
    cpu_started = time.process_time()
    if args.profile:
        from pyinstrument import Profiler

        with Profiler(interval=0.0005) as profiler:
            response = requests()
    else:
        response = requests()
    total = (time.perf_counter() - started) / repeat
    cpu = (time.process_time() - cpu_started) / repeat
    print(
        f"{path}: {response.status_code}, {len(response.data)} bytes, {total * 1000:.1f} ms "
        f"({cpu * 1000:.1f} ms CPU in this process) a request over {repeat}, "
        f"{len(statements)} statements, {sum(s[0] for s in statements) * 1000:.1f} ms in SQL"
    )
    for seconds, statement, parameters in statements:
        print(f"--- {seconds * 1000:.1f} ms  {parameters!r:.200}\n{statement[:1500]}")
    if args.explain:
        with app.app_context():
            for _s, statement, parameters in statements:
                if statement.lstrip().upper().startswith("SELECT"):
                    raw = (
                        db.session.connection()
                        .exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                        .all()
                    )
                    print("=== " + statement[:120].replace("\n", " "))
                    print("\n".join(r[0] for r in raw))
            db.session.execute(text("SELECT 1"))
    if args.profile:
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
