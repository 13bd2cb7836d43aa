"""A transcript document: segment table with inline editing, playback, find/replace, split/merge."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from dictation_app.audio.decode import load_audio
from dictation_app.audio.playback import Player
from dictation_app.errors import DictationError
from dictation_app.transcript import Transcript
from dictation_app.ui.accessible import name
from dictation_app.ui.models.segment_model import SegmentModel
from dictation_app.ui.workers.tasks import run_task

__all__ = ["TranscriptEditor"]


class TranscriptEditor(QWidget):
    """Edits one transcript. ``changed`` fires on every edit (autosave listens)."""

    changed = Signal()
    message = Signal(str)  # for the status bar

    def __init__(self, transcript: Transcript, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SegmentModel(transcript, self)
        self.model.edited.connect(self.changed)
        self.player: Player | None = None
        self._play_after_load: float | None = None

        self.table = name(QTableView(), self.tr("Transcript segments"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        bar = QToolBar()
        self.play_action = bar.addAction(self.tr("Play"), self.play_selected)
        self.play_action.setShortcut(QKeySequence("Ctrl+P"))
        self.stop_action = bar.addAction(self.tr("Stop"), self.stop_playback)
        bar.addSeparator()
        self.split_action = bar.addAction(self.tr("Split"), self.split_selected)
        self.merge_action = bar.addAction(self.tr("Merge"), self.merge_selected)
        bar.addSeparator()
        self.undo_action = self.model.undo_stack.createUndoAction(self, self.tr("Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.model.undo_stack.createRedoAction(self, self.tr("Redo"))
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        bar.addAction(self.undo_action)
        bar.addAction(self.redo_action)

        self.find_edit = name(QLineEdit(placeholderText=self.tr("Find")), self.tr("Find"))
        self.replace_edit = name(QLineEdit(placeholderText=self.tr("Replace with")), self.tr("Replace with"))
        self.case_box = QCheckBox(self.tr("Match case"))
        find_next = QPushButton(self.tr("Find next"))
        replace_all = QPushButton(self.tr("Replace all"))
        find_next.clicked.connect(self.find_next)
        self.find_edit.returnPressed.connect(self.find_next)
        replace_all.clicked.connect(self.replace_all)
        find_row = QGridLayout()  # two rows: each field keeps room for its words at large fonts
        find_row.addWidget(self.find_edit, 0, 0)
        find_row.addWidget(find_next, 0, 1)
        find_row.addWidget(self.case_box, 0, 2)
        find_row.addWidget(self.replace_edit, 1, 0)
        find_row.addWidget(replace_all, 1, 1)
        find_row.setColumnStretch(0, 1)

        meta = transcript.metadata
        self.info = QLabel(
            f"{Path(meta.source).name or 'Untitled'} · {meta.model} · {meta.language} · "
            f"{meta.duration:.1f} s · {len(transcript.segments)} segments"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(bar)
        layout.addWidget(self.info)
        layout.addWidget(self.table)
        layout.addLayout(find_row)

        self._position_timer = QTimer(self, interval=50)
        self._position_timer.timeout.connect(self._follow_playback)

    @property
    def transcript(self) -> Transcript:
        return self.model.transcript

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.table.selectionModel().selectedRows()})

    # -- playback -------------------------------------------------------------------------

    @Slot()
    def play_selected(self) -> None:
        rows = self.selected_rows()
        start = self.transcript.segments[rows[0]].start if rows else 0.0
        if self.player is None:
            self._play_after_load = start
            source = self.transcript.metadata.source
            self.message.emit(self.tr("Loading audio…"))
            run_task(
                self,
                lambda: load_audio(source).samples,
                self._audio_loaded,
                lambda m: self.message.emit(self.tr("Cannot play: ") + m),
            )
            return
        self._play(start)

    def _audio_loaded(self, samples) -> None:
        self.player = Player(samples)
        if self._play_after_load is not None:
            self._play(self._play_after_load)

    def _play(self, start: float) -> None:
        try:
            self.player.play(start)
        except DictationError as exc:
            self.message.emit(str(exc))
            return
        self._position_timer.start()

    @Slot()
    def stop_playback(self) -> None:
        if self.player is not None:
            self.player.stop()

    def _follow_playback(self) -> None:
        if self.player is None or not self.player.playing:
            self._position_timer.stop()
            self.model.set_playing_row(-1)
            return
        row = self.model.row_at(self.player.position)
        if row >= 0 and row != self.model.playing_row:
            self.table.scrollTo(self.model.index(row, 0))
        self.model.set_playing_row(row)

    # -- edits ----------------------------------------------------------------------------

    @Slot()
    def split_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            self.message.emit(self.tr("Select one segment to split."))
            return
        segment = self.transcript.segments[rows[0]]
        at = None  # the middle, unless playback is inside the segment: split at the playhead
        if self.player is not None and segment.start < self.player.position < segment.end:
            at = self.player.position
        if not self.model.split(rows[0], at):
            self.message.emit(self.tr("This segment has a single word."))

    @Slot()
    def merge_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            self.message.emit(self.tr("Select the segments to merge."))
            return
        if len(rows) == 1:
            rows.append(rows[0] + 1)
        if rows[-1] >= self.model.rowCount() or rows != list(range(rows[0], rows[-1] + 1)):
            self.message.emit(self.tr("Select neighbouring segments to merge."))
            return
        self.model.merge(rows[0], rows[-1])

    @Slot()
    def find_next(self) -> None:
        rows = self.selected_rows()
        row = self.model.find(self.find_edit.text(), rows[-1] if rows else -1, self.case_box.isChecked())
        if row < 0:
            self.message.emit(self.tr("Not found."))
            return
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))

    @Slot()
    def replace_all(self) -> None:
        count = self.model.replace_all(self.find_edit.text(), self.replace_edit.text(), self.case_box.isChecked())
        self.message.emit(self.tr("Replaced in %n segment(s).", "", count))

    def close_document(self) -> None:
        self.stop_playback()
