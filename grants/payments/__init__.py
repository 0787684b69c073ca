"""Payments and refunds for the finance officer: the grants ready for payment, the refund
claims outstanding, the CSV for the finance system, and marking each paid (or received)
with its date and voucher number as an entry on the ledger."""
