"""A letter issued by a fund with Digital Post is sent (grants.delivery.operations).
Listed in ``grants.SUBSCRIBER_MODULES``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grants.delivery import operations
from grants.letters.signals import letter_issued

if TYPE_CHECKING:
    from grants.cases.models import Application
    from grants.letters.models import Letter
    from grants.people.models import User


@letter_issued.connect
def _send_letter(application: Application, *, letter: Letter, actor: User, **_facts: object):
    operations.queue(application, letter, actor)
