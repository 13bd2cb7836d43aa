"""Export pane: pick a format, see a preview, Save As or Copy. Remembers folder and format."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dictation_app.export import EXPORTERS, get_exporter, save
from dictation_app.settings.store import Settings
from dictation_app.transcript import Transcript
from dictation_app.ui.accessible import name
from dictation_app.ui.workers.tasks import run_task

__all__ = ["ExportPane"]

_TIMED = {"srt", "vtt"}  # formats that are nothing without timestamps


def export_target(path: Path, chosen: str) -> tuple[Path, str]:
    """The file and format a Save As means: the format of the name's extension when it has one
    of ours, else the chosen filter's, its extension added."""
    typed = next((e.name for e in EXPORTERS.values() if path.suffix.lower() == f".{e.extension}"), None)
    if typed is not None:
        return path, typed
    return path.with_name(f"{path.name}.{get_exporter(chosen).extension}"), chosen


class ExportPane(QWidget):
    message = Signal(str)
    saved = Signal(str)  # path

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.provider: Callable[[], Transcript] | None = None
        self.transcript: Transcript | None = None  # as of the last refresh
        self.title = ""
        self.timed = True
        self.format_box = name(QComboBox(), self.tr("Export format"))
        for exporter in EXPORTERS.values():
            self.format_box.addItem(f"{exporter.description} (.{exporter.extension})", exporter.name)
        self.format_box.setCurrentIndex(max(0, self.format_box.findData(settings.value("export/format"))))
        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.preview = name(QPlainTextEdit(readOnly=True), self.tr("Export preview"))
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Save As…"))
        self.copy_button = QPushButton(self.tr("Copy"))
        self.save_button.clicked.connect(self.save_as)
        self.copy_button.clicked.connect(self.copy)
        buttons = QHBoxLayout()
        buttons.addWidget(self.format_box, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        layout.addWidget(self.preview)
        self._refresh_timer = QTimer(self, singleShot=True, interval=300)
        self._refresh_timer.timeout.connect(self.refresh)
        self.set_document(None)

    @property
    def format_name(self) -> str:
        return self.format_box.currentData()

    def set_format(self, name: str) -> None:
        self.format_box.setCurrentIndex(self.format_box.findData(name))

    def set_document(self, provider: Callable[[], Transcript] | None, title: str = "", timed: bool = True) -> None:
        """Export what ``provider()`` returns from now on (None: nothing to export); it is
        asked again on every refresh, so the preview follows edits."""
        self.provider, self.title, self.timed = provider, title, timed
        self.refresh()

    def document_changed(self) -> None:
        self._refresh_timer.start()  # debounced: previews of long transcripts cost a little

    @Slot()
    def refresh(self) -> None:
        self.transcript = self.provider() if self.provider is not None else None
        problem = self._problem()
        self.note.setText(problem or "")
        self.note.setVisible(bool(problem))
        self.save_button.setEnabled(problem is None)
        self.copy_button.setEnabled(problem is None and get_exporter(self.format_name).is_text)
        if problem is not None:
            self.preview.setPlainText("")
            return
        exporter = get_exporter(self.format_name)
        if exporter.is_text:
            self.preview.setPlainText(exporter.render(self.transcript).decode("utf-8"))
        else:
            self.preview.setPlainText(get_exporter("txt").render(self.transcript).decode("utf-8"))
            self.note.setText(self.tr("A Word document; the preview shows its text."))
            self.note.setVisible(True)

    def _problem(self) -> str | None:
        if self.transcript is None:
            return self.tr("Open a transcript or dictate something to export it.")
        if self.format_name in _TIMED and not self.timed:
            return self.tr("Subtitles need timestamps: use Dictation > Open as Transcript, then export that.")
        return None

    @Slot()
    def _format_changed(self) -> None:
        self.settings.set_value("export/format", self.format_name)
        self.refresh()

    def suggested_path(self) -> Path:
        folder = Path(self.settings.value("export/folder") or Path.home())
        stem = Path(self.title or "transcript").stem or "transcript"
        return folder / f"{stem}.{get_exporter(self.format_name).extension}"

    @Slot()
    def save_as(self) -> None:
        """Every format is a filter of the dialog, the chosen one first selected; a name typed
        with a format's extension ("talk.srt") is saved in that format."""
        filters = {f"{e.description} (*.{e.extension})": e.name for e in EXPORTERS.values()}
        current = next(f for f, name in filters.items() if name == self.format_name)
        path, chosen = QFileDialog.getSaveFileName(
            self, self.tr("Export"), str(self.suggested_path()), ";;".join(filters), current
        )
        if path:
            target, format_name = export_target(Path(path), filters.get(chosen, self.format_name))
            self.set_format(format_name)  # the preview shows what is written
            self.save_to(target)

    def save_to(self, path: Path) -> None:
        """Write the export on a worker; ``saved`` or ``message`` tells how it went."""
        self.refresh()  # export what the document holds now, not at the last preview
        if self._problem() is not None:
            return
        transcript, format_name = self.transcript, self.format_name
        run_task(
            self,
            lambda: save(transcript, format_name, path),
            lambda p: self._saved(p),
            lambda m: self.message.emit(self.tr("Export failed: ") + m),
        )

    def _saved(self, path: Path) -> None:
        self.settings.set_value("export/folder", str(path.parent))  # remembered once it worked
        self.message.emit(self.tr("Exported to %s") % path)
        self.saved.emit(str(path))

    @Slot()
    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.preview.toPlainText())
        self.message.emit(self.tr("Copied to the clipboard."))
