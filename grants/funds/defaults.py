"""A new fund's settings where nothing else is said: the one place for them. The model's
column defaults, the administrator's form for a new fund, the profile import (and so the
demo, which imports the Ballerup profile) all read these."""

from __future__ import annotations

from decimal import Decimal

# Report and accounts are due this many days after the return date (six weeks).
REPORT_DUE_DAYS = 42
# The reminder about the report comes this many days before the deadline.
REMIND_DAYS_BEFORE = 7
# A refund claimed at settlement is due this many days after the settlement.
REFUND_DAYS = 30
DELEGATED_LIMIT = Decimal(0)
YEARLY_BUDGET = Decimal(0)

FUND_DEFAULTS = {
    "report_due_days": REPORT_DUE_DAYS,
    "remind_days_before": REMIND_DAYS_BEFORE,
    "refund_days": REFUND_DAYS,
    "delegated_limit": DELEGATED_LIMIT,
    "yearly_budget": YEARLY_BUDGET,
}

# How a fund's cases are filed in the ESDH (grants.esdh): the KLE number (emnenummer) as
# 00.00.00 and the handling code (handlingsfacet) as a capital letter and two digits. The
# administrator's form and the profile import check both by these.
KLE_NUMBER_PATTERN = r"^\d{2}\.\d{2}\.\d{2}$"
HANDLING_CODE_PATTERN = r"^[A-Z]\d{2}$"
