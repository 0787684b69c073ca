"""Budgets as a ledger: every movement of money is an appended entry; balances are sums."""
