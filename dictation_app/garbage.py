"""Which thread runs a full garbage collection that a library asks for.

File decoding asks for one (PyAV's resampler keeps its buffers until its reference cycle is
collected, faster-whisper#390), on the file-queue thread. A full collection frees every garbage
cycle, those holding Qt widgets too (a closed dialog and the lambdas connected to it), and a Qt
object destroyed off the GUI thread crashes the process: two CI runs died "Garbage-collecting"
in that call. So where one thread owns such collections (``own()``: the window's GUI thread, see
``ui/collector.py``) the others only ask (``collect_soon``) and the owner collects
(``collect_due``); elsewhere (the CLI) ``collect_soon`` collects at once. The interpreter's own
automatic collections are left as they are: turning them off in the window delayed freeing so
much that resources released by finalizers outlived their use (two CI runs of the launched app
lost their microphone or their typing).
"""

from __future__ import annotations

import gc
import threading

__all__ = ["collect_due", "collect_soon", "own", "release"]

_requested = threading.Event()
_owned = threading.Event()


def own() -> None:
    """The calling thread runs the full collections asked for, by calling ``collect_due`` regularly."""
    _owned.set()


def release() -> None:
    _owned.clear()
    if _requested.is_set():
        collect_due()


def collect_soon() -> None:
    """A full collection: now, or, where one thread owns them, at its next turn."""
    if _owned.is_set():
        _requested.set()
    else:
        gc.collect()


def collect_due() -> int:
    """The owner's turn: the full collection asked for, if any; the number of objects freed."""
    if not _requested.is_set():
        return 0
    _requested.clear()
    return gc.collect()
