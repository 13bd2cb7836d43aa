"""The main window: toolbar, documents, queue and export docks, status bar. Routing only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QComboBox, QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QToolBar, QVBoxLayout, QWidget,
)

from dictation_app.audio.sources import AudioSource
from dictation_app.engine.models import DEFAULT_MODEL, LoadOptions, ModelStore
from dictation_app.engine.streaming import StreamingOptions
from dictation_app.engine.transcriber import FileTranscriber, TranscribeOptions
from dictation_app.engine.vad import VadSettings
from dictation_app.settings.declarations import LANGUAGES
from dictation_app.settings.store import Settings
from dictation_app.system import open_path
from dictation_app.transcript import Transcript
from dictation_app.transcript.autosave import AutosaveStore, SavedDocument
from dictation_app.ui.documents import DocumentTabs
from dictation_app.ui.widgets.export_pane import ExportPane
from dictation_app.ui.widgets.level_meter import LevelMeter
from dictation_app.ui.widgets.preferences import PreferencesDialog
from dictation_app.ui.widgets.queue_pane import QueuePane
from dictation_app.ui.workers.dictation import DictationThread, DictationWorker
from dictation_app.ui.workers.tasks import run_task

__all__ = ["MainWindow"]

MEDIA_SUFFIXES = {
    ".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wma", ".aiff", ".aif",
    ".mp4", ".mkv", ".mov", ".webm", ".avi", ".wmv", ".m4v", ".mpg", ".mpeg", ".3gp",
}


def expand_dropped(paths: list[Path]) -> list[Path]:
    """Files as given; folders become the media files inside them (recursively, sorted)."""
    out = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in MEDIA_SUFFIXES)
        else:
            out.append(path)
    return out


class MainWindow(QMainWindow):
    """Args:
        settings: Typed settings.
        store: Where models come from.
        autosave: Where open documents are kept.
        source_factory: Makes the audio source for a dictation (default: the chosen microphone).
    """

    def __init__(self, settings: Settings, store: ModelStore, autosave: AutosaveStore,
                 source_factory: Callable[[], AudioSource] | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Dictation")
        self.setAcceptDrops(True)
        self.settings, self.store = settings, store
        self.source_factory = source_factory or self._microphone
        self._uses_microphone = source_factory is None
        self.model = None
        self.model_name = ""
        self.no_input: str | None = None  # why dictation is off (no microphone), or None
        self.dictation: DictationThread | None = None

        self.docs = DocumentTabs(autosave)
        self.banner = QLabel(wordWrap=True)
        self.banner.setStyleSheet("background:#fdecea; color:#611a15; padding:6px; border-radius:3px")
        self.banner.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.docs)
        self.setCentralWidget(central)

        self.queue = QueuePane(self._transcribe_options)
        self.export = ExportPane(settings)
        self._dock(self.queue, self.tr("Files"), Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock(self.export, self.tr("Export"), Qt.DockWidgetArea.RightDockWidgetArea)
        self._build_toolbar()
        self._build_menus()
        self._build_status_bar()

        self.queue.transcript_ready.connect(self.docs.open_transcript)
        self.docs.message.connect(self.show_message)
        self.export.message.connect(self.show_message)
        self.docs.current_document_changed.connect(self._update_export)
        self.docs.document_edited.connect(self.export.document_changed)
        settings.changed.connect(self._setting_changed)
        self._update_export()
        geometry = settings.raw("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)

    # -- construction ---------------------------------------------------------------------

    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)

    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Dictation"))
        bar.setObjectName("toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.record_action = QAction(self.tr("Record"), self)
        self.record_action.setShortcut(QKeySequence("F9"))
        self.record_action.setToolTip(self.tr("Start or stop dictation (F9)"))
        self.record_action.setEnabled(False)
        self.record_action.triggered.connect(self.toggle_recording)
        bar.addAction(self.record_action)
        self.device_box = QComboBox(toolTip=self.tr("Microphone"))
        self.device_box.setMinimumContentsLength(16)
        self.device_box.activated.connect(
            lambda _: self.settings.set_value("dictation/input_device", self.device_box.currentData() or ""))
        self.model_box = QComboBox(editable=True, toolTip=self.tr("Model: a name or a model folder"))
        self.model_box.setMinimumContentsLength(10)
        self.model_box.activated.connect(
            lambda _: self.settings.set_value("model/name", self.model_box.currentText().strip()))
        self.language_box = QComboBox(toolTip=self.tr("Language spoken"))
        self.language_box.addItems(list(LANGUAGES))
        self.language_box.setCurrentText(self.settings.value("decoding/language"))
        self.language_box.activated.connect(
            lambda _: self.settings.set_value("decoding/language", self.language_box.currentText()))
        self.meter = LevelMeter()
        for label, widget in ((self.tr("Mic"), self.device_box), (self.tr("Model"), self.model_box),
                              (self.tr("Language"), self.language_box)):
            bar.addSeparator()
            bar.addWidget(QLabel(f" {label} "))
            bar.addWidget(widget)
        bar.addSeparator()
        bar.addWidget(self.meter)
        self.refresh_devices()
        self.refresh_models()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        file_menu.addAction(self.tr("&Open…"), QKeySequence.StandardKey.Open, self.open_files)
        file_menu.addAction(self.tr("&Save"), QKeySequence.StandardKey.Save,
                            lambda: self.docs.save_document(self.docs.current()))
        file_menu.addAction(self.tr("Export…"), QKeySequence("Ctrl+E"), self.export.save_as)
        file_menu.addSeparator()
        file_menu.addAction(self.tr("Preferences…"), QKeySequence.StandardKey.Preferences, self.edit_preferences)
        file_menu.addSeparator()
        file_menu.addAction(self.tr("&Quit"), QKeySequence.StandardKey.Quit, self.close)
        dictation = self.menuBar().addMenu(self.tr("&Dictation"))
        dictation.addAction(self.record_action)
        dictation.addAction(self.tr("Open as Transcript"), self.open_dictation_transcript)
        dictation.addAction(self.tr("Show Recordings Folder"), self.show_recordings)
        dictation.addAction(self.tr("Refresh Microphones"), self.refresh_devices)

    def _build_status_bar(self) -> None:
        self.model_label = QLabel()
        self.state_label = QLabel()
        self.latency_label = QLabel()
        for label in (self.model_label, self.state_label, self.latency_label):
            self.statusBar().addPermanentWidget(label)
        self.set_state("idle")

    # -- model ----------------------------------------------------------------------------

    def refresh_models(self) -> None:
        """Fill the model picker; listing imports faster-whisper, so it runs on a worker."""
        current = self.settings.value("model/name")
        self.model_box.clear()
        self.model_box.addItem(current)
        run_task(self, lambda: [m.name for m in self.store.list_models() if m.installed],
                 self._models_listed, lambda message: None)  # the picker still takes any name

    def _models_listed(self, names: list[str]) -> None:
        current = self.settings.value("model/name")
        self.model_box.clear()
        self.model_box.addItems(sorted(set(names) | {current}))
        self.model_box.setCurrentText(current)

    def load_model(self) -> None:
        """Load the chosen model on a worker; Record is enabled when it is ready."""
        name = self.settings.value("model/name")
        options = LoadOptions(device=self.settings.value("model/device"),
                              compute_type=self.settings.value("model/compute_type"),
                              cpu_threads=self.settings.value("model/threads"))
        self._load(name, options)

    def _load(self, name: str, options: LoadOptions) -> None:
        self.record_action.setEnabled(False)
        self.set_state("loading model")
        self.model_label.setText(name)
        run_task(self, lambda: self.store.load(name, options), lambda model: self._model_loaded(name, model),
                 lambda message: self._model_failed(name, options, message))

    def _model_loaded(self, name: str, model) -> None:
        self.model, self.model_name = model, name
        self.queue.set_transcriber(FileTranscriber(model, name))
        self._update_record_action()
        self.set_state("idle")

    def _model_failed(self, name: str, options: LoadOptions, message: str) -> None:
        if name != DEFAULT_MODEL or options != LoadOptions():
            self.show_problem(self.tr("Model '%s' could not be loaded: %s Using the default model (%s) instead.")
                              % (name, message, DEFAULT_MODEL))
            self._load(DEFAULT_MODEL, LoadOptions())
            return
        self.set_state("no model")
        self.show_problem(message)

    def _update_record_action(self) -> None:
        """Record needs a model and an input device; say why not when there is none."""
        ready = self.model is not None and self.no_input is None
        self.record_action.setEnabled(ready or self.dictation is not None)
        self.record_action.setToolTip(self.no_input or self.tr("Start or stop dictation (F9)"))

    def _setting_changed(self, key: str) -> None:
        if key.startswith("model/") and self.dictation is None:
            self.load_model()

    # -- dictation ------------------------------------------------------------------------

    def refresh_devices(self) -> None:
        """List input devices on a worker (PortAudio starts up slowly); until then, and when
        there is none, Record stays off and says why."""
        from dictation_app.audio.capture import list_input_devices

        if not self._uses_microphone:  # dictating from another source (a file, in tests and demos)
            self.no_input = None
            self._update_record_action()
            return
        self.no_input = self.tr("Looking for microphones…")
        self._update_record_action()
        run_task(self, list_input_devices, self._devices_listed,
                 lambda message: self._devices_listed([], self.tr("Dictation is off: %s File transcription works.") % message))

    def _devices_listed(self, devices: list, problem: str | None = None) -> None:
        self.device_box.clear()
        self.device_box.addItem(self.tr("System default"), "")
        for device in devices:
            self.device_box.addItem(device.name, device.name)
        index = self.device_box.findData(self.settings.value("dictation/input_device"))
        self.device_box.setCurrentIndex(max(0, index))
        previous = self.no_input
        self.no_input = problem or (None if devices else self.tr(
            "No microphone found: dictation is off until one is connected "
            "(then use Dictation > Refresh Microphones). File transcription works."))
        if self.no_input:
            self.show_problem(self.no_input)
        elif self.banner.text() == previous:  # the problem shown before is solved
            self.banner.hide()
        self._update_record_action()

    def _microphone(self) -> AudioSource:
        from dictation_app.audio.capture import MicrophoneSource

        return MicrophoneSource(self.settings.value("dictation/input_device") or None)

    def _decoding_settings(self) -> dict:
        """Language, prompt and hotwords: what live and file decoding share."""
        s = self.settings
        language = s.value("decoding/language")
        return {
            "language": None if language == "auto" else language,
            "initial_prompt": s.value("decoding/initial_prompt") or None,
            "hotwords": s.value("decoding/hotwords") or None,
        }

    def _streaming_options(self) -> StreamingOptions:
        threshold = self.settings.value("dictation/vad_threshold")
        return StreamingOptions(
            pause_s=self.settings.value("dictation/pause_s"),
            vad=VadSettings(threshold=threshold, neg_threshold=max(0.05, threshold - 0.15)),
            **self._decoding_settings(),
        )

    @Slot()
    def toggle_recording(self) -> None:
        if self.dictation is not None:
            self.dictation.worker.stop()
            self.record_action.setEnabled(False)  # until the tail is committed
            self.set_state("finishing")
            return
        if self.model is None:
            return
        self.banner.hide()
        editor = self.docs.dictation_editor
        editor.review_below = self.settings.value("dictation/review_below")
        worker = DictationWorker(self.source_factory(), self.model, self._streaming_options(),
                                 self.model_name, self.settings.value("decoding/language"))
        worker.committed.connect(editor.add_committed)
        worker.partial.connect(editor.set_tentative)
        worker.level.connect(self.meter.set_level)
        worker.state.connect(self.set_state)
        worker.latency.connect(self._show_latency)  # a bound slot: runs on the GUI thread
        worker.error.connect(self.show_problem)
        worker.started.connect(self._dictation_started)
        worker.finished.connect(self._dictation_finished)
        self.dictation = DictationThread(worker, self)
        self.docs.setCurrentIndex(0)
        editor.setFocus()
        self.record_action.setText(self.tr("Stop"))
        self.set_state("starting")
        self.dictation.start()

    @Slot(float)
    def _show_latency(self, seconds: float) -> None:
        self.latency_label.setText(self.tr("commit latency %.1f s") % seconds)

    def _dictation_started(self, folder: str) -> None:
        self.docs.dictation.session = folder

    def _dictation_finished(self, folder: str) -> None:
        self.docs.dictation_editor.end_dictation()
        self.dictation.wait()
        self.dictation.deleteLater()
        self.dictation = None
        self.meter.set_level(float("-inf"))
        self.record_action.setText(self.tr("Record"))
        self._update_record_action()
        self.set_state("idle")

    def open_dictation_transcript(self) -> None:
        from dictation_app.audio.recorder import load_session

        folder = self.docs.dictation.session
        if not folder:
            self.show_message(self.tr("Dictate first: a dictation's recording opens as a timestamped transcript."))
            return
        run_task(self, lambda: load_session(Path(folder)),
                 lambda t: self.docs.open_transcript(t, self.tr("Dictation %s") % Path(folder).name),
                 self.show_problem)

    def show_recordings(self) -> None:
        from dictation_app.audio.recorder import default_sessions_dir

        folder = Path(self.docs.dictation.session or default_sessions_dir())
        folder.mkdir(parents=True, exist_ok=True)
        open_path(folder)  # with the user's environment, not the bundle's

    # -- files ----------------------------------------------------------------------------

    def _transcribe_options(self) -> TranscribeOptions:
        return TranscribeOptions(task=self.settings.value("decoding/task"), **self._decoding_settings())

    def open_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, self.tr("Open audio, video or transcripts"), str(Path.home()))
        self.add_paths([Path(n) for n in names])

    def add_paths(self, paths: list[Path]) -> None:
        """Media files go to the queue; transcript JSON files open directly."""
        media = []
        for path in expand_dropped(paths):
            if path.suffix.lower() == ".json":
                run_task(self, lambda p=path: Transcript.from_json(p.read_text(encoding="utf-8")),
                         lambda t, p=path: self.docs.open_transcript(t, p.name, modified=False),
                         lambda m, p=path: self.show_problem(self.tr("%s is not a transcript: %s") % (p.name, m)))
            else:
                media.append(path)
        if media:
            self.queue.add_files(media)
            self.findChild(QDockWidget, self.tr("Files")).raise_()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    # -- documents and export -------------------------------------------------------------

    def _update_export(self) -> None:
        doc = self.docs.current()
        self.export.set_document(doc.transcript, doc.title, timed=doc.kind == "transcript")

    def offer_restore(self, ask: Callable[[list[SavedDocument]], bool] | None = None) -> None:
        """After a crash, offer the documents it left; declining discards them."""
        docs = self.docs.store.left_over()
        if not docs:
            return
        ask = ask or self._ask_restore
        if ask(docs):
            self.docs.restore(docs)
            self.show_message(self.tr("Restored %n document(s).", "", len(docs)))
        else:
            for doc in docs:
                self.docs.store.discard(doc.doc_id)

    def _ask_restore(self, docs: list[SavedDocument]) -> bool:
        names = "\n".join(f"• {d.title}" for d in docs)
        answer = QMessageBox.question(
            self, self.tr("Restore documents"),
            self.tr("The app did not close normally last time. Restore these documents?\n\n%s") % names,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def edit_preferences(self) -> None:
        PreferencesDialog(self.settings, self).exec()

    # -- status ---------------------------------------------------------------------------

    @Slot(str)
    def set_state(self, state: str) -> None:
        self.state_label.setText(state)

    @Slot(str)
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    @Slot(str)
    def show_problem(self, text: str) -> None:
        """A problem the user must see (no microphone, no model), without a modal dialog."""
        self.banner.setText(text)
        self.banner.show()
        self.show_message(text)

    def ask_quit_while_busy(self) -> bool:
        """Quit although files are being transcribed? (a dialog; tests replace it)"""
        answer = QMessageBox.question(
            self, self.tr("Transcription in progress"),
            self.tr("Files are still being transcribed. Quit and cancel them?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.queue.busy and not self.ask_quit_while_busy():
            event.ignore()
            return
        if self.dictation is not None:
            self.dictation.worker.stop()
            self.dictation.wait()  # the tail is committed and the recording closed
            QApplication.processEvents()  # deliver the last words to the editor
        if not self.docs.close_all():
            event.ignore()
            return
        self.settings.set_raw("geometry", self.saveGeometry())
        self.queue.shutdown()
        event.accept()
