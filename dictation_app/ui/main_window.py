"""The main window: toolbar, documents, queue and export docks, status bar. Routing only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from dictation_app.audio.cues import Cues
from dictation_app.audio.sources import AudioSource
from dictation_app.core.dictation import DictationService, ModelProblem, ModelReady, ServiceEvent, StateChanged
from dictation_app.core.file_queue import FileQueue, JobChanged, JobState, TranscriptReady, media_files
from dictation_app.core.model_manager import ModelManager, ModelsChanged
from dictation_app.core.options import AppOptions, app_options
from dictation_app.core.typing import Typing
from dictation_app.engine.events import Revision
from dictation_app.settings.store import Settings
from dictation_app.system import open_path
from dictation_app.transcript import Transcript
from dictation_app.transcript.autosave import AutosaveStore, SavedDocument
from dictation_app.ui.accessible import announce
from dictation_app.ui.actions import ACTIONS, ActionId
from dictation_app.ui.documents import DocumentTabs
from dictation_app.ui.toolbar import build_toolbar
from dictation_app.ui.widgets.export_pane import ExportPane
from dictation_app.ui.widgets.history_pane import HistoryPane
from dictation_app.ui.widgets.microphone_sign import MicrophoneSign
from dictation_app.ui.widgets.models_dialog import ModelsDialog
from dictation_app.ui.widgets.preferences import PreferencesDialog
from dictation_app.ui.widgets.queue_pane import QueuePane
from dictation_app.ui.workers.dictation import DictationThread, DictationWorker
from dictation_app.ui.workers.tasks import Poster, run_task

__all__ = ["MainWindow"]


class MainWindow(QMainWindow):
    """Shows the dictation service's and the file queue's state and routes what the user asks for.

    ``dictation_begun(worker)`` is emitted for each dictation before it starts (the
    dictation-anywhere remote connects to its words).

    Args:
        settings: Typed settings.
        service: Dictations and the model (built with ``poster.post``).
        files: The file queue (built with ``poster.post``).
        autosave: Where open documents are kept.
        poster: Runs what the services report on the GUI thread.
        source_factory: Makes the audio source for a dictation (the chosen microphone in the app).
        models: The model manager (downloads, removal, speed tests) the Models window shows.
        uses_microphone: Whether those sources are a real microphone (its devices are listed,
            pre-roll can arm it).

    :mod:`dictation_app.ui.app` builds it (``build_window``): the composition root.
    """

    dictation_begun = Signal(object)  # DictationWorker

    def __init__(
        self,
        settings: Settings,
        service: DictationService,
        files: FileQueue,
        autosave: AutosaveStore,
        poster: Poster,
        source_factory: Callable[[], AudioSource],
        uses_microphone: bool = True,
        *,
        models: ModelManager,
    ) -> None:
        super().__init__()
        self._close_to_tray: Callable[[], bool] | None = None
        self._ask_on_close = True  # False: unsaved documents stay as autosaves (quit from outside)
        self.setWindowTitle("Dictation")
        self.setAcceptDrops(True)
        self.settings = settings
        self._given_source = self.source_factory = source_factory
        self.uses_microphone = uses_microphone
        self._poster = poster
        poster.setParent(self)
        self.post = poster.post  # run a callable on the GUI thread (services and the remote report through it)
        self.service = service
        self.service.subscribe(self._on_service_event)
        self.files = files
        self.files.subscribe(self._on_queue_event)
        self.models = models
        self.models.subscribe(self._on_models_event)
        self._models_dialog: ModelsDialog | None = None
        self.no_input: str | None = None  # why dictation is off (no microphone), or None
        self.dictation: DictationThread | None = None
        self.cues = Cues()  # start, stop and problem sounds, when the settings turn them on

        self.docs = DocumentTabs(autosave)
        self.banner = QLabel(wordWrap=True)
        self.banner.setStyleSheet("background:#fdecea; color:#611a15; padding:6px; border-radius:3px")
        self.banner.hide()
        self._problems: list[str] = []  # what the banner says, oldest first
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.banner)
        layout.addWidget(self.docs)
        self.setCentralWidget(central)

        self.queue = QueuePane(self.files)
        self.export = ExportPane(settings)
        self.history = HistoryPane(service.history, self.service, self.options)
        files = self._dock(self.queue, self.tr("Files"), Qt.DockWidgetArea.BottomDockWidgetArea)
        history = self._dock(self.history, self.tr("History"), Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(files, history)
        files.raise_()
        export = self._dock(self.export, self.tr("Export"), Qt.DockWidgetArea.RightDockWidgetArea)
        # View > a pane (Ctrl+1..4): where the keyboard goes in each (tabbed docks are raised)
        self._panes = {
            ActionId.GO_FILES: (files, self.queue.view),
            ActionId.GO_HISTORY: (history, self.history.search),
            ActionId.GO_EXPORT: (export, self.export.format_box),
        }
        self.actions = self._build_menus()
        self.record_action = self.actions[ActionId.RECORD]
        self._build_toolbar()
        self._build_status_bar()

        for pane in (self.docs, self.export, self.history):
            pane.message.connect(self.show_message)
        self.history.problem.connect(self.show_problem)
        self.history.open_requested.connect(self._open_from_history)
        self.docs.current_document_changed.connect(self._update_export)
        self.docs.document_edited.connect(self.export.document_changed)
        settings.changed.connect(self._setting_changed)
        self._update_export()
        geometry = settings.raw("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)
        self._bottom_docks = (files, history)
        self._docks_sized = False

    def showEvent(self, event) -> None:
        """The Files and History panes start at a quarter of the window's height (at most what
        they need): the document above keeps its room at large fonts on a small screen."""
        super().showEvent(event)
        if not self._docks_sized:
            self._docks_sized = True
            height = max(self.height() // 4, max(d.minimumSizeHint().height() for d in self._bottom_docks))
            self.resizeDocks(list(self._bottom_docks), [height] * 2, Qt.Orientation.Vertical)

    # -- construction ---------------------------------------------------------------------

    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_menus(self) -> dict[ActionId, QAction]:
        """The menus, from the one table of actions (:mod:`dictation_app.ui.actions`)."""
        actions: dict[ActionId, QAction] = {}
        handlers = self.handlers()
        menus: dict[str, object] = {}
        for spec in ACTIONS:
            if spec.menu not in menus:
                menus[spec.menu] = self.menuBar().addMenu(self.tr(spec.menu))
            menu = menus[spec.menu]
            if spec.separator_before:
                menu.addSeparator()
            action = QAction(self.tr(spec.text), self)
            if spec.shortcut is not None:
                action.setShortcut(QKeySequence(spec.shortcut))
            action.triggered.connect(handlers[spec.id])
            menu.addAction(action)
            actions[spec.id] = action
        record = actions[ActionId.RECORD]
        record.setToolTip(self.tr("Start or stop dictation (F9)"))
        record.setEnabled(False)
        return actions

    def handlers(self) -> dict[ActionId, Callable[[], object]]:
        """What each action of the table does."""
        return {
            ActionId.OPEN: self.open_files,
            ActionId.SAVE: self.save_document,
            ActionId.EXPORT: self.export_document,
            ActionId.PREFERENCES: self.edit_preferences,
            ActionId.MODELS: self.show_models,
            ActionId.QUIT: self.close,
            ActionId.RECORD: self.toggle_recording,
            ActionId.OPEN_DICTATION: self.open_dictation_transcript,
            ActionId.SHOW_RECORDINGS: self.show_recordings,
            ActionId.REFRESH_MICROPHONES: self.refresh_devices,
            ActionId.NEXT_UNSURE: lambda: self.select_unsure(True),
            ActionId.PREVIOUS_UNSURE: lambda: self.select_unsure(False),
            ActionId.GO_DICTATION: self.go_to_dictation,
            ActionId.GO_FILES: lambda: self.go_to_pane(ActionId.GO_FILES),
            ActionId.GO_HISTORY: lambda: self.go_to_pane(ActionId.GO_HISTORY),
            ActionId.GO_EXPORT: lambda: self.go_to_pane(ActionId.GO_EXPORT),
        }

    def go_to_dictation(self) -> None:
        self.docs.setCurrentIndex(0)
        self.docs.dictation_editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def go_to_pane(self, which: ActionId) -> None:
        dock, focus = self._panes[which]
        dock.show()
        dock.raise_()
        focus.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if focus is self.history.search:
            focus.selectAll()

    def select_unsure(self, forward: bool) -> None:
        """F8 / Shift+F8: select the next (previous) underlined word of the dictation and say it."""
        self.go_to_dictation()
        found = self.docs.dictation_editor.select_unsure(forward)
        if found is None:
            message = self.tr("No unsure words")
        else:
            number, count, word = found
            message = self.tr("Unsure word %1 of %2: %3").replace("%1", str(number)).replace("%2", str(count))
            message = message.replace("%3", word)
        self.show_message(message)

    def _build_toolbar(self) -> None:
        build_toolbar(self)
        self.refresh_devices()
        self.refresh_models()

    def _build_status_bar(self) -> None:
        self.mic_sign = MicrophoneSign(say_closed=False, announces=True)
        self.model_label = QLabel()
        self.state_label = QLabel()
        self.latency_label = QLabel()
        for label in (self.mic_sign, self.model_label, self.state_label, self.latency_label):
            self.statusBar().addPermanentWidget(label)
        self.set_state(self.service.state.value)

    # -- model ----------------------------------------------------------------------------

    def options(self) -> AppOptions:
        """What the settings say for models, dictation and files (the mapping every front end uses)."""
        return app_options(self.settings.value)

    @property
    def model(self):
        return self.service.model

    @property
    def model_name(self) -> str:
        return self.service.model_name

    def refresh_models(self) -> None:
        """Fill the model picker; listing imports faster-whisper, so it runs on a worker."""
        current = self.settings.value("model/name")
        self.model_box.clear()
        self.model_box.addItem(current)
        run_task(
            self,
            lambda: [m.name for m in self.service.store.list_models() if m.installed],
            self._models_listed,
            lambda message: None,
        )  # the picker still takes any name

    def _models_listed(self, names: list[str]) -> None:
        current = self.settings.value("model/name")
        self.model_box.clear()
        self.model_box.addItems(sorted(set(names) | {current}))
        self.model_box.setCurrentText(current)

    def load_model(self) -> None:
        """Load the chosen model behind the window; Record is enabled when it is ready."""
        options = self.options()
        self.record_action.setEnabled(False)
        self.model_label.setText(options.model_name)
        self.service.load(options.model_name, options.load)

    def _on_service_event(self, event: ServiceEvent) -> None:
        if isinstance(event, StateChanged):
            self.set_state(event.state.value)
        elif isinstance(event, ModelReady):
            self.model_label.setText(event.name)
            self.files.set_transcriber(self.service.file_transcriber())
            self._update_record_action()
        elif isinstance(event, ModelProblem):
            self.show_problem(event.message)
            self._update_record_action()  # a model loaded before still dictates

    def _on_queue_event(self, event) -> None:
        if isinstance(event, TranscriptReady):  # a finished file opens (or shows) its transcript tab
            self.docs.open_transcript(event.job.transcript)
            self.history.refresh()
            announce(self, self.tr("Transcript of %1 ready").replace("%1", event.job.path.name))
        elif isinstance(event, JobChanged) and event.job.state is JobState.FAILED:
            announce(self, f"{event.job.path.name}: {event.job.message}", urgent=True)

    def _update_record_action(self) -> None:
        """Record needs a model and an input device; say why not when there is none."""
        ready = self.model is not None and self.no_input is None
        self.record_action.setEnabled(ready or self.dictation is not None)
        self.record_action.setToolTip(self.no_input or self.tr("Start or stop dictation (F9)"))

    def _setting_changed(self, key: str) -> None:
        if key == "model/name":  # chosen elsewhere (the Models window): the picker shows it
            self.refresh_models()
        if key.startswith("model/") and self.dictation is None:
            self.load_model()

    # -- dictation ------------------------------------------------------------------------

    def refresh_devices(self) -> None:
        """Until the microphones are listed, and when there is none, Record stays off and says why."""
        self.no_input = self.tr("Looking for microphones…") if self.uses_microphone else None
        self._update_record_action()
        if self.uses_microphone:  # else dictating from another source (a file, in tests and demos)
            self.device_box.refresh()

    def _devices_listed(self, problem: str) -> None:
        previous = self.no_input
        self.no_input = problem or None
        if self.no_input:
            self.show_problem(self.no_input)
        elif previous:  # the problem shown before is solved
            self._problem_solved(previous)
        self._update_record_action()

    def use_source(self, factory: Callable[[], AudioSource] | None) -> None:
        """Dictate from ``factory``'s sources from now on (an armed microphone); None: as built."""
        self.source_factory = factory or self._given_source

    @Slot()
    def toggle_recording(self) -> None:
        if self.dictation is not None:
            self.stop_dictation()
        else:
            self.start_dictation()

    def start_dictation(self, typing: Typing | None = None, options: AppOptions | None = None) -> None:
        """Dictate into the editor, and with ``typing`` into another application too (with
        ``options``: those of the mode chosen for it; else the Preferences)."""
        if self.dictation is not None or self.model is None:
            return
        self._problems.clear()
        self._show_problems()
        options = options or self.options()
        editor = self.docs.dictation_editor
        editor.review_below = options.review_below
        destination = typing.target.label if typing is not None else "editor"
        worker = DictationWorker(
            self.service.dictation(
                self.source_factory(),
                options.streaming,
                language=options.language,
                voice=options.voice,
                destination=destination,
                typing=typing,
            ),
            before_start=(lambda: self._play_cue("start", wait=True)) if options.sounds else None,
        )
        worker.committed.connect(editor.add_committed)
        worker.revised.connect(self._revise)
        worker.command_heard.connect(self._command_heard)
        worker.partial.connect(editor.set_tentative)
        worker.level.connect(self.meter.set_level)
        worker.latency.connect(self._show_latency)  # a bound slot: runs on the GUI thread
        worker.error.connect(self.show_problem)
        worker.started.connect(self._dictation_started)
        worker.finished.connect(self._dictation_finished)
        self.dictation = DictationThread(worker, self)
        self.dictation_begun.emit(worker)
        self.docs.setCurrentIndex(0)
        editor.setFocus()
        self.record_action.setText(self.tr("&Stop"))
        self.mic_sign.set(True)  # before the dictation's thread opens it
        self.dictation.start()

    def stop_dictation(self) -> None:
        """End the dictation (its tail is decoded unless the recording is heard whole)."""
        if self.dictation is not None:
            self.dictation.worker.stop()
            self.record_action.setEnabled(False)  # until the tail is committed

    @Slot(object)
    def _revise(self, revision: Revision) -> None:
        """A revision of dictated words; a spoken command the editor could not carry out (the
        user changed those words meanwhile) is said, not silently dropped."""
        if not self.docs.dictation_editor.revise(revision) and revision.command not in ("", "edit"):
            message = self.tr("'%1' was not done: the words it changes were edited. What is there stays.")
            message = message.replace("%1", revision.command)
            self.show_message(message, urgent=True)

    @Slot(str)
    def _command_heard(self, name: str) -> None:
        announce(self, name)  # "new paragraph": otherwise only seen

    @Slot(float)
    def _show_latency(self, seconds: float) -> None:
        self.latency_label.setText(self.tr("commit latency %.1f s") % seconds)

    def _dictation_started(self, folder: str) -> None:
        self.docs.dictation.session = folder
        self.history.refresh()

    def _dictation_finished(self, folder: str) -> None:
        self.docs.dictation_editor.end_dictation()
        self.dictation.wait()
        self.dictation.deleteLater()
        self.dictation = None
        self.history.refresh()
        self.meter.set_level(float("-inf"))
        self.mic_sign.set(False)
        self.record_action.setText(self.tr("&Record"))
        self._update_record_action()
        self._cue("stop")

    def _open_from_history(self, transcript: Transcript, title: str) -> None:
        """An entry opened from the History pane: its tab is shown, the keyboard goes there."""
        doc = self.docs.open_transcript(transcript, title)
        doc.widget.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.show_message(self.tr("Opened %1").replace("%1", title))

    def open_dictation_transcript(self) -> None:
        self.docs.open_dictation_transcript(self.show_problem)

    def show_recordings(self) -> None:
        from dictation_app.audio.recorder import default_sessions_dir

        folder = Path(self.docs.dictation.session or default_sessions_dir())
        folder.mkdir(parents=True, exist_ok=True)
        open_path(folder)  # with the user's environment, not the bundle's

    # -- files ----------------------------------------------------------------------------

    def open_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, self.tr("Open audio, video or transcripts"), str(Path.home()))
        self.add_paths([Path(n) for n in names])

    def add_paths(self, paths: list[Path]) -> None:
        """Media files go to the queue; transcript JSON files open directly."""
        media = []
        for path in media_files(paths):
            if path.suffix.lower() == ".json":
                run_task(
                    self,
                    lambda p=path: Transcript.from_json(p.read_text(encoding="utf-8")),
                    lambda t, p=path: self.docs.open_transcript(t, p.name, modified=False),
                    lambda m, p=path: self.show_problem(self.tr("%s is not a transcript: %s") % (p.name, m)),
                )
            else:
                media.append(path)
        if media:
            self.files.add(media)
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
        restored = self.docs.offer_restore(ask)
        if restored:
            self.show_message(self.tr("Restored %n document(s).", "", restored))

    def save_document(self) -> None:
        self.docs.save_document(self.docs.current())

    def export_document(self) -> None:
        self.export.save_as()

    def edit_preferences(self) -> None:
        PreferencesDialog(self.settings, self).exec()

    def show_models(self) -> ModelsDialog:
        """The Models window (one, not modal: downloads go on while the user dictates)."""
        if self._models_dialog is None:
            self._models_dialog = ModelsDialog(self.models, self.settings, self)
        self._models_dialog.refresh()
        self._models_dialog.show()
        self._models_dialog.raise_()
        return self._models_dialog

    def _on_models_event(self, event: object) -> None:
        if isinstance(event, ModelsChanged):
            self.refresh_models()  # the picker offers what is installed

    # -- status ---------------------------------------------------------------------------

    @Slot(str)
    def set_state(self, state: str) -> None:
        self.state_label.setText(state)

    @Slot(str)
    def show_message(self, text: str, urgent: bool = False) -> None:
        """In the status bar for a while, and said by a screen reader (``urgent``: at once,
        interrupting what it is saying)."""
        self.statusBar().showMessage(text, 8000)
        announce(self, text, urgent)

    @Slot(str)
    def show_problem(self, text: str) -> None:
        """A problem the user must see (no microphone, no model), without a modal dialog."""
        if text not in self._problems:  # each problem once; two at a time are both said
            self._problems.append(text)
        self._show_problems()
        self.show_message(text, urgent=True)
        self._cue("problem")

    def _cue(self, name: str) -> None:
        """A cue sound, where the settings ask for them."""
        if self.settings.value("dictation/sounds"):
            self._play_cue(name)

    def _play_cue(self, name: str, wait: bool = False) -> None:
        """Any thread: a cue that cannot be played is said in the status bar and changes nothing else."""
        if not self.cues.play(name, wait) and self.cues.problem:
            self.post(lambda problem=self.cues.problem: self.show_message(problem))

    def _problem_solved(self, text: str) -> None:
        if text in self._problems:
            self._problems.remove(text)
            self._show_problems()

    def _show_problems(self) -> None:
        self.banner.setText("\n".join(self._problems))
        self.banner.setVisible(bool(self._problems))

    def ask_quit_while_busy(self) -> bool:
        """Quit although files are being transcribed? (a dialog; tests replace it)"""
        answer = QMessageBox.question(
            self,
            self.tr("Transcription in progress"),
            self.tr("Files are still being transcribed. Quit and cancel them?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def set_close_to_tray(self, wanted: Callable[[], bool]) -> None:
        """Closing the window hides it while ``wanted()`` (the app lives on in the tray)."""
        self._close_to_tray = wanted

    def close_keeping_documents(self) -> bool:
        """Close without asking about unsaved documents (kept as autosaves, offered at the
        next start): quitting from outside, where nobody may be at the window. Whether it closed."""
        self._ask_on_close = False
        try:
            self.close()
        finally:
            self._ask_on_close = True
        return not self.isVisible()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._close_to_tray is not None and self._close_to_tray():
            self.hide()
            event.ignore()
            return
        if self.files.busy and not self.ask_quit_while_busy():
            event.ignore()
            return
        if self.dictation is not None:
            self.dictation.worker.stop()
            self.dictation.wait()  # the tail is committed and the recording closed
            QApplication.processEvents()  # deliver the last words to the editor
        if not self.docs.close_all(ask=self._ask_on_close):
            event.ignore()
            return
        self.settings.set_raw("geometry", self.saveGeometry())
        self.files.shutdown()
        self.cues.close()
        event.accept()
