"""The core's `flask` commands: the backups and the database roles. Each domain registers its
own commands (``register(app)`` in its cli module, called by ``create_app``)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask


def register(app: Flask, app_factory: Callable[[dict], Flask]) -> None:
    """``app_factory`` builds another app (on a scratch database): ``grants.create_app``."""
    from grants.core import backup, database_roles

    backup.register(app, app_factory)
    database_roles.register(app)
