"""The case journal's entries for what happens to a case outside its route: the packages
below the workflow send an event (grants.core.events) and never import the journal. Listed
in ``grants.SUBSCRIBER_MODULES``."""

from __future__ import annotations

from grants.letters.signals import letter_issued
from grants.workflow.engine import record


@letter_issued.connect
def _letter_issued(application, *, letter, actor, **_facts) -> None:
    record(application, "letter_issued", actor, comment=letter.filename)
