"""Pre-roll: the microphone kept open while the app is armed, so a dictation starts with the
half second before the shortcut was pressed (no Qt).

Off by default: while armed, the microphone is open all the time (the last ``preroll_s`` only
is kept, in memory), and the front ends show it (overlay, tray). :meth:`ArmedMicrophone.source`
gives each dictation a source that first delivers that pre-roll, then the live stream; its
``stop()`` ends the dictation, not the capture.
"""

from __future__ import annotations

import collections
import threading
import time

import numpy as np

from dictation_app.audio.capture import MicrophoneSource
from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.errors import AudioDeviceError

__all__ = ["ArmedMicrophone"]


class ArmedMicrophone:
    """Args:
    device: Input device index or name (None: the default).
    preroll_s: Seconds kept before a dictation starts.
    """

    #: after a dictation's stop, audio still in the sound server's buffers is read this long
    TAIL_S = 0.4

    def __init__(self, device: int | str | None = None, preroll_s: float = 0.5) -> None:
        self.mic = MicrophoneSource(device)
        self.preroll_frames = int(preroll_s * SAMPLE_RATE)
        self._ring: collections.deque[np.ndarray] = collections.deque()
        self._ring_frames = 0
        self._position = 0  # frames read from the stream so far
        self._lock = threading.Lock()
        self._dictating = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.problem = ""

    def arm(self) -> None:
        """Open the microphone and keep the last ``preroll_s``; raises AudioDeviceError."""
        self.mic.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._keep_last, name="preroll", daemon=True)
        self._thread.start()

    def disarm(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        self.mic.stop()
        self._ring.clear()
        self._ring_frames = 0

    @property
    def armed(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _keep_last(self) -> None:
        while not self._stop.is_set():
            if self._dictating.is_set():
                time.sleep(0.05)  # the dictation reads the stream itself
                continue
            try:
                block = self.mic.read(0.1)
            except AudioDeviceError as exc:
                self.problem = str(exc)
                return
            if block is None:
                return
            with self._lock:
                self._keep(block)

    def _keep(self, block: np.ndarray) -> None:
        self._position += len(block)
        if len(block):
            self._ring.append(block)
            self._ring_frames += len(block)
        while self._ring and self._ring_frames - len(self._ring[0]) >= self.preroll_frames:
            self._ring_frames -= len(self._ring.popleft())

    def source(self) -> _DictationSource:
        """A source for one dictation: the pre-roll, then the live stream."""
        return _DictationSource(self)


class _DictationSource:
    """One dictation's view of an armed microphone (an :class:`~dictation_app.audio.sources.AudioSource`)."""

    def __init__(self, armed: ArmedMicrophone) -> None:
        self.armed = armed
        self.mic = armed.mic
        self._pending: np.ndarray | None = None
        self._offset_s = 0.0
        self._stopping = False

    @property
    def level(self):
        return self.mic.level

    @property
    def device_name(self) -> str:
        return self.mic.device_name

    @property
    def overflows(self) -> int:
        return self.mic.overflows

    @property
    def dropped_frames(self) -> int:
        return self.mic.dropped_frames

    def start(self) -> None:
        if not self.armed.armed:
            raise AudioDeviceError(self.armed.problem or "The armed microphone is not running.")
        with self.armed._lock:
            self.armed._dictating.set()
            kept = list(self.armed._ring)
            self.armed._ring.clear()
            self.armed._ring_frames = 0
            pending = np.concatenate(kept) if kept else np.zeros(0, np.float32)
            self._offset_s = (self.armed._position - len(pending)) / SAMPLE_RATE
        self._pending = pending[-self.armed.preroll_frames :] if len(pending) else pending

    def read(self, timeout: float | None = 0.5) -> np.ndarray | None:
        if self._pending is not None:
            block, self._pending = self._pending, None
            return block
        if self._stopping:
            return None
        block = self.mic.read(timeout)
        if block is not None:
            self.armed._position += len(block)
        return block

    def stop(self) -> None:
        """End this dictation once the last words came through; the microphone stays armed."""
        if self._stopping:
            return
        time.sleep(ArmedMicrophone.TAIL_S)  # audio still in the sound server's buffers
        try:
            tail = self.mic.read(0)
        except AudioDeviceError:
            tail = None
        if tail is not None and len(tail):
            self.armed._position += len(tail)
            self._pending = tail  # the session drains it after stop()
        self._stopping = True
        self.armed._dictating.clear()  # the armed microphone keeps the last half second again

    def wall_time_of(self, seconds: float) -> float | None:
        return self.mic.wall_time_of(self._offset_s + seconds)
