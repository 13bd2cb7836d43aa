"""The full collection file decoding asks for runs on the GUI thread, not on the worker (where
freeing a Qt object crashes: two CI runs died "Garbage-collecting" on the file-queue thread)."""

import gc
import threading

from PySide6.QtWidgets import QWidget

from dictation_app.audio.decode import load_audio

from conftest import DATA


class Tracer:
    """Records the thread that frees it."""

    freed_on: list[str] = []

    def __init__(self) -> None:
        self.widget = QWidget()
        self.widget.tracer = self  # a cycle through a Qt object: only the collector frees it

    def __del__(self) -> None:
        Tracer.freed_on.append(threading.current_thread().name)


def on_worker(work) -> None:
    worker = threading.Thread(target=work, name="worker")
    worker.start()
    worker.join()


def test_the_collection_file_decoding_asks_for_runs_on_the_gui_thread(qtbot, qapp):
    """A widget in a garbage cycle, then a file decoded on a worker (which asks for a full
    collection): the cycle is freed on the main thread."""
    gc.collect()
    Tracer.freed_on.clear()
    Tracer()
    gc.disable()  # only the collection asked for is under test (an automatic one may come anywhere)
    try:
        on_worker(lambda: load_audio(DATA / "jfk.flac"))
        assert Tracer.freed_on == []
        qtbot.waitUntil(lambda: bool(Tracer.freed_on), timeout=5000)
    finally:
        gc.enable()
    assert Tracer.freed_on == [threading.main_thread().name]


def test_an_overlay_left_to_the_collector_is_freed_without_a_crash(tmp_path):
    """The overlay is a top-level window that Python owns; the controller that made it is
    freed by the collector (a cycle through the window's services), and the overlay with it.
    With layouts nested in its layout, PySide freed their items twice and the process died
    "Garbage-collecting" (two two-worker runs of this suite; three of three runs here)."""
    import os
    import subprocess
    import sys

    script = (
        "import gc\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from dictation_app.ui.widgets.overlay import Overlay\n"
        "for shown in [False, True] * 10:\n"
        "    overlay = Overlay()\n"
        "    overlay.set_held('not typed', 'refused')\n"
        "    overlay.show() if shown else None\n"
        "    overlay.cycle = overlay  # only the collector frees it\n"
        "    del overlay\n"
        "    gc.collect()\n"
        "print('freed')\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "freed", result.stderr[-2000:]
