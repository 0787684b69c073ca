"""The case journal's entries for what happens to a case outside its route: the packages
below the workflow send an event (grants.core.events) and never import the journal. Listed
in ``grants.SUBSCRIBER_MODULES``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grants.budgets.signals import budget_year_moved
from grants.letters.signals import letter_issued
from grants.organisations.signals import representative_removed
from grants.workflow import interest
from grants.workflow.engine import record
from grants.workflow.journal_texts import note

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.letters.models import Letter
    from grants.people.models import User


@letter_issued.connect
def _letter_issued(
    application: Application,
    *,
    letter: Letter,
    actor: User,
    timestamp_missing: str | None = None,
    **_facts: object,
) -> None:
    record(application, "letter_issued", actor, comment=letter.filename)
    if timestamp_missing is not None:
        record(
            application,
            "letter_sealed_without_timestamp",
            None,
            details=note(
                "letter_sealed_without_timestamp",
                letter=letter.filename,
                error=timestamp_missing,
            ),
            visible_to_applicant=False,
        )


@budget_year_moved.connect
def _budget_year_moved(
    application: Application, *, year: int, to: int, actor: User, **_facts: object
) -> None:
    record(
        application,
        "budget_year_moved",
        actor,
        details=note("budget_year_moved", year=year, to=to),
        visible_to_applicant=False,
    )


@representative_removed.connect
def _representative_removed(
    application: Application, *, removed: User, contact: User, actor: User, **_facts: object
) -> None:
    record(
        application,
        "representative_removed",
        actor,
        details=note(
            "representative_removed",
            person=removed.name,
            contact=contact.name,
            person_id=removed.id,  # still a party: never handles the case (workflow.interest)
        ),
    )
    interest.forget()
