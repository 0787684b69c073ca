"""The core's `flask` commands: the backups and the database roles. Each domain registers its
own commands (``register(app)`` in its cli module, called by ``create_app``)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from grants.core import backup, database_roles

    backup.register(app)
    database_roles.register(app)
