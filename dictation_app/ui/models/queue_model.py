"""The table the queue pane shows: one row per job of the core file queue."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from dictation_app.core.file_queue import FileQueue, JobAdded, JobChanged, JobsRemoved, JobState, QueueEvent

__all__ = ["QueueModel", "ProgressRole"]

ProgressRole = Qt.ItemDataRole.UserRole + 1


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    return (
        f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if seconds >= 3600
        else f"{seconds // 60}:{seconds % 60:02d}"
    )


class QueueModel(QAbstractTableModel):
    COLUMNS = ("File", "Duration", "Progress", "Elapsed", "Remaining", "Status")
    PROGRESS_COLUMN = 2

    def __init__(self, queue: FileQueue, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs = list(queue.jobs)  # the rows shown; follows the queue's events
        self.queue = queue
        queue.subscribe(self._on_event)

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

    # -- following the queue -------------------------------------------------------------

    def _on_event(self, event: QueueEvent) -> None:
        if isinstance(event, JobAdded):
            self.beginInsertRows(QModelIndex(), len(self.jobs), len(self.jobs))
            self.jobs.append(event.job)
            self.endInsertRows()
        elif isinstance(event, JobChanged) and event.job in self.jobs:
            self.touch(event.job)
        elif isinstance(event, JobsRemoved):
            self.beginResetModel()
            self.jobs = list(self.queue.jobs)
            self.endResetModel()

    def touch(self, job) -> None:
        row = self.jobs.index(job)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
