"""Domain events: a package says what happened, and the packages above it act on it.

A package that owns a fact declares its signal (``grants.workflow.signals.step_taken``,
``grants.letters.signals.letter_issued``, ...) and sends it with ``send``; a package above it
subscribes with ``@signal.connect`` in a module listed in ``grants.SUBSCRIBER_MODULES``,
which ``create_app`` imports. So the owner never imports who is told, who journals or who
audits, and the layers hold (docs/architecture.md). The pattern is Indico's (blinker).

Subscribers run at once, in the sender's call, on the same session: they add and flush,
never commit. The request commits once (``grants.commit_once``), so a step, its journal
entry, its audit event and its queued e-mails are written together or not at all, and the
e-mails go out after that commit.
"""

from __future__ import annotations

from typing import Any

from blinker import NamedSignal, Namespace

_signals = Namespace()


def signal(name: str, doc: str) -> NamedSignal:
    """Declare the signal ``name`` ("package.what-happened"); ``doc`` says what it carries."""
    return _signals.signal(name, doc)


class NobodyListens(RuntimeError):
    """An event that must have a subscriber was sent with none connected: the mail or the
    journal entry it causes would be lost without a word."""


def send(event: NamedSignal, sender: Any, **facts: Any) -> None:
    """Tell ``event``'s subscribers; refuse if there are none (see ``NobodyListens``)."""
    if not event.receivers:
        raise NobodyListens(
            f"Nothing subscribes to {event.name!r}: was the app made with create_app "
            "(grants.SUBSCRIBER_MODULES)?"
        )
    event.send(sender, **facts)
