"""The grantee's report and accounts.

A draft may be saved half-filled (what is there must be valid); submitting asks for all of
it: the three texts, the participants, at least one line of accounts and, when costs are
claimed, at least one receipt. Youth subsidies ask for counts only, never names.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from grants.applications.forms import (
    BUDGET_CATEGORIES,
    BudgetLines,
    budget_line,
    checked_birth_years,
)
from grants.cases.models import BudgetCategory
from grants.core.forms import Form
from grants.core.money import ZERO

LONG = 5000

REQUIRED_TEXTS = {
    "what_was_done": _l("Beskriv hvad I lavede på rejsen."),
    "what_was_learned": _l("Beskriv hvad I har lært."),
    "how_it_will_be_used": _l("Beskriv hvordan I vil bruge det, I har lært."),
}

_COUNT = [Optional(), NumberRange(0, 1000, _l("Skriv et antal fra 0 til 1.000."))]


class ReportForm(BudgetLines, Form):
    """One form for every fund; ``youth`` says which participant fields apply (the others
    are not shown and not read)."""

    what_was_done = TextAreaField(_l("Hvad lavede I?"), [Optional(), Length(max=LONG)])
    what_was_learned = TextAreaField(_l("Hvad har I lært?"), [Optional(), Length(max=LONG)])
    how_it_will_be_used = TextAreaField(
        _l("Hvordan vil I bruge det?"), [Optional(), Length(max=LONG)]
    )
    actual_departure = DateField(_l("Faktisk afrejse"), [Optional()])
    actual_return = DateField(_l("Faktisk hjemkomst"), [Optional()])

    # Staff and politicians' trips: who travelled.
    participant_names = TextAreaField(
        _l("Hvem deltog?"),
        [Optional(), Length(max=2000)],
        description=_l("Navn og stilling på hver deltager."),
    )
    participant_count = IntegerField(
        _l("Antal deltagere"),
        [Optional(), NumberRange(1, 200, _l("Skriv et antal fra 1 til 200."))],
    )

    # Youth subsidies: counts only.
    # The rules' age limit goes into the label where the form is made (young_count_label).
    actual_young = IntegerField(_l("Antal børn og unge under aldersgrænsen, der deltog"), _COUNT)
    actual_birth_years = StringField(
        _l("Eller: deltagernes fødselsår"),
        [Optional(), Length(max=5000)],
        description=_l("Fx 2008, 2009, 2009. Ingen navne."),
    )
    actual_leaders = IntegerField(_l("Antal ledere, der deltog"), _COUNT)
    actual_disabled = IntegerField(_l("Antal deltagere med handicap (uanset alder)"), _COUNT)
    actual_host_group_size = IntegerField(_l("Antal personer i gruppen, I var værter for"), _COUNT)

    transport, transport_note = budget_line(BudgetCategory.TRANSPORT)
    accommodation, accommodation_note = budget_line(BudgetCategory.ACCOMMODATION)
    fees, fees_note = budget_line(BudgetCategory.FEES)
    meals, meals_note = budget_line(BudgetCategory.MEALS)
    per_diem, per_diem_note = budget_line(BudgetCategory.PER_DIEM)
    other, other_note = budget_line(BudgetCategory.OTHER)

    receipts = MultipleFileField(
        _l("Kvitteringer"),
        description=_l(
            "PDF eller billede (PNG, JPEG). Du kan vælge flere filer på én gang. "
            "Filer, du allerede har vedhæftet, bliver på sagen."
        ),
    )

    def __init__(self, *args, application, youth: bool = False, hosting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.youth = youth
        self.hosting = hosting
        # The granted case, whose trip the actual dates are checked against.
        self.application = application
        self.parsed_birth_years: list[int] | None = None

    # -- the accounts --------------------------------------------------------------------
    def account_fields(self):
        for category, label in BUDGET_CATEGORIES:
            yield category, label, self[category.value], self[f"{category.value}_note"]

    def actual_total(self) -> Decimal:
        return sum((f.data or ZERO for _c, _label, f, _n in self.account_fields()), ZERO)

    def has_account_line(self) -> bool:
        return any(f.data is not None for _c, _label, f, _n in self.account_fields())

    def uploads(self) -> list:
        return [f for f in (self.receipts.data or []) if getattr(f, "filename", "")]

    # -- validation ----------------------------------------------------------------------
    def validate(self, extra_validators=None, submitting: bool = False) -> bool:
        ok = super().validate(extra_validators)
        self._check_dates(submitting)
        if self.youth:
            self.parsed_birth_years = checked_birth_years(self.actual_birth_years)
        return ok and not self.errors

    def _check_dates(self, submitting: bool) -> None:
        """The actual dates against the granted trip (grants.reports.report)."""
        from grants.reports.report import date_problems

        if self.actual_departure.errors or self.actual_return.errors:
            return
        problems = date_problems(
            self.application,
            self.actual_departure.data,
            self.actual_return.data,
            submitting=submitting,
        )
        for name, message in problems.items():
            self[name].errors.append(message)

    def validate_for_submission(self, has_receipts: bool) -> bool:
        """Everything a report needs; ``has_receipts``: receipts already on the case."""
        ok = self.validate(submitting=True)
        for name, message in REQUIRED_TEXTS.items():
            field = self[name]
            if not (field.data or "").strip() and not field.errors:
                field.errors.append(message)
                ok = False
        for name, message in (
            ("actual_departure", _l("Skriv datoen for afrejsen.")),
            ("actual_return", _l("Skriv datoen for hjemkomsten.")),
        ):
            if self[name].data is None and not self[name].errors:
                self[name].errors.append(message)
                ok = False
        if self.youth:
            if self.hosting:
                if not self.actual_host_group_size.data and not self.actual_host_group_size.errors:
                    self.actual_host_group_size.errors.append(
                        _l("Skriv hvor mange personer gruppen var.")
                    )
                    ok = False
            elif (
                not self.actual_young.data
                and not self.parsed_birth_years
                and not self.actual_disabled.data
                and not self.actual_young.errors
                and not self.actual_birth_years.errors
            ):
                self.actual_young.errors.append(
                    _l("Skriv hvor mange børn og unge der deltog, eller deres fødselsår.")
                )
                ok = False
        elif not self.participant_count.data and not self.participant_count.errors:
            self.participant_count.errors.append(_l("Skriv hvor mange der deltog."))
            ok = False
        if not self.has_account_line():
            if not self.transport.errors:
                self.transport.errors.append(_l("Skriv mindst én faktisk udgift i regnskabet."))
            ok = False
        elif self.actual_total() > 0 and not has_receipts and not self.uploads():
            self.receipts.errors.append(_l("Vedhæft kvitteringer for udgifterne."))
            ok = False
        return ok
