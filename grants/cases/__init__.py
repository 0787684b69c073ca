"""The case as a record: the application, its budget lines and attachments, its states.

Below every package that reads a case (the budgets, the letters, the organisations, the
subsidies), and above nothing but the core: it holds data and its vocabulary, no behaviour.
What is done with a case (forms, pages, operations) is ``grants.applications``; how it moves
along its route is ``grants.workflow``.
"""
