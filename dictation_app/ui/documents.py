"""The open documents: the dictation and transcript tabs, their autosave and their closing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QMessageBox, QTabWidget, QWidget

from dictation_app.errors import OutputError
from dictation_app.export import atomic_write, save
from dictation_app.transcript import Segment, Transcript, TranscriptMetadata
from dictation_app.transcript.autosave import AutosaveStore, SavedDocument
from dictation_app.ui.accessible import name
from dictation_app.ui.widgets.dictation_editor import DictationEditor
from dictation_app.ui.widgets.transcript_editor import TranscriptEditor
from dictation_app.ui.workers.tasks import run_task

__all__ = ["DocumentTabs", "Document"]

AUTOSAVE_DELAY_MS = 2000


@dataclass(eq=False)
class Document:
    widget: QWidget
    kind: str  # "dictation" or "transcript"
    title: str
    doc_id: str = field(default_factory=AutosaveStore.new_id)
    modified: bool = False  # changed since the user last saved it to a file
    session: str = ""  # a dictation's recording folder

    def saved(self) -> SavedDocument:
        if self.kind == "dictation":
            return SavedDocument(
                self.doc_id, self.kind, self.title, self.widget.toPlainText(), {"session": self.session}
            )
        return SavedDocument(self.doc_id, self.kind, self.title, self.widget.transcript.to_dict())

    def transcript(self) -> Transcript:
        """What the export pane exports."""
        if self.kind == "transcript":
            return self.widget.transcript
        paragraphs = [p.strip() for p in self.widget.toPlainText().split("\n") if p.strip()]
        return Transcript([Segment(0.0, 0.0, p) for p in paragraphs], TranscriptMetadata(source=self.title))


class DocumentTabs(QTabWidget):
    """Tab 0 is the dictation; transcripts open after it. Every change is autosaved."""

    current_document_changed = Signal()
    document_edited = Signal()
    message = Signal(str)

    def __init__(self, store: AutosaveStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        name(self, self.tr("Documents"))
        self.store = store
        self.setTabsClosable(True)
        self.setDocumentMode(True)
        self.documents: list[Document] = []
        self._dirty: set[Document] = set()
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self.autosave_now)
        self.dictation = Document(name(DictationEditor(), self.tr("Dictation")), "dictation", self.tr("Dictation"))
        self._add(self.dictation)
        self.dictation.widget.textChanged.connect(lambda: self._edited(self.dictation))
        self.tabBar().setTabButton(0, self.tabBar().ButtonPosition.RightSide, None)  # always open
        self.tabCloseRequested.connect(lambda index: self.close_document(self.documents[index]))
        self.currentChanged.connect(lambda _: self.current_document_changed.emit())

    @property
    def dictation_editor(self) -> DictationEditor:
        return self.dictation.widget

    def current(self) -> Document:
        return self.documents[self.currentIndex()]

    def open_transcript(self, transcript: Transcript, title: str | None = None, modified: bool = True) -> Document:
        """A tab for ``transcript``; the one already showing it, if any (two editors of one
        document would each undo the other's edits)."""
        for doc in self.documents:
            if doc.kind == "transcript" and doc.widget.transcript is transcript:
                self.setCurrentWidget(doc.widget)
                return doc
        editor = TranscriptEditor(transcript)
        doc = Document(editor, "transcript", title or Path(transcript.metadata.source).name or self.tr("Transcript"))
        editor.changed.connect(lambda: self._edited(doc))
        editor.message.connect(self.message)
        self._add(doc)
        self.setCurrentWidget(editor)
        if modified:  # a new transcript exists only here until saved: keep it from now on
            self._edited(doc)
        return doc

    def open_dictation_transcript(self, on_error) -> None:
        """The dictation's recording as a timestamped transcript, in a tab of its own."""
        from dictation_app.audio.recorder import load_session

        folder = self.dictation.session
        if not folder:
            self.message.emit(self.tr("Dictate first: a dictation's recording opens as a timestamped transcript."))
            return
        run_task(
            self,
            lambda: load_session(Path(folder)),
            lambda t: self.open_transcript(t, self.tr("Dictation %s") % Path(folder).name),
            on_error,
        )

    def _add(self, doc: Document) -> None:
        self.documents.append(doc)
        self.addTab(doc.widget, doc.title)

    def _edited(self, doc: Document) -> None:
        doc.modified = True
        self._dirty.add(doc)
        self._autosave.start()
        index = self.documents.index(doc)
        self.setTabText(index, f"{doc.title} •")
        self.document_edited.emit()

    # -- autosave -------------------------------------------------------------------------

    @Slot()
    def autosave_now(self) -> None:
        dirty, self._dirty = self._dirty, set()
        for doc in dirty:
            if doc not in self.documents:
                continue
            snapshot = doc.saved()  # taken on the GUI thread; the write happens on a worker
            run_task(
                self,
                lambda s=snapshot: self.store.save(s),
                lambda _: None,
                lambda m, d=doc: self._autosave_failed(d, m),
            )

    def _autosave_failed(self, doc: Document, message: str) -> None:
        self._dirty.add(doc)  # tried again on the next change
        self.message.emit(self.tr("Autosave failed (your text is still open): ") + message)

    def offer_restore(self, ask=None) -> int:
        """After a crash, offer the documents it left (``ask(docs) -> bool``, default a
        dialog); declining discards them. Returns how many were restored."""
        docs = self.store.left_over()
        if not docs:
            return 0
        if (ask or self._ask_restore)(docs):
            self.restore(docs)
            return len(docs)
        for doc in docs:
            self.store.discard(doc.doc_id)
        return 0

    def _ask_restore(self, docs: list[SavedDocument]) -> bool:
        names = "\n".join(f"• {d.title}" for d in docs)
        answer = QMessageBox.question(
            self,
            self.tr("Restore documents"),
            self.tr("The app did not close normally last time. Restore these documents?\n\n%s") % names,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def restore(self, docs: list[SavedDocument]) -> None:
        """Reopen what a crash left behind; their autosave files are reused."""
        for saved in docs:
            if saved.kind == "dictation":
                editor = self.dictation_editor
                text = editor.toPlainText()
                editor.setPlainText(f"{text}\n\n{saved.content}" if text.strip() else saved.content)
                self.dictation.session = saved.extra.get("session", "")
                self.store.discard(saved.doc_id)
                self._edited(self.dictation)
            else:
                doc = self.open_transcript(Transcript.from_dict(saved.content), saved.title, modified=False)
                self.store.discard(doc.doc_id)
                doc.doc_id = saved.doc_id
                self._edited(doc)

    # -- closing --------------------------------------------------------------------------

    def close_document(self, doc: Document, ask: bool = True) -> bool:
        """Close a transcript tab (asking about unsaved changes); False if the user cancels."""
        if doc is self.dictation:
            return False
        if ask and doc.modified and not self._resolve_unsaved([doc]):
            return False
        doc.widget.close_document()
        index = self.documents.index(doc)
        self.documents.remove(doc)
        self._dirty.discard(doc)
        self.removeTab(index)
        self.store.discard(doc.doc_id)
        doc.widget.deleteLater()
        return True

    def close_all(self, ask: bool = True) -> bool:
        """On quit: ask about unsaved documents; on Save or Discard forget their autosaves.

        ``ask=False`` (quit from the tray or ``dictation-app quit``, with nobody at the
        window): unsaved documents are written to their autosaves now and kept, so the next
        start offers them back, as after a crash."""
        unsaved = [d for d in self.documents if d.modified and not self._is_empty(d)]
        if not ask:
            self._autosave.stop()
            try:
                for doc in unsaved:
                    self.store.save(doc.saved())  # on the GUI thread: the app is about to exit
            except OutputError:
                return self.close_all(ask=True)  # cannot keep them: ask, as a plain quit does
            return self._forget([d for d in self.documents if d not in unsaved])
        if unsaved and not self._resolve_unsaved(unsaved):
            return False
        self._autosave.stop()
        return self._forget(self.documents)

    def _forget(self, docs: list[Document]) -> bool:
        for doc in docs:
            if isinstance(doc.widget, TranscriptEditor):
                doc.widget.close_document()
            self.store.discard(doc.doc_id)
        return True

    @staticmethod
    def _is_empty(doc: Document) -> bool:
        return doc.kind == "dictation" and not doc.widget.toPlainText().strip()

    def _resolve_unsaved(self, docs: list[Document]) -> bool:
        answer = self.ask_unsaved(docs)
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save:
            return all(self.save_document(d) for d in docs)
        return True

    def ask_unsaved(self, docs: list[Document]) -> QMessageBox.StandardButton:
        """Save, Discard or Cancel (a dialog; tests replace it)."""
        names = ", ".join(d.title for d in docs)
        return QMessageBox.question(
            self,
            self.tr("Unsaved changes"),
            self.tr("Save changes to %s?") % names,
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )

    def save_document(self, doc: Document, path: Path | None = None) -> bool:
        """Save as the native format: JSON for a transcript, text for a dictation."""
        suffix = "json" if doc.kind == "transcript" else "txt"
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save"), str(Path.home() / f"{Path(doc.title).stem}.{suffix}")
            )
            if not name:
                return False
            path = Path(name)
        try:
            if doc.kind == "transcript":
                save(doc.widget.transcript, "json", path)
            else:
                atomic_write(path, doc.widget.toPlainText().encode("utf-8"))
        except Exception as exc:  # OutputError: disk full, permission
            QMessageBox.warning(self, self.tr("Not saved"), str(exc))
            return False
        doc.modified = False
        self.setTabText(self.documents.index(doc), doc.title)
        return True
