"""Shared plumbing: money, dates, the one-commit-per-request rule, files, health check."""
