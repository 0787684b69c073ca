"""What a person has typed into a form and not yet saved or sent: kept server-side, per
person and per form, so it survives a closed browser, another device and a refused form."""
