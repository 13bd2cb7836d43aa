"""GUI responsiveness and the GUI path's overhead, in one run (offscreen Qt).

* the event loop's longest stall (a 10 ms timer's worst lateness) while the window's queue
  transcribes a file, and while the window dictates from a real-time file source;
* the GUI path's wall time over the headless path on the same input in the same run:
  the queue vs ``FileTranscriber`` directly, and window dictation vs ``LiveSession``
  (both fed as fast as they decode, so the ratio is the overhead, not the clock).

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py [--file F] [--dictate F]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LONG = ROOT.parent / "shared" / "speech" / "longform"
DEFAULT_FILE = next((p for p in [LONG / "1088-134318.flac", ROOT / "tests" / "data" / "longform-163-122947.flac"] if p.exists()))
DEFAULT_DICTATE = ROOT / "tests" / "data" / "1089-134686-0000.flac"


class StallMeter:
    """A 10 ms timer on the GUI thread; its worst lateness is the longest stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer(interval=10, timerType=Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.last:
            self.worst = max(self.worst, now - self.last - 0.010)
        self.last = now

    def start(self) -> None:
        self.last, self.worst = 0.0, 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst


def wait_until(app, condition, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError
        app.processEvents()
        time.sleep(0.002)  # benchmark driver loop, not app code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--dictate", type=Path, default=DEFAULT_DICTATE)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    data = Path(tempfile.mkdtemp(prefix="bench-gui-"))
    os.environ["DICTATION_APP_DATA_DIR"] = str(data)

    from PySide6.QtCore import QSettings, QStandardPaths

    from dictation_app.audio.decode import load_audio
    from dictation_app.audio.sources import FileSource
    from dictation_app.engine import FileTranscriber, ModelStore
    from dictation_app.engine.session import LiveSession
    from dictation_app.engine.streaming import StreamingTranscriber, WhisperBackend
    from dictation_app.settings.store import Settings
    from dictation_app.transcript.autosave import AutosaveStore
    from dictation_app.ui.app import create_application
    from dictation_app.ui.main_window import MainWindow
    from dictation_app.ui.models.queue_model import JobState

    QStandardPaths.setTestModeEnabled(True)
    app = create_application([])
    store = ModelStore()
    source = {"realtime": True}
    window = MainWindow(Settings(QSettings(str(data / "settings.ini"), QSettings.Format.IniFormat)), store,
                        AutosaveStore(data / "autosave"),
                        lambda: FileSource(args.dictate, realtime=source["realtime"]))
    window.docs.ask_unsaved = lambda docs: None
    window.show()
    window.load_model()
    wait_until(app, window.record_action.isEnabled)
    model = window.model
    audio_s = load_audio(args.file).duration
    dictate_s = load_audio(args.dictate).duration
    meter = StallMeter()

    # File transcription: headless, then through the window's queue (same options).
    options = window._transcribe_options()
    t0 = time.perf_counter()
    FileTranscriber(model, "tiny.en").start(args.file, options).run()
    headless_file = time.perf_counter() - t0
    meter.start()
    t0 = time.perf_counter()
    (job,) = window.queue.add_files([args.file])
    wait_until(app, lambda: job.state in (JobState.DONE, JobState.FAILED))
    gui_file = time.perf_counter() - t0
    stall_file = meter.stop()
    assert job.state is JobState.DONE, job.message

    # Dictation paced in real time: the stall a user would feel.
    meter.start()
    window.record_action.trigger()
    wait_until(app, lambda: window.dictation is None)
    stall_dictation = meter.stop()

    # Dictation as fast as it decodes: headless LiveSession vs the window.
    streaming = window._streaming_options()
    t0 = time.perf_counter()
    session = LiveSession(FileSource(args.dictate), StreamingTranscriber(WhisperBackend(model, streaming), streaming))
    for _ in session.run():
        pass
    headless_live = time.perf_counter() - t0
    source["realtime"] = False
    t0 = time.perf_counter()
    window.record_action.trigger()
    wait_until(app, lambda: window.dictation is None)
    gui_live = time.perf_counter() - t0

    print(f"file={args.file.name} audio_s={audio_s:.1f} dictate={args.dictate.name} audio_s={dictate_s:.1f}")
    print(f"file: headless {headless_file:.2f} s, GUI queue {gui_file:.2f} s, ratio {gui_file / headless_file:.3f}")
    print(f"dictation (unpaced): headless {headless_live:.2f} s, GUI {gui_live:.2f} s, ratio {gui_live / headless_live:.3f}")
    print(f"longest event-loop stall: transcribing {stall_file * 1000:.0f} ms, dictating {stall_dictation * 1000:.0f} ms")
    window.close()


if __name__ == "__main__":
    main()
