"""Composition root: builds the application, its settings, stores, the services and the main window
(the window and its panes ask the services; they build no engine object themselves)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from dictation_app import __version__
from dictation_app.audio.sources import AudioSource
from dictation_app.core.dictation import DictationService
from dictation_app.core.file_queue import FileQueue
from dictation_app.core.history import HistoryStore
from dictation_app.core.history_files import open_history
from dictation_app.core.model_manager import ModelManager
from dictation_app.core.options import app_options
from dictation_app.engine.models import ModelStore
from dictation_app.settings.store import Settings
from dictation_app.transcript.autosave import AutosaveStore
from dictation_app.ui.collector import collect_on_gui_thread
from dictation_app.ui.main_window import MainWindow
from dictation_app.ui.workers.tasks import Poster

__all__ = ["build_window", "create_application", "run"]


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("dictation-app")
    app.setApplicationName("dictation-app")
    app.setApplicationDisplayName("Dictation")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("dictation-app")
    app.setWindowIcon(QIcon.fromTheme("dictation-app"))
    collect_on_gui_thread(app)  # a Qt object in a garbage cycle is never freed on a worker thread
    return app


def build_window(
    store: ModelStore | None = None,
    autosave: AutosaveStore | None = None,
    *,
    settings: Settings | None = None,
    source_factory: Callable[[], AudioSource] | None = None,
    history: HistoryStore | None = None,
) -> MainWindow:
    """The main window with its services.

    Args:
        store: Where models come from.
        autosave: Where open documents are kept.
        settings: Typed settings (default: the user's).
        source_factory: Makes each dictation's audio source (default: the microphone the
            settings choose; tests and demos give a file).
        history: Where dictations and transcripts are kept (default: the user's database).
    """
    settings = settings if settings is not None else Settings()
    poster = Poster()  # the window adopts it; what the services report runs on the GUI thread
    history = history if history is not None else open_history()
    service = DictationService(store or ModelStore(), poster.post, history)
    options = lambda: app_options(settings.value)  # noqa: E731
    # Live first: a file waits while the speaker is inside an utterance (bench_gui.py).
    files = FileQueue(lambda: options().transcribe, poster.post, service.wait_while_speaking, history)
    files.voice = lambda: options().voice
    return MainWindow(
        settings,
        service,
        files,
        autosave or AutosaveStore(),
        poster,
        source_factory or (lambda: _microphone(options().input_device)),
        source_factory is None,
        models=ModelManager(service.store, poster.post),
    )


def _microphone(device: str | None) -> AudioSource:
    from dictation_app.audio.capture import MicrophoneSource

    return MicrophoneSource(device)


def _already_running() -> bool:
    """Another instance answers on the control socket: its window is shown instead."""
    from dictation_app.anywhere.control import ControlError, send_command

    try:
        send_command("show", timeout=2.0)
    except ControlError:
        return False
    print("dictation-app: already running; its window is shown.", file=sys.stderr)
    return True


def run(argv: list[str] | None = None, background: bool = False, dictate: bool = False) -> int:
    """Open the window at once (``background``: only the tray icon, where there is a tray);
    the model loads behind it and crash leftovers are offered. One instance per user: a
    second one shows the first one's window and exits. ``dictate``: dictation starts into the
    application that had the focus at launch, read before any window of the app is shown
    (on sway a new window takes the focus), once the model is loaded."""
    from pathlib import Path

    from PySide6.QtCore import QSettings

    from dictation_app.core.privacy import secure_storage
    from dictation_app.ui.anywhere import AnywhereController

    if _already_running():
        return 0
    app = create_application(argv)
    problems = secure_storage(Path(QSettings().fileName()))
    from dictation_app.ui.history_insert import HistoryInserter

    window = build_window()
    anywhere = AnywhereController(window)
    window.history.insert_requested.connect(HistoryInserter(anywhere).insert)
    app.aboutToQuit.connect(anywhere.shutdown)
    app.aboutToQuit.connect(window.models.shutdown)  # a download in flight stops; what arrived is kept
    if anywhere.tray is not None:
        app.setQuitOnLastWindowClosed(False)
    if dictate:
        anywhere.start()  # the target now, before the window can take the focus
    if not background:
        window.show()
    elif anywhere.tray is None and not anywhere.desktop.tiling:  # no tray: a window that does not take the focus
        window.showMinimized()
    # On a tiling compositor without a tray nothing is shown: a new window there is focused
    # (and would get the words dictated into the application the user is in); 'dictation-app
    # show', or starting the app again, shows the window.
    for problem in problems + [p for p in (window.service.history.problem,) if p]:
        window.show_problem(problem)
    QTimer.singleShot(0, window.load_model)
    QTimer.singleShot(
        0,
        lambda: window.history.apply_retention(
            window.settings.value("history/keep_days"), window.settings.value("history/max_mb")
        ),
    )
    QTimer.singleShot(0, window.offer_restore)
    return app.exec()
