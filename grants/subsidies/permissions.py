"""Who may edit the rule sets of the youth subsidies (grants.core.access)."""

from __future__ import annotations

from grants.core import access
from grants.people.models import Role

RULE_EDITORS = (Role.ADMIN,)


@access.rule("rules.edit")
def can_edit_rules(user, _obj=None, **_) -> bool:
    return user.has_role(*RULE_EDITORS)
