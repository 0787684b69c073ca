"""The route a case travels: states, transitions and who may take them, as data.

``routes/*.toml`` hold the standard routes; they are loaded into the ``workflow_route`` and
``workflow_transition`` tables, which the engine (``engine.py``) reads. A route is written in
the workflow's states (``states.py``) and actions (``actions.py``: each action's labels, form,
page and effect; the case's own steps are registered by ``grants.applications.actions``).
The buttons a person sees and what the server accepts come from the same table and registry;
the pages that take the steps (the ``workflow`` blueprint) are ``grants.applications.steps``.
"""
