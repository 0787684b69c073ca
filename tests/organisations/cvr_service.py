"""A stand-in for Erhvervsstyrelsen's CVR register on loopback, for the tests and for trying
the app offline: a real HTTP server that answers the system-to-system search as the register
does, from responses recorded in ``cvr_records/<cvr>.json`` (fictional associations in the
register's format). It checks what the real one checks: basic authentication and a POST whose
query is a term query on ``Vrvirksomhed.cvrNummer``.

    with CvrService(user="ballerup", password="hemmelig") as service:
        app.config["CVR_REGISTER_URL"] = service.url
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.serving import SERVE

RECORDS = Path(__file__).with_name("cvr_records")
EMPTY = {"took": 1, "timed_out": False, "hits": {"total": 0, "max_score": None, "hits": []}}


class CvrService:
    def __init__(self, user: str = "ballerup", password: str = "hemmelig"):
        self.user = user
        self.password = password
        self.queries: list[dict] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # noqa: N802 (http.server's name)
                expected = base64.b64encode(f"{service.user}:{service.password}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    return self._answer(401, {"error": "unauthorized"})
                if not self.path.endswith("/cvr-permanent/virksomhed/_search"):
                    return self._answer(404, {"error": "no such index"})
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    query = json.loads(self.rfile.read(length))
                    cvr = int(query["query"]["term"]["Vrvirksomhed.cvrNummer"])
                except (ValueError, KeyError, TypeError):
                    return self._answer(400, {"error": "parsing_exception"})
                service.queries.append(query)
                record = RECORDS / f"{cvr:08d}.json"
                self._answer(200, json.loads(record.read_text()) if record.exists() else EMPTY)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cvr-permanent/virksomhed/_search"

    def __enter__(self) -> CvrService:
        threading.Thread(target=self.server.serve_forever, kwargs=SERVE, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
