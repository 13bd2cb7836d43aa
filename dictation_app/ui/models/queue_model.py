"""The transcription queue: jobs and the table model the queue pane shows."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

__all__ = ["Job", "JobState", "QueueModel", "ProgressRole"]

ProgressRole = Qt.ItemDataRole.UserRole + 1


class JobState(Enum):
    WAITING = "Waiting"
    RUNNING = "Transcribing"
    DONE = "Done"
    FAILED = "Error"
    CANCELLED = "Cancelled"


@dataclass
class Job:
    job_id: int
    path: Path
    duration: float | None = None
    state: JobState = JobState.WAITING
    fraction: float = 0.0
    message: str = ""
    started: float = 0.0
    finished: float = 0.0
    cancel: threading.Event = field(default_factory=threading.Event)
    transcript: object = None
    probed: bool = False  # duration read (or tried): ready to run

    @property
    def elapsed(self) -> float:
        if not self.started:
            return 0.0
        return (self.finished or time.monotonic()) - self.started

    @property
    def remaining(self) -> float | None:
        if self.state is not JobState.RUNNING or self.fraction < 0.02:
            return None
        return self.elapsed * (1 - self.fraction) / self.fraction


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else f"{seconds // 60}:{seconds % 60:02d}"


class QueueModel(QAbstractTableModel):
    COLUMNS = ("File", "Duration", "Progress", "Elapsed", "Remaining", "Status")
    PROGRESS_COLUMN = 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs: list[Job] = []
        self._next_id = 1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.jobs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        job = self.jobs[index.row()]
        column = index.column()
        if role == ProgressRole:
            return None if job.state is JobState.FAILED and not job.started else job.fraction
        if role == Qt.ItemDataRole.ToolTipRole:
            return job.message or str(job.path)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == 0:
            return job.path.name
        if column == 1:
            return _clock(job.duration)
        if column == 2:
            return "" if job.state is JobState.FAILED and not job.started else f"{job.fraction:.0%}"
        if column == 3:
            return _clock(job.elapsed) if job.started else ""
        if column == 4:
            return _clock(job.remaining)
        return f"{job.state.value}: {job.message}" if job.message else job.state.value

    # -- edits from the queue controller ---------------------------------------------------

    def add(self, path: Path) -> Job:
        job = Job(self._next_id, path)
        self._next_id += 1
        self.beginInsertRows(QModelIndex(), len(self.jobs), len(self.jobs))
        self.jobs.append(job)
        self.endInsertRows()
        return job

    def job(self, job_id: int) -> Job | None:
        return next((j for j in self.jobs if j.job_id == job_id), None)

    def row_of(self, job: Job) -> int:
        return self.jobs.index(job)

    def touch(self, job: Job) -> None:
        row = self.row_of(job)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def remove_finished(self) -> None:
        keep = [j for j in self.jobs if j.state in (JobState.WAITING, JobState.RUNNING)]
        self.beginResetModel()
        self.jobs = keep
        self.endResetModel()
