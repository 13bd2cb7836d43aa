"""The file queue: rows with progress, one file decoding at a time, Cancel / Retry / Open."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QApplication, QHBoxLayout, QHeaderView, QLabel, QPushButton, QStyle, QStyledItemDelegate,
    QStyleOptionProgressBar, QTableView, QVBoxLayout, QWidget,
)

from dictation_app.audio.decode import probe_duration
from dictation_app.engine.transcriber import TranscribeOptions
from dictation_app.errors import DictationError
from dictation_app.ui.models.queue_model import Job, JobState, ProgressRole, QueueModel
from dictation_app.ui.workers.file_queue import FileWorkerThread
from dictation_app.ui.workers.tasks import run_task

__all__ = ["QueuePane"]


class _ProgressDelegate(QStyledItemDelegate):
    def paint(self, painter, option, index: QModelIndex) -> None:
        if index.data(ProgressRole) is None:  # a file that failed before it started
            return
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        bar.minimum, bar.maximum = 0, 1000
        bar.progress = int(index.data(ProgressRole) * 1000)
        bar.text = index.data()
        bar.textVisible = True
        QApplication.style().drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class QueuePane(QWidget):
    """Owns the queue model and the worker thread.

    Args:
        options: Called when a job starts, for the transcription options of the moment.
    """

    transcript_ready = Signal(object)  # a finished (or reopened) Transcript

    def __init__(self, options: Callable[[], TranscribeOptions], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.options = options
        self.model = QueueModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(QueueModel.PROGRESS_COLUMN, _ProgressDelegate(self.view))
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda index: self.open_job(self.model.jobs[index.row()]))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.retry_button = QPushButton(self.tr("Retry"))
        self.open_button = QPushButton(self.tr("Open"))
        self.clear_button = QPushButton(self.tr("Clear finished"))
        self.cancel_button.clicked.connect(lambda: self._each_selected(self.cancel))
        self.retry_button.clicked.connect(lambda: self._each_selected(self.retry))
        self.open_button.clicked.connect(lambda: self._each_selected(self.open_job))
        self.clear_button.clicked.connect(self.model.remove_finished)
        hint = QLabel(self.tr("Drop audio or video files (or a folder) anywhere on the window, or use File > Open."))
        hint.setEnabled(False)
        buttons = QHBoxLayout()
        for b in (self.cancel_button, self.retry_button, self.open_button, self.clear_button):
            buttons.addWidget(b)
        buttons.addStretch()
        buttons.addWidget(hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(buttons)

        self.thread = FileWorkerThread(self)
        worker = self.thread.worker
        worker.progress.connect(self._on_progress)
        worker.done.connect(self._on_done)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        self.thread.start()
        self._running: Job | None = None
        self._ticker = QTimer(self, interval=500)  # elapsed/remaining columns tick while running
        self._ticker.timeout.connect(lambda: self._running and self.model.touch(self._running))

    def set_transcriber(self, transcriber) -> None:
        """Give the worker a model (on model load); waiting jobs start."""
        self.thread.worker.transcriber = transcriber  # read only between jobs, on the worker thread
        self._start_next()

    # -- user actions ---------------------------------------------------------------------

    def add_files(self, paths: list[Path]) -> list[Job]:
        jobs = []
        for path in paths:
            job = self.model.add(Path(path))
            jobs.append(job)
            run_task(self, lambda p=job.path: probe_duration(p), lambda d, j=job: self._on_probed(j, d),
                     lambda message, j=job: self._finish(j, JobState.FAILED, message))
        return jobs

    def cancel(self, job: Job) -> None:
        if job.state is JobState.WAITING:
            self._finish(job, JobState.CANCELLED)
        elif job.state is JobState.RUNNING:
            job.cancel.set()  # the worker stops after the current segment

    def retry(self, job: Job) -> None:
        if job.state in (JobState.FAILED, JobState.CANCELLED):
            job.state, job.message, job.fraction, job.started, job.finished = JobState.WAITING, "", 0.0, 0.0, 0.0
            job.probed = False
            job.cancel.clear()
            self.model.touch(job)
            run_task(self, lambda: probe_duration(job.path), lambda d: self._on_probed(job, d),
                     lambda message: self._finish(job, JobState.FAILED, message))

    def open_job(self, job: Job) -> None:
        if job.state is JobState.DONE:
            self.transcript_ready.emit(job.transcript)

    @property
    def busy(self) -> bool:
        return any(j.state in (JobState.WAITING, JobState.RUNNING) for j in self.model.jobs)

    def shutdown(self) -> None:
        """Cancel everything; the running file stops after its current segment."""
        for job in self.model.jobs:
            if job.state is JobState.WAITING:
                job.state = JobState.CANCELLED
            job.cancel.set()
        self.thread.quit()
        self.thread.wait()

    # -- the queue ------------------------------------------------------------------------

    def _each_selected(self, action: Callable[[Job], None]) -> None:
        for row in sorted({i.row() for i in self.view.selectionModel().selectedRows()}):
            action(self.model.jobs[row])

    def _on_probed(self, job: Job, duration: float | None) -> None:
        job.duration, job.probed = duration, True
        self.model.touch(job)
        self._start_next()

    def _start_next(self) -> None:
        if self._running is not None or self.thread.worker.transcriber is None:
            return
        job = next((j for j in self.model.jobs if j.state is JobState.WAITING), None)
        if job is None or not job.probed:  # files go in the order they were added
            return
        try:
            options = self.options()
        except DictationError as exc:
            self._finish(job, JobState.FAILED, str(exc))
            return
        self._running = job
        job.state, job.started = JobState.RUNNING, time.monotonic()
        self.model.touch(job)
        self._ticker.start()
        self.thread.worker.request.emit(job.job_id, str(job.path), options, job.cancel)

    def _finish(self, job: Job, state: JobState, message: str = "") -> None:
        job.state, job.message = state, message
        if job.started:
            job.finished = time.monotonic()
        if job is self._running:
            self._running = None
            self._ticker.stop()
        self.model.touch(job)
        self._start_next()

    @Slot(int, float)
    def _on_progress(self, job_id: int, fraction: float) -> None:
        job = self.model.job(job_id)
        if job is not None:
            job.fraction = fraction
            self.model.touch(job)

    @Slot(int, object)
    def _on_done(self, job_id: int, transcript) -> None:
        job = self.model.job(job_id)
        if job is None:
            return
        job.transcript, job.fraction = transcript, 1.0
        self._finish(job, JobState.DONE)
        self.transcript_ready.emit(transcript)

    @Slot(int, str)
    def _on_failed(self, job_id: int, message: str) -> None:
        job = self.model.job(job_id)
        if job is not None:
            self._finish(job, JobState.FAILED, message)

    @Slot(int)
    def _on_cancelled(self, job_id: int) -> None:
        job = self.model.job(job_id)
        if job is not None:
            self._finish(job, JobState.CANCELLED)
