"""Runs a live dictation session on its own thread and reports it through signals."""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from dictation_app.audio.recorder import SessionRecorder, new_session_dir
from dictation_app.audio.sources import AudioSource
from dictation_app.engine.session import LiveSession
from dictation_app.engine.streaming import (
    Commit, Partial, StreamError, StreamingOptions, StreamingTranscriber, WhisperBackend,
)
from dictation_app.errors import DictationError

__all__ = ["DictationWorker", "DictationThread"]

LEVEL_EVERY_S = 0.05


class _ReportingBackend:
    """Wraps the decoder so the worker can say "decoding" while a decode runs."""

    def __init__(self, backend: WhisperBackend, on_decode: Callable[[bool], None]) -> None:
        self.backend, self.on_decode = backend, on_decode

    def decode(self, audio: np.ndarray, prompt: str):
        self.on_decode(True)
        try:
            return self.backend.decode(audio, prompt)
        finally:
            self.on_decode(False)


class DictationWorker(QObject):
    """Lives on a :class:`DictationThread`; ``run`` loops until stopped or the source ends.

    Args:
        source: The microphone (or a file source in tests and demos), not started.
        model: A loaded faster-whisper model.
        options: Streaming policy.
        model_name, language: Recorded in the session's metadata.
    """

    started = Signal(str)  # session folder
    committed = Signal(object)  # tuple[Word, ...]
    partial = Signal(object)  # tuple[Word, ...]
    level = Signal(float)  # dBFS RMS of the latest audio
    state = Signal(str)  # "listening", "hearing speech", "decoding"
    latency = Signal(float)  # seconds from a word's audio to its commit
    error = Signal(str)
    finished = Signal(str)  # session folder ("" if it never started)

    def __init__(self, source: AudioSource, model, options: StreamingOptions, model_name: str, language: str) -> None:
        super().__init__()
        self.source = source
        self.transcriber = StreamingTranscriber(WhisperBackend(model, options), options)
        self.transcriber.backend = _ReportingBackend(self.transcriber.backend, self._decoding)
        self.session = LiveSession(source, self.transcriber)
        self.model_name, self.language = model_name, language
        self._arrivals: tuple[list[float], list[float]] = ([], [])  # audio seconds, wall time

    def stop(self) -> None:
        """Thread-safe: the session ends after its current step, committing its tail."""
        self.session.request_stop()

    @Slot()
    def run(self) -> None:
        folder = ""
        try:
            self.session.start()
            folder = str(new_session_dir())
            self.session.recorder = SessionRecorder(folder, model=self.model_name, language=self.language)
        except DictationError as exc:
            self.source.stop()
            self.error.emit(str(exc))
            self.finished.emit("")
            return
        self.started.emit(folder)
        self.state.emit("listening")
        last_level = 0.0
        while not self.session.ended:
            read_at = time.perf_counter()  # the step reads what was captured up to now, then decodes
            events = self.session.step(0.1)
            self._note_arrival(read_at)
            now = time.perf_counter()
            for event in events:
                self._route(event, now)
            if now - last_level >= LEVEL_EVERY_S:
                last_level = now
                self.level.emit(self.source.level.rms_db)
                self.state.emit("hearing speech" if self.transcriber.in_utterance else "listening")
        self.finished.emit(folder)

    def _route(self, event, now: float) -> None:
        if isinstance(event, Commit):
            self.committed.emit(event.words)
            arrived = self._arrival_of(event.words[-1].end)
            if arrived is not None:
                self.latency.emit(now - arrived)
        elif isinstance(event, Partial):
            self.partial.emit(event.words)
        elif isinstance(event, StreamError):
            self.error.emit(event.message)

    def _note_arrival(self, now: float) -> None:
        times, walls = self._arrivals
        if len(times) > 20000:  # hours of dictation: keep the recent half
            del times[:10000], walls[:10000]
        times.append(self.transcriber.time)
        walls.append(now)

    def _arrival_of(self, audio_s: float) -> float | None:
        """Wall time at which audio time ``audio_s`` had been read from the source."""
        times, walls = self._arrivals
        i = bisect.bisect_left(times, audio_s)
        return walls[i] if i < len(walls) else None

    def _decoding(self, busy: bool) -> None:
        self.state.emit("decoding" if busy else "hearing speech")


class DictationThread(QThread):
    """Owns a worker for one session: start() runs it, the thread quits when it finishes."""

    def __init__(self, worker: DictationWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        worker.moveToThread(self)
        self.started.connect(worker.run)
        worker.finished.connect(self.quit, Qt.ConnectionType.DirectConnection)  # GUI may be wait()ing
        self.finished.connect(worker.deleteLater)
