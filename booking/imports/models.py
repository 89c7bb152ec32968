"""CSV imports as background jobs: one row per uploaded file (``import_jobs``).

- The upload inserts the row (``queued``) with the file itself; ``dedupe_key`` (kind, uploader, the
  file's SHA-256) is UNIQUE, so the same file sent twice (a double click, a second tab) finds the
  first job instead of importing again. A job that ended without importing (bad rows, a crash)
  gives its key up, so the corrected file, or the same one later, can be sent again.
- A worker claims the job with a compare-and-set (``queued`` → ``running``, its name in
  ``claimed_by``): exactly one worker wins. The rows, the audit entry and ``done`` commit in one
  transaction whose UPDATE names the claimer, so a worker that lost its claim writes nothing.
- Generated passwords are never stored: ``password_seed`` (with the app's SECRET_KEY) derives them
  again for the one download, which clears the seed.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.accounts.models import User
from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.enums import db_enum
from booking.extensions import db


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # every row imported
    FAILED = "failed"  # nothing imported: bad rows (``errors``), an unreadable file or a crash (``message``)


FINISHED = (ImportStatus.DONE, ImportStatus.FAILED)


class ImportJob(db.Model):
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(255), default="")
    file_sha256: Mapped[str] = mapped_column(String(64))
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[ImportStatus] = mapped_column(db_enum(ImportStatus, "import_status"), default=ImportStatus.QUEUED,
                                                 index=True)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)  # the file, dropped when the job ends
    steps_total: Mapped[int] = mapped_column(Integer, default=0)
    steps_done: Mapped[int] = mapped_column(Integer, default=0)
    imported_count: Mapped[int] = mapped_column(Integer, default=0)
    errors_json: Mapped[str] = mapped_column(Text, default="")  # [{row, column, message}], in the uploader's language
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(500), default="")  # why a file failed as a whole
    generated_json: Mapped[str] = mapped_column(Text, default="")  # [[email, display name]] given generated passwords
    password_seed: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return int(100 * self.steps_done / self.steps_total) if self.steps_total else 0
