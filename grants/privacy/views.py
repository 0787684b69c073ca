"""A person's own data, as one archive (the purge command is in grants/privacy/cli.py)."""

from __future__ import annotations

from flask import Blueprint, send_file
from flask_login import current_user, login_required

from grants.core import access
from grants.core.commit import keep_writes
from grants.privacy import operations

bp = Blueprint("privacy", __name__)


@bp.get("/konto/mine-data.zip")
@login_required
def my_data():
    """Everything the system holds about the person as applicant, as one archive."""
    import io

    from grants.audit.models import write_event

    access.require(current_user, "privacy.own_data", current_user)
    data = operations.export_for(current_user)
    # Who took out personal data, and when.
    write_event("privacy.own_data_exported", "user", current_user.id, actor=current_user)
    keep_writes()
    response = send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name="mine-data.zip",
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
