"""The route a case travels: states, transitions and who may take them, as data.

``routes/*.toml`` hold the standard routes; they are loaded into the ``workflow_route`` and
``workflow_transition`` tables, which the engine (``engine.py``) reads. The buttons a person
sees and what the server accepts come from the same table.
"""
