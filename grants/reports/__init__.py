"""After the trip: the grantee's report and accounts, the caseworker's approval, the
settlement (final amount, release or refund), reminders before and after the deadline."""
