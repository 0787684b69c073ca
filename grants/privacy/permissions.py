"""Who may take out a person's data (grants.core.access)."""

from __future__ import annotations

from grants.core import access


@access.rule("privacy.own_data")
def can_export_own_data(user, person, **_) -> bool:
    """A person takes out their own data, nobody else's."""
    return person is not None and person.id == user.id
