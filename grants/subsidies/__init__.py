"""Subsidy rules: per fund, versioned rule sets that are data (TOML files), and the engine that
turns a rule set and the facts of a trip into an amount with its working, line by line.

- ``rulefile``: the file format (docs/rules-format.md): reading, validating, writing.
- ``engine``: pure Python, no database: ``compute(rules, trip) -> Calculation``.
- ``models``: ``RuleSet`` (append-only versions) and ``rule_set_for(fund, day)``.
- ``operations``: importing and exporting rule sets, the shipped rule sets.
- ``calculation``: the application form's fields and ``calculate_for_form``.
- ``views``, ``cli``: the administrator's pages, the live calculation, ``flask rules``.
"""
