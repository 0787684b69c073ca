"""A decider in a process of its own, for the concurrency tests (multiprocessing: a fork
server that imported the app once, then forks each decider from itself).

Kept apart from the test module so that the fork server imports only the app, not pytest
and the fixtures.
"""

from __future__ import annotations


def decide_in_own_process(url, mail_folder, application_id, decider_id, barrier, results):
    """Build an app of its own, decide one application in full like a request would (one
    transaction, committed at the end, rolled back on a refusal), and report."""
    from grants import create_app
    from grants.applications.operations import decide
    from grants.cases.models import Application
    from grants.core.errors import DomainError
    from grants.extensions import db
    from grants.people.models import User

    # The lock's wait is the test's, not the app's 30 s: ten deciders queueing for the lock
    # on a machine busy with other suites (on SQLite behind each other's letters too, as the
    # first write takes the database's lock) can wait longer than that, and a decider refused
    # as "busy" is not what this test is about (the refusal has its own test).
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_FOLDER": mail_folder,
            "BUDGET_LOCK_TIMEOUT": 150,
        }
    )
    with app.app_context():
        import grants.letters.operations  # noqa: F401  - WeasyPrint loads before the start

        application = db.session.get(Application, application_id)
        decider = db.session.get(User, decider_id)
        _ = application.route.transitions, application.fund.board, decider.roles
        try:
            barrier.wait(timeout=120)
            decide(application, decider, "grant", None, "")
            db.session.commit()
            results.put((application_id, "granted", ""))
        except DomainError as error:
            db.session.rollback()
            results.put((application_id, "refused", error.message))
        except Exception as error:  # reported to the test, which fails on it
            db.session.rollback()
            results.put((application_id, "error", repr(error)))
        finally:
            db.session.remove()
            db.engine.dispose()
