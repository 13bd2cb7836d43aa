"""Full garbage collections asked for by other threads, run on the GUI thread (see
``dictation_app.garbage``: a Qt object in a garbage cycle freed on a worker crashes the process)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from dictation_app import garbage

__all__ = ["GuiThreadCollector", "collect_on_gui_thread"]

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Owns full collections while it lives: a timer on the GUI thread runs those asked for."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(garbage.collect_due)
        garbage.own()
        self._timer.start()
        self.destroyed.connect(garbage.release)


def collect_on_gui_thread(app: QObject) -> GuiThreadCollector:
    """Install the collector on ``app`` (once; later calls return the same one)."""
    existing = app.findChild(GuiThreadCollector)
    return existing if existing is not None else GuiThreadCollector(app)
