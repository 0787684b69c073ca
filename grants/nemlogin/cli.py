"""flask nemlogin make-keys: a self-signed key pair for trying NemLog-in in development."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

nemlogin = AppGroup("nemlogin", help="MitID through NemLog-in (docs/login.md).")


@nemlogin.command("make-keys")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="Rejsetilskud (udvikling)", help="The certificate's name.")
def make_keys(folder: Path, name: str) -> None:
    """Write sp.key and sp.crt (self-signed, for development only: NemLog-in's environments
    want an OCES3 system certificate) into FOLDER, and say which settings point at them."""
    from grants.nemlogin.keys import write_self_signed

    key, cert = write_self_signed(folder, "sp", name)
    click.echo(f"NEMLOGIN_SP_KEY={key.resolve()}")
    click.echo(f"NEMLOGIN_SP_CERT={cert.resolve()}")


def register(app) -> None:
    app.cli.add_command(nemlogin)
