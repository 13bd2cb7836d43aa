"""The history list: entries newest first, with a header row for each day, fetched from the
database a page at a time as the view scrolls (so 10,000 entries open at once)."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from dictation_app.core.history import Entry, HistoryError, HistoryStore

__all__ = ["EntryRole", "HistoryModel"]

EntryRole = Qt.ItemDataRole.UserRole + 1
PAGE = 200


def describe(entry: Entry) -> str:
    """One line about an entry: its time, then :attr:`Entry.summary`."""
    return f"{datetime.fromtimestamp(entry.created):%H:%M} · {entry.summary}"


class HistoryModel(QAbstractListModel):
    """Rows are a day (a ``date``, shown bold, not selectable) or an :class:`Entry`.

    ``problem`` (a sentence) is set when the database could not be read; the list is then empty.
    """

    def __init__(self, store: HistoryStore, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.query = ""
        self.rows: list[Entry | date] = []
        self.problem = ""
        self._more = True
        self._last: tuple[float, int] | None = None

    # -- filling ----------------------------------------------------------------------------

    def set_query(self, query: str) -> None:
        """Show the entries that match ``query`` (all when empty), from the newest."""
        self.beginResetModel()
        self.query, self.rows, self._more, self._last, self.problem = query, [], True, None, ""
        self.rows = self._rows_for(self._page())
        self.endResetModel()

    def refresh(self) -> None:
        self.set_query(self.query)

    def _page(self) -> list[Entry]:
        try:
            entries = self.store.search(self.query, limit=PAGE, before=self._last)
        except HistoryError as exc:
            self.problem, self._more = str(exc), False
            return []
        self._more = len(entries) == PAGE
        if entries:
            self._last = (entries[-1].created, entries[-1].entry_id)
        return entries

    def _rows_for(self, entries: list[Entry]) -> list[Entry | date]:
        last_day = next((r.created for r in reversed(self.rows) if isinstance(r, Entry)), None)
        day = datetime.fromtimestamp(last_day).date() if last_day is not None else None
        rows: list[Entry | date] = []
        for entry in entries:
            entry_day = datetime.fromtimestamp(entry.created).date()
            if entry_day != day:
                rows.append(entry_day)
                day = entry_day
            rows.append(entry)
        return rows

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and self._more

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        rows = self._rows_for(self._page())
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows += rows
            self.endInsertRows()

    # -- reading ----------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def entry(self, row: int) -> Entry | None:
        item = self.rows[row] if 0 <= row < len(self.rows) else None
        return item if isinstance(item, Entry) else None

    def row_of(self, entry_id: int) -> int:
        return next((i for i, r in enumerate(self.rows) if isinstance(r, Entry) and r.entry_id == entry_id), -1)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if isinstance(self.rows[index.row()], date):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item = self.rows[index.row()]
        if isinstance(item, date):
            if role == Qt.ItemDataRole.DisplayRole:
                today = date.today()
                return self.tr("Today") if item == today else f"{item:%A %d %B %Y}"
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            text = " ".join(item.text.split())
            return f"{describe(item)}\n{text[:140] + ('…' if len(text) > 140 else '') or self.tr('(no words)')}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.audio or item.transcript
        if role == EntryRole:
            return item
        return None
