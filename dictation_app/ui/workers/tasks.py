"""``run_task``: run a function on the thread pool, get its result back on the GUI thread;
:class:`Poster`: the ``post`` function the core services report through."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from dictation_app.errors import DictationError

__all__ = ["Poster", "run_task"]


class Poster(QObject):
    """``post(func)`` from any thread runs ``func()`` on this object's thread (the GUI
    thread), in order, after what is already queued there."""

    _call = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def post(self, func: Callable[[], None]) -> None:
        try:
            self._call.emit((func,))  # boxed, as in run_task
        except RuntimeError:  # the application shut down meanwhile: nobody to tell
            pass

    @Slot(object)
    def _run(self, boxed: tuple) -> None:
        boxed[0]()


class _Relay(QObject):
    """Lives on the caller's thread, so its slots run there when the task emits."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, context: QObject, on_done: Callable[[Any], None], on_error: Callable[[str], None]) -> None:
        super().__init__()
        self.context, self.on_done, self.on_error = context, on_done, on_error
        self.done.connect(self._done)
        self.failed.connect(self._failed)

    @Slot(object)
    def _done(self, boxed: tuple) -> None:
        _live.discard(self)
        if shiboken6.isValid(self.context):  # the window that asked may be gone
            self.on_done(boxed[0])

    @Slot(str)
    def _failed(self, message: str) -> None:
        _live.discard(self)
        if shiboken6.isValid(self.context):
            self.on_error(message)


class _Task(QRunnable):
    def __init__(self, func: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.func, self.relay = func, relay

    def run(self) -> None:
        try:
            result = self.func()
        except DictationError as exc:
            self._send(self.relay.failed, str(exc))
        except Exception as exc:  # a bug: still a message, never a dead worker
            self._send(self.relay.failed, f"Unexpected error: {type(exc).__name__}: {exc}")
        else:
            self._send(self.relay.done, (result,))  # boxed: PySide mis-counts a bare None sent across threads

    @staticmethod
    def _send(signal, value) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the application shut down while this ran: nobody to tell
            pass


_live: set[_Relay] = set()  # relays must outlive their tasks


def run_task(
    context: QObject, func: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[str], None]
) -> None:
    """Call ``func()`` on the global pool; ``on_done(result)`` or ``on_error(message)`` runs on
    the thread that called ``run_task`` (queued signal), unless ``context`` was deleted meanwhile."""
    relay = _Relay(context, on_done, on_error)
    _live.add(relay)
    QThreadPool.globalInstance().start(_Task(func, relay))
