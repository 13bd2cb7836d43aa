"""Runs a core :class:`~dictation_app.core.dictation.Dictation` on its own thread and reports
its words, level, latency and problems through signals (its state comes from the service)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from dictation_app.core.dictation import Dictation
from dictation_app.core.voice import CommandHeard
from dictation_app.engine.streaming import Commit, Partial, Revision, StreamError
from dictation_app.errors import DictationError

__all__ = ["DictationWorker", "DictationThread"]

LEVEL_EVERY_S = 0.05


class DictationWorker(QObject):
    """Lives on a :class:`DictationThread`; ``run`` loops until stopped or the source ends.

    Args:
        dictation: Built by the dictation service, not started.
        before_start: Run on the dictation's thread before the microphone opens (the start
            cue, played to its end so the recording does not begin with it).
    """

    started = Signal(str)  # session folder
    committed = Signal(object)  # tuple[Word, ...]
    partial = Signal(object)  # tuple[Word, ...]
    revised = Signal(object)  # a Revision: committed words changed
    command_heard = Signal(str)  # a spoken command took effect (its name: "new paragraph")
    level = Signal(float)  # dBFS RMS of the latest audio
    latency = Signal(float)  # seconds from a word's audio to its commit
    error = Signal(str)
    finished = Signal(str)  # session folder ("" if it never started)

    def __init__(self, dictation: Dictation, before_start: Callable[[], object] | None = None) -> None:
        super().__init__()
        self.dictation = dictation
        self._before_start = before_start

    def stop(self) -> None:
        """Thread-safe: the session ends after its current step (see :meth:`Dictation.request_stop`)."""
        self.dictation.request_stop()

    @Slot()
    def run(self) -> None:
        if self._before_start is not None:
            self._before_start()
        try:
            self.dictation.start()
        except DictationError as exc:
            self.error.emit(str(exc))
            self.finished.emit("")
            return
        folder = self.dictation.folder
        self.started.emit(folder)
        last_level = 0.0
        while not self.dictation.ended:
            for event in self.dictation.step(0.1):
                self._route(event)
            now = time.perf_counter()
            if now - last_level >= LEVEL_EVERY_S:
                last_level = now
                self.level.emit(self.dictation.source.level.rms_db)
        self.finished.emit(folder)

    def _route(self, event) -> None:
        if isinstance(event, Commit):
            self.committed.emit(event.words)
            if self.dictation.latency.last is not None:
                self.latency.emit(self.dictation.latency.last)
        elif isinstance(event, Partial):
            self.partial.emit(event.words)
        elif isinstance(event, Revision):
            self.revised.emit(event)
        elif isinstance(event, CommandHeard):
            self.command_heard.emit(event.name)
        elif isinstance(event, StreamError):
            self.error.emit(event.message)


class DictationThread(QThread):
    """Owns a worker for one session: start() runs it, the thread quits when it finishes."""

    def __init__(self, worker: DictationWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        worker.moveToThread(self)
        self.started.connect(worker.run)
        worker.finished.connect(self.quit, Qt.ConnectionType.DirectConnection)  # GUI may be wait()ing
        self.finished.connect(worker.deleteLater)
