"""Notifications: e-mails queued in the same transaction as the step that causes them and
sent after it commits (an outbox), so a rolled-back step never sends anything."""
