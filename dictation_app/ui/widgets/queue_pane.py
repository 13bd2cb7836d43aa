"""The file queue's rows with progress bars and Cancel / Retry / Open / Clear buttons (display only)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dictation_app.core.file_queue import FileQueue, Job, JobState
from dictation_app.ui.accessible import name
from dictation_app.ui.models.queue_model import ProgressRole, QueueModel

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
    """Shows the file queue; its buttons ask the queue to cancel, retry, open or clear.

    Args:
        queue: The core file queue (jobs, scheduling, the worker thread).
    """

    def __init__(self, queue: FileQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.model = QueueModel(queue, self)
        self.view = name(QTableView(), self.tr("Files to transcribe"))
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(QueueModel.PROGRESS_COLUMN, _ProgressDelegate(self.view))
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        self.view.setTabKeyNavigation(False)  # Tab goes on to the buttons; arrows move between rows
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 5):  # the titles whole, at any font size
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.view.activated.connect(lambda index: queue.reopen(self.model.jobs[index.row()]))  # Enter or double-click
        buttons = QHBoxLayout()
        for label, action in (
            (self.tr("Cancel"), queue.cancel),
            (self.tr("Retry"), queue.retry),
            (self.tr("Open"), queue.reopen),
        ):
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, a=action: self._each_selected(a))
            buttons.addWidget(button)
        clear = QPushButton(self.tr("Clear finished"))
        clear.clicked.connect(queue.remove_finished)
        buttons.addWidget(clear)
        hint = QLabel(self.tr("Drop audio or video files (or a folder) anywhere on the window, or use File > Open."))
        hint.setEnabled(False)
        hint.setWordWrap(True)  # large fonts: it wraps rather than widen the window past the screen
        buttons.addWidget(hint, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addLayout(buttons)
        self._ticker = QTimer(self, interval=500)  # elapsed/remaining columns tick while running
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()

    def _tick(self) -> None:
        for job in self.model.jobs:
            if job.state is JobState.RUNNING:
                self.model.touch(job)

    def _each_selected(self, action: Callable[[Job], None]) -> None:
        for row in sorted({i.row() for i in self.view.selectionModel().selectedRows()}):
            action(self.model.jobs[row])
