"""A municipality by configuration: its profile (the municipality, partner cities, funds with
their rules, letter texts and questions) exported and imported as one TOML or JSON file.
The shipped profiles are in this folder; ``flask demo load`` uses ``ballerup.toml``."""
