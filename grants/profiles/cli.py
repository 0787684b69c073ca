"""`flask profile export FILE` and `flask profile import FILE` (TOML or JSON)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from grants.extensions import db


def register(app: Flask) -> None:
    profile = AppGroup("profile", help="A municipality's profile: export and import.")

    @profile.command("export")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def export_command(file: Path) -> None:
        """Write the municipality, partner cities, funds, rules, letter texts and questions
        to FILE (.toml or .json)."""
        from grants.profiles.operations import export_profile, write

        write(export_profile(), file)
        click.echo(f"Profile written to {file}.")

    @profile.command("import")
    @click.argument("file")
    def import_command(file: str) -> None:
        """Set up an empty database from FILE (.toml or .json), or from a shipped profile
        by name (ballerup, kolding, aarhus, duesseldorf)."""
        from grants.profiles.operations import ProfileError, import_profile, read, shipped

        path = shipped().get(file) or Path(file)
        if not path.is_file():
            raise click.ClickException(f"No such file or shipped profile: {file}")
        try:
            municipality = import_profile(read(path))
        except ProfileError as error:
            db.session.rollback()
            raise click.ClickException(f"{path.name}: {error}") from None
        db.session.commit()
        click.echo(f"Profile of {municipality.name} imported.")

    @profile.command("list")
    def list_command() -> None:
        """The shipped profiles."""
        from grants.profiles.operations import shipped

        for name, path in shipped().items():
            click.echo(f"{name:14} {path}")

    app.cli.add_command(profile)
