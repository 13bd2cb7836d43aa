"""Composition root: builds the application, its settings, stores and the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from dictation_app import __version__
from dictation_app.engine.models import ModelStore
from dictation_app.settings.store import Settings
from dictation_app.transcript.autosave import AutosaveStore
from dictation_app.ui.main_window import MainWindow

__all__ = ["create_application", "run"]


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("dictation-app")
    app.setApplicationName("dictation-app")
    app.setApplicationDisplayName("Dictation")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("dictation-app")
    app.setWindowIcon(QIcon.fromTheme("dictation-app"))
    return app


def build_window(store: ModelStore | None = None, autosave: AutosaveStore | None = None) -> MainWindow:
    return MainWindow(Settings(), store or ModelStore(), autosave or AutosaveStore())


def _already_running() -> bool:
    """Another instance answers on the control socket: its window is shown instead."""
    from dictation_app.anywhere.control import ControlError, send_command

    try:
        send_command("show", timeout=2.0)
    except ControlError:
        return False
    print("dictation-app: already running; its window is shown.", file=sys.stderr)
    return True


def run(argv: list[str] | None = None, background: bool = False) -> int:
    """Open the window at once (``background``: only the tray icon, where there is a tray);
    the model loads behind it and crash leftovers are offered. One instance per user: a
    second one shows the first one's window and exits."""
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
    if anywhere.tray is not None:
        app.setQuitOnLastWindowClosed(False)
    if not background:
        window.show()
    elif anywhere.tray is None:  # no tray to live in: a window that does not take the focus
        window.showMinimized()
    for problem in problems + [p for p in (window.service.history.problem,) if p]:
        window.show_problem(problem)
    QTimer.singleShot(0, window.load_model)
    QTimer.singleShot(0, lambda: window.history.apply_retention(window.settings.value("history/keep_days"),
                                                                window.settings.value("history/max_mb")))
    QTimer.singleShot(0, window.offer_restore)
    return app.exec()
