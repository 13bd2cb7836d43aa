"""The Models window: the catalogue with sizes, languages, published accuracy and what this
machine measured; download (announced first, then bytes, speed and time left), cancel, resume,
use, remove, import, and the speed test with its recommendation. It shows the model manager's
events and calls its methods; the setting ``model/name`` is what "Use" changes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dictation_app.core.model_manager import DownloadEnded, DownloadStarted, ModelManager, SpeedMeasured, WorkFailed
from dictation_app.core.model_speed import LIVE_TARGET_MEDIAN_S
from dictation_app.engine.installs import DownloadProgress, megabytes
from dictation_app.engine.models import ModelInfo
from dictation_app.settings.store import Settings

__all__ = ["ModelsDialog"]

COLUMNS = ("Model", "Languages", "Size", "Memory", "LibriSpeech WER (clean / other)", "On this machine", "State")
STATE = COLUMNS.index("State")


class ModelsDialog(QDialog):
    """Args:
    manager: The model manager (its events come on the GUI thread).
    settings: Where the model in use is chosen.
    """

    def __init__(self, manager: ModelManager, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Models"))
        self.resize(900, 520)
        self.manager, self.settings = manager, settings
        self.confirm = self._ask  # tests answer for the user
        self.rows: list[ModelInfo] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.setAccessibleName(self.tr("Models"))
        self.details = QLabel(wordWrap=True)
        self.status = QLabel(wordWrap=True)
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        self.footer = QLabel(wordWrap=True)
        self.download_button = QPushButton(self.tr("&Download"))
        self.cancel_button = QPushButton(self.tr("&Cancel download"))
        self.use_button = QPushButton(self.tr("&Use"))
        self.remove_button = QPushButton(self.tr("&Remove"))
        self.import_button = QPushButton(self.tr("&Import…"))
        self.speed_button = QPushButton(self.tr("&Measure speed"))
        imports = QMenu(self.import_button)
        imports.addAction(self.tr("A model folder…"), self._import_folder)
        imports.addAction(self.tr("An archive (.tar.gz, .zip)…"), self._import_archive)
        self.import_button.setMenu(imports)
        self.download_button.clicked.connect(self.download_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.use_button.clicked.connect(self.use_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.speed_button.clicked.connect(self.measure_installed)
        buttons = QHBoxLayout()
        for button in (self.download_button, self.cancel_button, self.use_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.speed_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)
        layout.addLayout(buttons)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.footer)
        manager.subscribe(self._on_event)  # held weakly: no cycle through this dialog
        self.refresh()

    def _t(self, text: str, *args: object) -> str:
        """``tr(text)`` with %1, %2... filled in."""
        text = self.tr(text)
        for number, arg in enumerate(args, 1):
            text = text.replace(f"%{number}", str(arg))
        return text

    # -- the list ------------------------------------------------------------------------------

    def refresh(self) -> None:
        selected = self.selected_name()
        measured = self.manager.measured()
        in_use = self.settings.value("model/name")
        self.rows = self.manager.models()
        self.table.setRowCount(len(self.rows))
        for row, info in enumerate(self.rows):
            item = info.entry
            speed = measured.get(info.name)
            cells = (
                info.name + (self.tr("  (in use)") if info.name == in_use else ""),
                item.languages if item else "",
                info.size_label,
                f"~{megabytes(item.memory_mb * 1e6)}" if item else "",
                f"{item.wer[0]:.1f} / {item.wer[1]:.1f} %" if item and item.wer else "—",
                self._speed_text(speed) if speed else "",
                self._state(info),
            )
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if info.name == in_use:
                    font = QFont(cell.font())
                    font.setBold(True)
                    cell.setFont(font)
                self.table.setItem(row, column, cell)
            if info.name == selected:
                self.table.selectRow(row)
        best = self.manager.recommendation()
        advice = (
            self._t("Recommended for live dictation here: %1 (measured).", best.name)
            if best
            else self.tr("Measure speed to see which model keeps up with live dictation on this machine.")
        )
        used = self._t(
            "Models folder: %1 (%2 used)", self.manager.store.models_dir, megabytes(self.manager.disk_used())
        )
        self.footer.setText(f"{advice}\n{used}")
        self._update_buttons()

    def _speed_text(self, speed) -> str:
        live = self.tr("live keeps up") if speed.keeps_up else self.tr("live too slow")
        return f"{speed.file_speed:.0f}x " + self.tr("real time") + f"; {live} ({speed.live_median_s:.1f} s)"

    def _state(self, info: ModelInfo) -> str:
        if self.manager.downloading(info.name):
            return self.tr("Downloading…")
        if info.installed:
            return self.tr("Installed")
        if info.partial:
            return self._t("Stopped at %1 %", info.partial[0] * 100 // max(1, info.partial[1]))
        return self.tr("Not downloaded")

    def selected(self) -> ModelInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def selected_name(self) -> str | None:
        info = self.selected() if self.rows else None
        return info.name if info else None

    def select(self, name: str) -> None:
        for row, info in enumerate(self.rows):
            if info.name == name:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        info = self.selected()
        busy = info is not None and self.manager.downloading(info.name)
        installed = info is not None and info.installed
        self.download_button.setText(self.tr("&Resume download") if info and info.partial else self.tr("&Download"))
        self.download_button.setEnabled(info is not None and not installed and not busy)
        self.cancel_button.setEnabled(busy)
        self.use_button.setEnabled(installed and info.name != self.settings.value("model/name"))
        self.remove_button.setEnabled(
            info is not None and not busy and info.name != "tiny.en" and bool(info.installed or info.partial)
        )
        self.speed_button.setEnabled(not self.manager.measuring)
        if info is None:
            self.details.setText(self.tr("Pick a model to see what it is for."))
            return
        note = info.entry.note if info.entry else ""
        where = str(info.path) if info.installed and info.path else info.source
        self.details.setText(f"<b>{info.name}</b> — {note}<br>{where}")

    # -- actions -------------------------------------------------------------------------------

    def download_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self.manager.download(info.name)

    def cancel_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self.manager.cancel(info.name)

    def use_selected(self) -> None:
        info = self.selected()
        if info is not None and info.installed:
            self.settings.set_value("model/name", info.name)  # the window loads it
            self.status.setText(self._t("Dictation and files now use %1.", info.name))
            self.refresh()

    def remove_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        if info.name == self.settings.value("model/name"):
            self.status.setText(self._t("%1 is in use: use another model before removing it.", info.name))
            return
        if not self.confirm(self._t("Remove %1 from this computer? It can be downloaded again.", info.name)):
            return
        try:
            freed = self.manager.remove(info.name)
        except Exception as exc:  # DictationError: a sentence for the user
            self.status.setText(str(exc))
            return
        self.status.setText(self._t("%1 removed (%2 freed).", info.name, megabytes(freed)))

    def import_from(self, path: Path) -> None:
        self.status.setText(self._t("Importing and checking %1…", path))
        self.manager.import_model(path)

    def _import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Import a model folder"))
        if folder:
            self.import_from(Path(folder))

    def _import_archive(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import a model archive"), "", self.tr("Archives (*.tar *.tar.gz *.tgz *.tar.xz *.zip)")
        )
        if path:
            self.import_from(Path(path))

    def measure_installed(self) -> None:
        names = [m.name for m in self.rows if m.installed]
        self.status.setText(
            self._t("Measuring %1: a sample as a file, then live in real time (about 20 s each).", ", ".join(names))
        )
        self.manager.measure(names)
        self._update_buttons()

    def _ask(self, text: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Models"), text)
        return answer == QMessageBox.StandardButton.Yes

    # -- the manager's events --------------------------------------------------------------------

    def _on_event(self, event: object) -> None:
        if isinstance(event, DownloadStarted):
            size = self.tr("size asked of the hub")
            if event.about_mb:
                size = self._t("about %1", megabytes(event.about_mb * 1e6))
            resumed = self._t(", going on from %1", megabytes(event.resumed_bytes)) if event.resumed_bytes else ""
            self.status.setText(self._t("Downloading %1 from %2 (%3%4)…", event.name, event.endpoint, size, resumed))
            self.bar.setRange(0, 0)  # busy until the hub says the sizes
            self.bar.setVisible(True)
            self.refresh()
        elif isinstance(event, DownloadProgress):
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * event.done / max(1, event.total)))
            self.bar.setFormat(f"{event.name}: %p%")
            self.status.setText(self._t("Downloading %1: %2", event.name, event.describe()))
            row = next((i for i, info in enumerate(self.rows) if info.name == event.name), None)
            if row is not None:
                percent = event.done * 100 // max(1, event.total)
                self.table.item(row, STATE).setText(self._t("Downloading… %1 %", percent))
        elif isinstance(event, DownloadEnded):
            self.bar.setVisible(False)
            self.status.setText(event.message)
            if event.ok:
                self.select(event.name)
        elif isinstance(event, SpeedMeasured):
            self.refresh()
            self.status.setText(event.result.line())
        elif isinstance(event, WorkFailed):
            self.status.setText(event.message)
        else:  # ModelsChanged
            self.refresh()
            if not self.manager.measuring and self.status.text().startswith(self.tr("Measuring")):
                self.status.setText(self._t("Measured. Live target: words final within %1 s.", LIVE_TARGET_MEDIAN_S))
