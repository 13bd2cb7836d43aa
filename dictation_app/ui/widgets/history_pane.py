"""The history pane: search as you type, entries grouped by day, a preview of every version of
the selected one, and Open / Copy / Insert / Re-transcribe / Delete. Database work that can
take long (re-transcribing, deleting files) runs on the pool; listing and search are paged
and indexed, so they run here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from dictation_app.core.history import Entry, HistoryError, HistoryStore
from dictation_app.ui.accessible import announce, name
from dictation_app.ui.models.history_model import HistoryModel, describe
from dictation_app.ui.workers.tasks import run_task

__all__ = ["HistoryPane"]

SEARCH_DELAY_MS = 120  # typing pauses this long before the list follows


class HistoryPane(QWidget):
    """Shows the history; says what the user wants through signals.

    Signals:
        open_requested(object, str): a Transcript to open in the editor, and its title.
        insert_requested(str): text to type into the application that had the focus.
        message(str), problem(str): for the status bar and the banner.

    Args:
        store: The history database.
        service: The dictation service (its loaded model, and the store other models load from).
        options: The app's options of the moment (``AppOptions``: model loading, file options).
    """

    open_requested = Signal(object, str)
    insert_requested = Signal(str)
    message = Signal(str)
    problem = Signal(str)

    def __init__(
        self, store: HistoryStore, service, options: Callable[[], object], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store, self.service, self.options = store, service, options
        self.model = HistoryModel(store, self)
        self.search = QLineEdit(placeholderText=self.tr("Search dictations and transcripts"), clearButtonEnabled=True)
        name(self.search, self.tr("Search history"))
        self.view = QListView(uniformItemSizes=True, alternatingRowColors=True)
        name(self.view, self.tr("Dictations and transcripts"))
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setTabKeyNavigation(False)  # Tab goes on to the buttons; arrows move between entries
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setModel(self.model)
        self.preview = name(QTextBrowser(), self.tr("Entry text"))
        self.status = QLabel()
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(lambda: self.model.set_query(self.search.text()))
        self.search.textChanged.connect(self._timer.start)
        self.model.modelReset.connect(self._listed)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._show_selected())
        self.view.activated.connect(lambda *_: self.open_selected())  # Enter or double-click
        self.search.returnPressed.connect(self._to_results)

        self.model_box = QComboBox(editable=True, toolTip=self.tr("Model to transcribe the audio again with"))
        name(self.model_box, self.tr("Model to transcribe again with"))
        self.model_box.addItem("base")
        run_task(
            self,
            lambda: [m.name for m in service.store.list_models() if m.installed],
            self._models_listed,
            lambda message: None,
        )
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, label, slot in (
            ("open", self.tr("Open"), self.open_selected),
            ("copy", self.tr("Copy"), self.copy_selected),
            ("insert", self.tr("Insert"), self.insert_selected),
            ("retranscribe", self.tr("Re-transcribe with"), self.retranscribe_selected),
            ("delete", self.tr("Delete…"), self.delete_selected),
        ):
            self.buttons[key] = button = QPushButton(label)
            button.clicked.connect(slot)
            buttons.addWidget(button)
            if key == "retranscribe":
                buttons.addWidget(self.model_box)
        buttons.addStretch()
        self.buttons["insert"].setToolTip(self.tr("Type it into the application you were in before this window"))

        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search)
        column.addWidget(self.view)
        column.addWidget(self.status)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.preview)
        split.setSizes([420, 380])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        layout.addLayout(buttons)
        self.model.set_query("")
        self._show_selected()

    # -- showing ----------------------------------------------------------------------------

    def refresh(self, select: int | None = None) -> None:
        """Reread the list (a dictation or a file was added); keep or move the selection."""
        keep = select if select is not None else (self.selected().entry_id if self.selected() else None)
        self.model.refresh()
        if keep is not None and (row := self.model.row_of(keep)) >= 0:
            self.view.selectionModel().setCurrentIndex(
                self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _listed(self) -> None:
        count = sum(1 for r in self.model.rows if isinstance(r, Entry))
        more = self.tr(" (more as you scroll)") if self.model.canFetchMore() else ""
        entries = self.tr("1 entry") if count == 1 else self.tr("%d entries") % count  # always on show: no "(s)"
        found = (
            entries + more
            if count or not self.model.query.strip()
            else self.tr("Nothing found for \u201c%s\u201d") % self.model.query.strip()
        )
        self.status.setText(self.model.problem or found)

    def _to_results(self) -> None:
        """Enter in the search field: search now, say what was found, go to the first entry."""
        self._timer.stop()
        self.model.set_query(self.search.text())
        announce(self, self.status.text())
        first = next((row for row, r in enumerate(self.model.rows) if isinstance(r, Entry)), None)
        if first is not None:
            self.view.setFocus()
            self.view.selectionModel().setCurrentIndex(
                self.model.index(first), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def _models_listed(self, names: list[str]) -> None:
        current = self.model_box.currentText()
        self.model_box.clear()
        self.model_box.addItems(sorted(set(names) | {current}))
        self.model_box.setCurrentText(current)

    def _versions(self, entry: Entry, on_error: Callable[[str], None]) -> list[Entry]:
        """The entry's versions, first one first; [] (and ``on_error`` told why) when unreadable."""
        try:
            return self.store.versions(entry.entry_id)
        except HistoryError as exc:
            on_error(str(exc))
            return []

    def selected(self) -> Entry | None:
        index = self.view.selectionModel().currentIndex()
        return self.model.entry(index.row()) if index.isValid() else None

    def _show_selected(self) -> None:
        entry = self.selected()
        for button in self.buttons.values():
            button.setEnabled(entry is not None)
        if entry is None:
            self.preview.setPlainText(
                self.tr("Every dictation and transcribed file is kept here. Select one to see it, or type to search.")
            )
            return
        versions = self._versions(entry, self.preview.setPlainText)
        if not versions:
            return
        html = []
        for version in versions:
            when = datetime.fromtimestamp(version.created)
            head = f"#{version.entry_id} · {when:%Y-%m-%d} · {describe(version)}"
            mark = " style='background:#fff3c4'" if version.entry_id == entry.entry_id else ""
            html.append(f"<p{mark}><b>{escape(head)}</b><br>{escape(version.text) or '<i>(no words)</i>'}</p>")
        self.preview.setHtml("".join(html))

    def apply_retention(self, days: int, mb: int) -> None:
        """Delete entries older than ``days`` and past ``mb`` of recordings (0: no limit), on a worker."""
        from dictation_app.core.history_files import apply_retention

        if days or mb:
            run_task(self, lambda: apply_retention(self.store, days, mb), self._retained, self.problem.emit)

    def _retained(self, deleted: int) -> None:
        if deleted:
            self.refresh()
            what = self.tr("1 old entry") if deleted == 1 else self.tr("%d old entries") % deleted
            self.message.emit(self.tr("History: %s deleted, as the retention setting says.") % what)

    # -- what the user asks for -------------------------------------------------------------

    def open_selected(self) -> None:
        from dictation_app.core.history_files import entry_transcript

        entry = self.selected()
        if entry is not None:
            title = f"{entry.title} ({entry.model})" if entry.parent else entry.title
            run_task(
                self, lambda: entry_transcript(entry), lambda t: self.open_requested.emit(t, title), self.problem.emit
            )

    def copy_selected(self) -> None:
        entry = self.selected()
        if entry is not None:
            QGuiApplication.clipboard().setText(entry.text)
            self.message.emit(self.tr("Copied %n word(s).", "", len(entry.text.split())))

    def insert_selected(self) -> None:
        entry = self.selected()
        if entry is not None and entry.text:
            self.insert_requested.emit(entry.text)

    def retranscribe_selected(self) -> None:
        from dictation_app.core.history_files import retranscribe

        entry = self.selected()
        name = self.model_box.currentText().strip()
        if entry is None or not name:
            return
        options = self.options()
        button = self.buttons["retranscribe"]
        button.setEnabled(False)
        self.message.emit(self.tr("Transcribing #%s again with %s…") % (entry.entry_id, name))

        def done(version: Entry) -> None:
            button.setEnabled(True)
            self.refresh(select=version.entry_id)
            self.message.emit(self.tr("#%s: a new version made with %s.") % (version.entry_id, name))

        def failed(message: str) -> None:
            button.setEnabled(True)
            self.refresh()
            self.problem.emit(message)

        run_task(
            self,
            lambda: retranscribe(self.store, entry, self._transcriber(name, options), options.transcribe),
            done,
            failed,
        )

    def _transcriber(self, name: str, options):
        """A file transcriber with model ``name`` (on a worker: loading takes seconds); the
        loaded model when it is the one asked for."""
        return self.service.file_transcriber(name, options.load)

    def ask_delete(self, entry: Entry, versions: int) -> bool:
        """Confirm a deletion (a dialog; tests replace it)."""
        what = self.tr("this dictation with its recording") if entry.kind == "dictation" else self.tr("this transcript")
        answer = QMessageBox.question(
            self,
            self.tr("Delete from history"),
            self.tr("Delete %s (%n version(s))? This cannot be undone.", "", versions) % what,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def delete_selected(self) -> None:
        from dictation_app.core.history_files import delete_entry

        entry = self.selected()
        versions = self._versions(entry, self.problem.emit) if entry is not None else []
        if not versions or not self.ask_delete(versions[0], len(versions)):
            return

        def done(problems: list[str]) -> None:
            self.refresh()
            if problems:
                self.problem.emit(" ".join(problems))
            else:
                self.message.emit(self.tr("Deleted from history, with its recording."))

        run_task(self, lambda: delete_entry(self.store, versions[0].entry_id), done, self.problem.emit)
