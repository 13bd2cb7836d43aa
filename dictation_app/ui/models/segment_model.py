"""A transcript's segments as an editable table; every edit is an undoable command."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QUndoCommand, QUndoStack

from dictation_app.export.cues import format_timestamp
from dictation_app.transcript import Segment, Transcript
from dictation_app.transcript.edits import merge_segments, replace_in_segments, split_segment, with_text

__all__ = ["SegmentModel"]


class _Replace(QUndoCommand):
    """Replace rows [first, first + removed) with ``new`` segments (and back on undo)."""

    def __init__(self, model: SegmentModel, first: int, removed: int, new: list[Segment], text: str) -> None:
        super().__init__(text)
        self.model, self.first = model, first
        self.old = model.transcript.segments[first : first + removed]
        self.new = list(new)

    def redo(self) -> None:
        self.model._splice(self.first, len(self.old), self.new)

    def undo(self) -> None:
        self.model._splice(self.first, len(self.new), self.old)


class _ReplaceMany(QUndoCommand):
    """Change several rows in place (find and replace) as one step."""

    def __init__(self, model: SegmentModel, changed: dict[int, Segment], text: str) -> None:
        super().__init__(text)
        self.model = model
        self.new = changed
        self.old = {i: model.transcript.segments[i] for i in changed}

    def redo(self) -> None:
        for i, segment in self.new.items():
            self.model._splice(i, 1, [segment])

    def undo(self) -> None:
        for i, segment in self.old.items():
            self.model._splice(i, 1, [segment])


class SegmentModel(QAbstractTableModel):
    """Columns: start, end, text (editable). ``undo_stack`` holds every edit."""

    COLUMNS = ("Start", "End", "Text")
    TEXT = 2
    edited = Signal()

    def __init__(self, transcript: Transcript, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.transcript = transcript
        self.undo_stack = QUndoStack(self)
        self.playing_row = -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.transcript.segments)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsEditable if index.column() == self.TEXT else flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        segment = self.transcript.segments[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return (format_timestamp(segment.start, "."), format_timestamp(segment.end, "."), segment.text)[
                index.column()
            ]
        if role == Qt.ItemDataRole.BackgroundRole and index.row() == self.playing_row:
            return QBrush(QColor(255, 236, 160))
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != self.TEXT:
            return False
        segment = self.transcript.segments[index.row()]
        if str(value).strip() == segment.text:
            return False
        self.undo_stack.push(_Replace(self, index.row(), 1, [with_text(segment, str(value))], "Edit text"))
        return True

    # -- edits ----------------------------------------------------------------------------

    def split(self, row: int, at: float | None = None) -> bool:
        parts = split_segment(self.transcript.segments[row], at)
        if parts is None:
            return False
        self.undo_stack.push(_Replace(self, row, 1, list(parts), "Split segment"))
        return True

    def merge(self, first: int, last: int) -> bool:
        if last <= first:
            return False
        merged = merge_segments(self.transcript.segments[first : last + 1])
        self.undo_stack.push(_Replace(self, first, last - first + 1, [merged], "Merge segments"))
        return True

    def replace_all(self, find: str, replacement: str, case_sensitive: bool = False) -> int:
        changed = replace_in_segments(self.transcript.segments, find, replacement, case_sensitive)
        if changed:
            self.undo_stack.push(_ReplaceMany(self, changed, f"Replace {find!r}"))
        return len(changed)

    def find(self, text: str, after_row: int = -1, case_sensitive: bool = False) -> int:
        """Row of the next segment containing ``text`` after ``after_row`` (wrapping), or -1."""
        needle = text if case_sensitive else text.lower()
        n = len(self.transcript.segments)
        for k in range(1, n + 1):
            row = (after_row + k) % n
            hay = self.transcript.segments[row].text
            if needle and needle in (hay if case_sensitive else hay.lower()):
                return row
        return -1

    def row_at(self, seconds: float) -> int:
        for row, segment in enumerate(self.transcript.segments):
            if segment.start <= seconds < segment.end:
                return row
        return -1

    def set_playing_row(self, row: int) -> None:
        if row == self.playing_row:
            return
        old, self.playing_row = self.playing_row, row
        for r in (old, row):
            if r >= 0:
                self.dataChanged.emit(self.index(r, 0), self.index(r, 2), [Qt.ItemDataRole.BackgroundRole])

    def _splice(self, first: int, count: int, new: list[Segment]) -> None:
        segments = self.transcript.segments
        if count == len(new):
            segments[first : first + count] = new
            self.dataChanged.emit(self.index(first, 0), self.index(first + count - 1, 2))
        else:
            self.beginResetModel()
            segments[first : first + count] = new
            self.endResetModel()
        self.edited.emit()
