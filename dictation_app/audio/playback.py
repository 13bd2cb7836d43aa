"""Playing a transcript's audio from a given time (sounddevice output, no Qt)."""

from __future__ import annotations

import threading

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.errors import AudioDeviceError

__all__ = ["Player"]


class Player:
    """Plays 16 kHz mono samples on the default output device.

    ``position`` (seconds) is safe to read from any thread while playing; ``playing`` turns
    False when the audio runs out or :meth:`stop` is called.
    """

    def __init__(self, samples: np.ndarray) -> None:
        self.samples = np.ascontiguousarray(samples, dtype=np.float32)
        self._frame = 0
        self._stream = None
        self._done = threading.Event()
        self._done.set()

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    @property
    def position(self) -> float:
        return self._frame / SAMPLE_RATE

    @property
    def playing(self) -> bool:
        return not self._done.is_set()

    def play(self, start_s: float = 0.0) -> None:
        """Start playing at ``start_s``. Raises AudioDeviceError when there is no output (after
        PortAudio looked at the devices again: a sound server may have started since the app)."""
        from dictation_app.audio.capture import import_sounddevice, start_output

        self.stop()
        self._callback_stop = import_sounddevice().CallbackStop
        self._frame = int(max(0.0, min(start_s, self.duration)) * SAMPLE_RATE)
        self._done.clear()  # before the stream starts: a short play may end at once
        try:
            self._stream = start_output(self, self._new_stream, "play audio")
        except AudioDeviceError:
            self._done.set()
            raise

    def _new_stream(self, sd):
        return sd.OutputStream(
            samplerate=SAMPLE_RATE,
            channels=1,
            dtype="float32",
            callback=self._callback,
            finished_callback=self._ended,
        )

    def _ended(self) -> None:
        from dictation_app.audio.capture import hold_portaudio

        self._done.set()
        hold_portaudio(self, False)

    def _callback(self, outdata, frames, time_info, status) -> None:
        # PortAudio's thread: copy and return.
        chunk = self.samples[self._frame : self._frame + frames]
        outdata[: len(chunk), 0] = chunk
        outdata[len(chunk) :, 0] = 0.0
        self._frame += len(chunk)
        if len(chunk) < frames:
            raise self._callback_stop

    def stop(self) -> None:
        if self._stream is not None:
            try:
                self._stream.abort()
                self._stream.close()
            except Exception:  # a vanished device may fail to close
                pass
            self._stream = None
            from dictation_app.audio.capture import hold_portaudio

            hold_portaudio(self, False)
        self._done.set()
