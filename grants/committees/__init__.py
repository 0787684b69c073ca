"""Committees: their members, meetings and agendas, conflict of interest, and the decisions
they take on the cases put before them (and on their own trips)."""
