"""The letters' kinds as people call them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LETTER_KINDS = {
    "decision": _l("Afgørelsesbrev"),
    "settlement": _l("Afregningsbrev"),
    "report": _l("Godkendt rapport og regnskab"),
}


def kind_label(kind: str) -> str:
    return str(LETTER_KINDS.get(kind, kind))
