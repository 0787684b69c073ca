"""Journalisation of the cases and their documents in the municipality's ESDH
(docs/integrations.md)."""
