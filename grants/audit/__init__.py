"""The audit trail: who did what, and when, across the whole system, appended and never
changed. It is fed from the records the domain already writes (journal entries, ledger
entries, letters, login attempts, role grants, memberships, rule sets, budget events), so no
operation can forget it."""
