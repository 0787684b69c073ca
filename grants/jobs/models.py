from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.auditing import NOT_AUDITED
from grants.core.models import enum_type
from grants.extensions import Model


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # every item went through
    FAILED = "failed"  # finished, with at least one item failed (see results)


class Job(Model):
    """A piece of work of many items, done outside the request; counts kept as it runs."""

    __tablename__ = "job"
    # Machinery: what a job does writes its own events.
    __audit__ = NOT_AUDITED

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.QUEUED)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    # Per item: {"<item id>": {"status": "done" | "failed", "error": "..."}}
    results: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Moved on at every item: a running job whose last sign of life is long ago has died with
    # its process and is started again (grants.jobs.runner.restart_stalled).
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # How many times it was started again after dying.
    restarts: Mapped[int] = mapped_column(default=0)

    created_by = relationship("User")

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": str(self.status),
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "finished": self.finished,
            "results": self.results or {},
        }
