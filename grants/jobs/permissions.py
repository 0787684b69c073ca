"""Who may follow a job's progress (grants.core.access)."""

from __future__ import annotations

from grants.core import access
from grants.people.models import Role


@access.rule("job.view")
def can_view_job(user, job, meeting=None, **_) -> bool:
    """A job's progress: whoever sees what it works on (the meeting whose decisions it
    issues), the person who started it, and administrators."""
    if meeting is not None and meeting.job_id == job.id:
        return access.may(user, "meeting.view", meeting)
    return job.created_by_id == user.id or user.has_role(Role.ADMIN)
