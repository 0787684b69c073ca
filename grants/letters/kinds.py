"""Every kind of letter the app issues, in one registry: what people call it, the template
it is rendered from, the start of its file name, the language it is written in and the
fund's own text it carries. ``grants.letters.operations.issue`` issues each of them, and
only through it is a letter made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class LetterKind:
    code: str  # Letter.kind; a case has at most one letter of each kind
    label: LazyString  # as people call it (the case page, the case file)
    template: str  # rendered with ``letter`` (the facts) and ``language``
    filename: str  # the file name's start; the case number follows
    # The fund's own text (grants.letters.texts) the letter carries, by its outcome read from
    # the facts; None: no fund text.
    text_outcome: Callable[[dict], str] | None = None
    # A fixed language (the published report is the municipality's own, in Danish); None:
    # the recipient's language.
    language: str | None = None


DECISION = "decision"
SETTLEMENT = "settlement"
REPORT = "report"

KINDS: dict[str, LetterKind] = {
    kind.code: kind
    for kind in (
        LetterKind(
            DECISION,
            _l("Afgørelsesbrev"),
            "letters/decision.html",
            "afgoerelse",
            text_outcome=lambda facts: facts["outcome"],
        ),
        LetterKind(
            SETTLEMENT,
            _l("Afregningsbrev"),
            "letters/settlement.html",
            "afregning",
            text_outcome=lambda facts: SETTLEMENT,
        ),
        LetterKind(
            REPORT,
            _l("Godkendt rapport og regnskab"),
            "reports/report_pdf.html",
            "rapport",
            language="da",
        ),
    )
}

#: code -> label, for the templates.
LETTER_KINDS = {code: kind.label for code, kind in KINDS.items()}


def kind_label(kind: str) -> str:
    return str(LETTER_KINDS.get(kind, kind))
