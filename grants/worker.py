"""What an RQ worker runs for a queued job (``grants.jobs.runner.enqueue`` names it by its
dotted name): the worker is its own process, so it builds its own app (from the environment,
or the ``config`` the web process passed, e.g. the tests' database) and runs the job in it.

``Worker`` is the app's RQ worker class (``rq worker --worker-class grants.worker.Worker
grants``): it loads the app once, before its first job, so that each job's work horse (RQ
forks one per job) starts with it loaded.

It sits beside ``create_app`` in the composition root, so that ``jobs`` never imports the app.
"""

from __future__ import annotations

from rq import Worker as RQWorker

from grants import create_app
from grants.extensions import db
from grants.jobs.runner import run

#: A page of the letters' own kind, to load WeasyPrint's fonts and PDF writer before any job.
WARM_UP_HTML = (
    "<!doctype html><html lang='da'><head><meta charset='utf-8'><title>Klar</title>"
    "<link rel='stylesheet' href='letter.css'></head><body><h1>Afgørelse</h1>"
    "<p>Rejsetilskud: <strong>6.500,00 kr.</strong></p></body></html>"
)


def run_in_worker(job_id: int, config: dict | None = None, part: int = 0, parts: int = 1) -> None:
    app = create_app(config)
    with app.app_context():
        try:
            run(job_id, part=part, parts=parts)
        finally:
            db.session.remove()
            db.engine.dispose()


def load_once() -> None:
    """Import everything a job's app imports (its views, the SAML and e-Boks libraries,
    WeasyPrint) and render one small PDF, so that Pango's fonts and the PDF writer are
    loaded too. Connects to nothing: the app built here is thrown away, and each job builds
    its own (``run_in_worker``)."""
    from grants.letters.render import create_pdf

    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    create_pdf(WARM_UP_HTML)


class Worker(RQWorker):
    """The app's RQ worker. RQ forks a work horse for each job, and the horse imported the
    app, WeasyPrint and the SAML library afresh: about 2 s of CPU before a committee
    meeting's first letter, on every worker (``bench/meeting.py``). This worker loads them in
    its own process when it starts (``load_once``), and every horse it forks starts with
    them loaded."""

    def __init__(self, *args, **kwargs) -> None:
        load_once()
        super().__init__(*args, **kwargs)
