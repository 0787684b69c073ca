"""What the subsidy engine gives: the amount, its working line by line (``Line``), what the
rules cannot allow (``Problem``), and the whole kept as plain dicts with its facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from grants.core.formatting import money
from grants.core.money import ZERO
from grants.subsidies.facts import Trip


@dataclass(frozen=True)
class Line:
    label: str
    working: str  # the arithmetic, as a person reads it
    amount: Decimal
    code: str = ""  # rate, per_application, per_partner_city, host_grant, cost_share, cap_...


@dataclass(frozen=True)
class Problem:
    """Something the rules cannot allow, said plainly; ``field`` is the form field (see
    ``grants.subsidies.calculation.FORM_FIELDS``) it is about."""

    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class Calculation:
    lines: tuple[Line, ...]
    total: Decimal
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()  # worth knowing, but not in the way (e.g. leaders limited)
    counted_persons: int = 0
    young: int = 0  # counted participants (under the age limit, or all without one)
    leaders_counted: int = 0
    leaders_allowed: int | None = None
    disabled_counted: int = 0
    nights: int = 0
    days: int = 0
    rules_applied: tuple[str, ...] = ()
    # Set by grants.subsidies.calculation when the rules came from a stored rule set.
    rule_set_id: int | None = None
    rule_set_version: int | None = None
    rule_set_name: str = ""
    # The facts it was computed from (set by ``compute``): what a case keeps.
    trip: Trip | None = None

    @property
    def eligible(self) -> bool:
        """The rules allow a grant: nothing stands in the way (a caseworker may still
        grant a dispensation from a problem, on the concrete application)."""
        return not self.problems

    @property
    def allowed_total(self) -> Decimal:
        """What the rules give as the facts stand: the total, or nothing if a problem."""
        return self.total if self.eligible else ZERO

    def as_dict(self) -> dict:
        """JSON-safe: for the form's live calculation and to keep with the case."""
        return {
            "lines": [
                {
                    "code": line.code,
                    "label": line.label,
                    "working": line.working,
                    "amount": str(line.amount),
                    "amount_text": money(line.amount),
                }
                for line in self.lines
            ],
            "total": str(self.total),
            "total_text": money(self.total),
            "eligible": self.eligible,
            "problems": [
                {"code": p.code, "message": p.message, "field": p.field} for p in self.problems
            ],
            "notes": list(self.notes),
            **self._counts(),
            "rules_applied": list(self.rules_applied),
        }

    def _counts(self) -> dict:
        """Who and what was counted, and the rule set: kept and shown alike."""
        return {
            "counted_persons": self.counted_persons,
            "young": self.young,
            "leaders_counted": self.leaders_counted,
            "leaders_allowed": self.leaders_allowed,
            "disabled_counted": self.disabled_counted,
            "nights": self.nights,
            "days": self.days,
            "rule_set": (
                {
                    "id": self.rule_set_id,
                    "version": self.rule_set_version,
                    "name": self.rule_set_name,
                }
                if self.rule_set_id is not None
                else None
            ),
        }

    def facts(self) -> dict:
        """What a case keeps: the numbers, the rule set and the trip's facts, no text. The
        working is written for each reader, in their language, when it is shown
        (``grants.subsidies.calculation.shown``)."""
        return {
            "format": FACTS_FORMAT,
            "trip": self.trip.as_facts() if self.trip is not None else None,
            "lines": [{"code": line.code, "amount": str(line.amount)} for line in self.lines],
            "total": str(self.total),
            "eligible": self.eligible,
            "problems": [{"code": p.code, "field": p.field} for p in self.problems],
            **self._counts(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Calculation:
        """A calculation kept with a case (``as_dict``), e.g. for the decision letter."""
        rule_set = data.get("rule_set") or {}
        return cls(
            lines=tuple(
                Line(item["label"], item["working"], Decimal(item["amount"]), item.get("code", ""))
                for item in data.get("lines", [])
            ),
            total=Decimal(data.get("total", "0.00")),
            problems=tuple(
                Problem(item["code"], item["message"], item.get("field"))
                for item in data.get("problems", [])
            ),
            notes=tuple(data.get("notes", [])),
            counted_persons=data.get("counted_persons", 0),
            young=data.get("young", 0),
            leaders_counted=data.get("leaders_counted", 0),
            leaders_allowed=data.get("leaders_allowed"),
            disabled_counted=data.get("disabled_counted", 0),
            nights=data.get("nights", 0),
            days=data.get("days", 0),
            rules_applied=tuple(data.get("rules_applied", [])),
            rule_set_id=rule_set.get("id"),
            rule_set_version=rule_set.get("version"),
            rule_set_name=rule_set.get("name", ""),
        )


#: The shape of ``Calculation.facts``; a stored dict without it is from before (text).
FACTS_FORMAT = 2
