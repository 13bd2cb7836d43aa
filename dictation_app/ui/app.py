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


def run(argv: list[str] | None = None) -> int:
    """Open the window at once; the model loads behind it and crash leftovers are offered."""
    from pathlib import Path

    from PySide6.QtCore import QSettings

    from dictation_app.core.privacy import secure_storage

    app = create_application(argv)
    problems = secure_storage(Path(QSettings().fileName()))
    window = build_window()
    window.show()
    for problem in problems:
        window.show_problem(problem)
    QTimer.singleShot(0, window.load_model)
    QTimer.singleShot(0, window.offer_restore)
    return app.exec()
