"""The desk: where each person starts the day (their tasks, across funds and committees) and
finds any case they may see (the search)."""
