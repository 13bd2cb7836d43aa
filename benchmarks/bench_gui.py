"""GUI responsiveness, the GUI path's overhead, and live dictation with a file transcribing
beside it, in one run (offscreen Qt).

* the GUI path's wall time over the headless path on the same input: the window's queue vs
  ``FileTranscriber`` directly, and window dictation vs a headless dictation of the same
  service (fed as fast as they decode, so the ratio is the overhead, not the clock);
  interleaved (ABBA) and repeated ``--rounds`` times, medians compared, so neither path
  gains from running second (warm caches, CPU frequency);
* the event loop's longest stall (a 10 ms timer's worst lateness) while the queue
  transcribes and while the window dictates in real time;
* live and file together: commit latency of a dictation paced in real time, alone and with
  the queue transcribing files beside it, and the files' own time, alone and beside the
  dictation; with the window's policy (the queue waits while the speaker is inside an
  utterance) and with the queue sharing the model freely. ``--together-rounds`` repeats
  these, alternating their order.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_gui.py [--file F] [--dictate F] [--live F]
                                                            [--rounds 3] [--together-rounds 1]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LONG = ROOT.parent / "shared" / "speech" / "longform"
DATA = ROOT / "tests" / "data"
DEFAULT_FILE = next(p for p in [LONG / "1088-134318.flac", DATA / "longform-163-122947.flac"] if p.exists())
DEFAULT_DICTATE = DATA / "1089-134686-0000.flac"
DEFAULT_LIVE = next(p for p in [LONG / "163-122947.flac", DATA / "longform-163-122947.flac"] if p.exists())


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


def wait_until(app, condition, timeout: float = 1200) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError
        app.processEvents()
        time.sleep(0.002)  # benchmark driver loop, not app code


class Bench:
    """The window, its service and queue, and what the dictation source plays."""

    def __init__(self, args) -> None:
        from PySide6.QtCore import QSettings, QStandardPaths

        from dictation_app.audio.sources import FileSource
        from dictation_app.engine import ModelStore
        from dictation_app.settings.store import Settings
        from dictation_app.transcript.autosave import AutosaveStore
        from dictation_app.ui.app import build_window, create_application

        data = Path(tempfile.mkdtemp(prefix="bench-gui-"))
        os.environ["DICTATION_APP_DATA_DIR"] = str(data)
        QStandardPaths.setTestModeEnabled(True)
        self.app = create_application([])
        self.source = {"path": args.dictate, "realtime": True}
        settings = Settings(QSettings(str(data / "settings.ini"), QSettings.Format.IniFormat))
        self.window = build_window(
            ModelStore(),
            AutosaveStore(data / "autosave"),
            settings=settings,
            source_factory=lambda: FileSource(self.source["path"], realtime=self.source["realtime"]),
        )
        self.window.docs.ask_unsaved = lambda docs: None
        self.window.show()
        self.window.load_model()
        wait_until(self.app, self.window.record_action.isEnabled)
        self.live_first = self.window.files.pause

    def queue_files(self, paths: list[Path]) -> float:
        from dictation_app.core.file_queue import JobState

        t0 = time.perf_counter()
        jobs = self.window.files.add(paths)
        wait_until(self.app, lambda: all(j.state in (JobState.DONE, JobState.FAILED) for j in jobs))
        assert all(j.state is JobState.DONE for j in jobs), [j.message for j in jobs]
        return time.perf_counter() - t0

    def dictate(self, path: Path, realtime: bool):
        """Dictate ``path`` through the window; its latency meter."""
        self.source.update(path=path, realtime=realtime)
        self.window.record_action.trigger()
        meter = self.window.dictation.worker.dictation.latency
        wait_until(self.app, lambda: self.window.dictation is None)
        return meter


def _median(values: list[float]) -> float:
    return statistics.median(values)


def overhead(bench: Bench, args) -> None:
    """GUI path vs headless path, ABBA-interleaved over ``--rounds``."""
    from dictation_app.audio.sources import FileSource
    from dictation_app.engine import FileTranscriber

    window = bench.window
    options = window.options()

    def headless_file() -> float:
        t0 = time.perf_counter()
        FileTranscriber(window.model, window.model_name).start(args.file, options.transcribe).run()
        return time.perf_counter() - t0

    def headless_live() -> float:
        t0 = time.perf_counter()
        for _ in window.service.dictation(FileSource(args.dictate), options.streaming, record=False).run():
            pass
        return time.perf_counter() - t0

    def gui_live() -> float:
        t0 = time.perf_counter()
        bench.dictate(args.dictate, realtime=False)
        return time.perf_counter() - t0

    times: dict[str, list[float]] = {"headless file": [], "GUI queue": [], "headless live": [], "GUI live": []}
    meter = StallMeter()
    stall_file = 0.0
    for r in range(args.rounds):
        pairs = [
            ("headless file", headless_file),
            ("GUI queue", lambda: bench.queue_files([args.file])),
            ("headless live", headless_live),
            ("GUI live", gui_live),
        ]
        if r % 2:
            pairs = [pairs[1], pairs[0], pairs[3], pairs[2]]
        for name, run in pairs:
            if name == "GUI queue":
                meter.start()
            times[name].append(run())
            if name == "GUI queue":
                stall_file = max(stall_file, meter.stop())
    meter.start()
    bench.dictate(args.dictate, realtime=True)
    stall_dictation = meter.stop()
    med = {k: _median(v) for k, v in times.items()}
    print(f"overhead, {args.rounds} rounds ABBA, medians:")
    print(
        f"  file: headless {med['headless file']:.2f} s, GUI queue {med['GUI queue']:.2f} s, "
        f"ratio {med['GUI queue'] / med['headless file']:.3f}  (all: {_fmt(times['headless file'])} / {_fmt(times['GUI queue'])})"
    )
    print(
        f"  dictation (unpaced): headless {med['headless live']:.2f} s, GUI {med['GUI live']:.2f} s, "
        f"ratio {med['GUI live'] / med['headless live']:.3f}  (all: {_fmt(times['headless live'])} / {_fmt(times['GUI live'])})"
    )
    print(
        f"  longest event-loop stall: transcribing {stall_file * 1000:.0f} ms, dictating {stall_dictation * 1000:.0f} ms"
    )


def _fmt(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def together(bench: Bench, args) -> None:
    """Real-time dictation alone and beside the queue, with and without live-first."""
    from dictation_app.audio.decode import load_audio
    from dictation_app.core.latency import percentile

    live_s = load_audio(args.live).duration
    file_alone = bench.queue_files([args.file])
    copies = max(1, math.ceil(live_s / file_alone))  # enough file work to outlast the dictation alone
    files = [args.file] * copies
    results: dict[str, list[tuple]] = {
        "dictation alone": [],
        "files alone": [],
        "together, live first": [],
        "together, shared": [],
    }

    def run_together(policy) -> tuple:
        bench.window.files.pause = policy
        jobs_started = time.perf_counter()
        from dictation_app.core.file_queue import JobState

        jobs = bench.window.files.add(files)
        meter = bench.dictate(args.live, realtime=True)
        wait_until(bench.app, lambda: all(j.state in (JobState.DONE, JobState.FAILED) for j in jobs))
        bench.window.files.pause = bench.live_first
        return meter, time.perf_counter() - jobs_started

    for r in range(args.together_rounds):
        runs = [
            ("dictation alone", lambda: (bench.dictate(args.live, realtime=True), None)),
            ("files alone", lambda: (None, bench.queue_files(files))),
            ("together, live first", lambda: run_together(bench.live_first)),
            ("together, shared", lambda: run_together(None)),
        ]
        for name, run in runs if r % 2 == 0 else runs[::-1]:
            results[name].append(run())
    print(
        f"live and file together: dictating {args.live.name} ({live_s:.0f} s, real time) "
        f"while the queue transcribes {copies} x {args.file.name}; {args.together_rounds} round(s)"
    )
    for name, runs in results.items():
        parts = []
        meters = [m for m, _ in runs if m is not None]
        if meters:
            commit = [x for m in meters for x in m.commit]
            first = [x for m in meters for x in m.first_partial]
            parts.append(
                f"commit latency median {percentile(commit, 50):.2f} s, p95 {percentile(commit, 95):.2f} s, "
                f"first partial median {percentile(first, 50):.2f} s"
            )
        walls = [w for _, w in runs if w is not None]
        if walls:
            parts.append(f"files done in {_median(walls):.1f} s")
        print(f"  {name}: " + "; ".join(parts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="what the queue transcribes")
    parser.add_argument("--dictate", type=Path, default=DEFAULT_DICTATE, help="dictated for the overhead figures")
    parser.add_argument("--live", type=Path, default=DEFAULT_LIVE, help="dictated in real time beside the queue")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--together-rounds", type=int, default=1)
    parser.add_argument("--skip-overhead", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    bench = Bench(args)
    print(f"file={args.file.name} dictate={args.dictate.name} live={args.live.name}")
    if not args.skip_overhead:
        overhead(bench, args)
    if args.together_rounds:
        together(bench, args)
    bench.window.close()


if __name__ == "__main__":
    main()
