"""The rule files' vocabulary: their formats, the kinds of trip, cost categories and partner
city relations a rule speaks of, and how one thing wrong in a file is named (RuleError).

The bottom of the subsidies package: the rule file reader (rulefile), the engine, the
worked examples and the wording all speak it, and it imports none of them, so that reading
a rule file may run its worked examples through the engine without an import cycle."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from grants.funds.kinds import rule_set_kinds

FORMAT = 2  # the newest format; format 1 files are read as they always were
FORMATS = (1, 2)

# The kinds of trip a rule applies to: the registered fund kinds' rule-set kinds.
KINDS = rule_set_kinds()
CATEGORIES = ("transport", "accommodation", "fees", "meals", "per_diem", "other")
RELATIONS = ("twin_city", "partnership", "other")
# Format 2: a rate by the partner city's relation; "none" is a trip without a partner city.
RATE_RELATIONS = (*RELATIONS, "none")


def format_of(rules: dict) -> int:
    """The format normalised rules were written in (1 when unknown)."""
    value = rules.get("format")
    return value if value in FORMATS else 1


@dataclass(frozen=True)
class RuleError:
    """One thing wrong with a rule file: the field (``rate.amount``) and/or the line."""

    path: str
    message: str
    line: int | None = None
    file: str = ""  # the file's name, when there is one to name

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        if self.line:
            text = _("Linje %(line)d: %(text)s", line=self.line, text=text)
        return f"{self.file}: {text}" if self.file else text
