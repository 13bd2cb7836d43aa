"""Short sounds for people who do not watch the screen: dictation starts (two rising notes),
stops (two falling notes), a problem (one low note twice). Off unless the user turns them on
(Preferences, General: "Short sounds when dictation starts and stops"). Played on the default
output device; a cue that cannot be played is said in the status bar and never stops a dictation.

The start cue is played to its end before the microphone opens (the dictation's thread waits
for it, not the window), so the recording does not begin with it.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.errors import AudioDeviceError

__all__ = ["CUES", "Cues", "cue_samples"]

#: Cues with a stream, kept alive until the stream is closed on a thread of the app's (freeing a
#: stream, or closing it from its own callback, while PortAudio runs it crashes the process)
_open: set[Cues] = set()

#: each cue: (frequency in Hz, seconds) notes, 0 Hz a rest
CUES: dict[str, tuple[tuple[float, float], ...]] = {
    "start": ((660.0, 0.08), (880.0, 0.10)),
    "stop": ((880.0, 0.08), (660.0, 0.10)),
    "problem": ((330.0, 0.12), (0.0, 0.06), (330.0, 0.12)),
}
_AMPLITUDE = 0.25  # -12 dBFS: heard, not startling
_FADE_S = 0.005  # no click at a note's edges
#: an output the sound server suspended when idle wakes up as the stream starts (the first tens
#: of ms may be lost): a new stream begins with this much silence
_LEAD_S = 0.1
#: the stream stays open this long after a cue (silence): stopping a stream drops what the sound
#: server still buffers of it, so a cue is never the end of one
_IDLE_S = 2.0
#: buffered ahead: a cue plays whole while the CPU is busy decoding (a short buffer underruns)
_LATENCY_S = 0.15


def cue_samples(name: str) -> np.ndarray:
    """The cue as 16 kHz mono float32 samples."""
    notes = []
    for frequency, seconds in CUES[name]:
        t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
        note = _AMPLITUDE * np.sin(2 * np.pi * frequency * t) if frequency else np.zeros_like(t)
        fade = min(len(t) // 2, int(_FADE_S * SAMPLE_RATE))
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, fade))
        note[:fade] *= ramp
        note[len(note) - fade :] *= ramp[::-1]
        notes.append(note)
    return np.concatenate(notes).astype(np.float32)


class Cues:
    """Plays the cues through one output stream, opened for the first cue and closed after
    :data:`_IDLE_S` of silence; cues asked for while one plays follow it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[np.ndarray] = []  # what is still to be played, in order
        self._queued = 0  # samples in the queue
        self._silent = 0  # samples of silence played since the queue ran dry
        self._stream = None
        self._ended = False  # the stream stopped itself after a silence
        self.problem: str | None = None  # why the last cue could not be played

    def play(self, name: str, wait: bool = False) -> bool:
        """Play ``name`` (``wait``: return once it has been heard); False when it cannot be
        (no output device: :attr:`problem` says so)."""
        samples = cue_samples(name)
        with self._lock:
            if self._stream is not None and (self._ended or not self._stream.active):
                self._release()  # it stopped itself after a silence
            if self._stream is None:
                try:
                    self._open()
                except AudioDeviceError as exc:
                    self.problem = str(exc)
                    return False
                self._queue.append(np.zeros(int(_LEAD_S * SAMPLE_RATE), np.float32))
                self._queued += int(_LEAD_S * SAMPLE_RATE)
            self._queue.append(samples)
            self._queued += len(samples)
            latency = float(self._stream.latency)
            self.problem = None
        if wait:  # until the stream has taken the cue (it may start late), and then its latency
            deadline = time.monotonic() + 5.0
            while self._queued and self._stream is not None and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(latency)
        return True

    def _open(self) -> None:
        from dictation_app.audio.capture import import_sounddevice, start_output

        self._stream = start_output(self, self._new_stream, "play the sound")
        self._silent, self._ended = 0, False
        self._callback_stop = import_sounddevice().CallbackStop
        _open.add(self)

    def _new_stream(self, sd):
        return sd.OutputStream(
            samplerate=SAMPLE_RATE,
            channels=1,
            dtype="float32",
            latency=_LATENCY_S,
            callback=self._fill,
            finished_callback=self._closed,
        )

    def _fill(self, outdata, frames, time_info, status) -> None:
        # PortAudio's thread
        out, filled = outdata[:, 0], 0
        with self._lock:
            while filled < frames and self._queue:
                chunk = self._queue[0][: frames - filled]
                out[filled : filled + len(chunk)] = chunk
                filled += len(chunk)
                self._queued -= len(chunk)
                if len(chunk) == len(self._queue[0]):
                    self._queue.pop(0)
                else:
                    self._queue[0] = self._queue[0][len(chunk) :]
            out[filled:] = 0.0
            self._silent = 0 if filled else self._silent + frames
            if self._silent >= _IDLE_S * SAMPLE_RATE:
                self._ended = True  # from now on a cue opens a new stream
                raise self._callback_stop

    def _closed(self) -> None:
        # PortAudio's thread, the stream ended (idle): closed at the next cue, or by close()
        from dictation_app.audio.capture import hold_portaudio

        self._ended = True
        hold_portaudio(self, False)

    def _release(self) -> None:
        from dictation_app.audio.capture import hold_portaudio

        self._stream.close()
        self._stream, self._queue, self._queued = None, [], 0
        hold_portaudio(self, False)  # PortAudio may not have called _closed
        _open.discard(self)

    def close(self) -> None:
        """Stop the sounds and close the stream (the window does, as it closes)."""
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.abort()  # outside the lock: it waits for a callback that may be waiting for the lock
            with self._lock:
                if self._stream is stream:
                    self._release()
