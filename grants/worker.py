"""What an RQ worker runs for a queued job (``grants.jobs.runner.enqueue`` names it by its
dotted name): the worker is its own process, so it builds its own app (from the environment,
or the ``config`` the web process passed, e.g. the tests' database) and runs the job in it.

It sits beside ``create_app`` in the composition root, so that ``jobs`` never imports the app.
"""

from __future__ import annotations

from grants import create_app
from grants.extensions import db
from grants.jobs.runner import run


def run_in_worker(job_id: int, config: dict | None = None, part: int = 0, parts: int = 1) -> None:
    app = create_app(config)
    with app.app_context():
        try:
            run(job_id, part=part, parts=parts)
        finally:
            db.session.remove()
            db.engine.dispose()
