"""Audio sources behind one small interface: the microphone, and a file for tests and evaluation.

A source delivers 16 kHz mono float32 blocks through :meth:`AudioSource.read` until it
returns ``None`` (end of stream). The streaming engine, the CLI, the tests and the
benchmarks only see this interface.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE, load_audio

__all__ = ["AudioSource", "FileSource", "InputLevel", "level_of"]


@dataclass(frozen=True)
class InputLevel:
    """Level of the latest block, for a meter: RMS and peak in dBFS (-inf on silence)."""

    rms_db: float
    peak_db: float


def level_of(block: np.ndarray) -> InputLevel:
    if len(block) == 0:
        return InputLevel(float("-inf"), float("-inf"))
    with np.errstate(divide="ignore"):
        rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
        peak = float(np.max(np.abs(block)))
        return InputLevel(float(20 * np.log10(rms)), float(20 * np.log10(peak)))


class AudioSource(Protocol):
    """What the engine reads audio from."""

    def start(self) -> None: ...

    def read(self, timeout: float | None = None) -> np.ndarray | None:
        """The next block (may be empty on timeout), or None when the stream has ended."""
        ...

    def stop(self) -> None: ...

    def wall_time_of(self, seconds: float) -> float | None:
        """perf_counter() time at which audio time ``seconds`` was captured (None if unknown)."""
        ...


class FileSource:
    """Plays a file (or samples) as a stream.

    Args:
        audio: A media file path or 16 kHz mono float32 samples.
        block_s: Block length in seconds.
        realtime: Deliver each block when its audio would have been spoken, as a
            microphone would; otherwise as fast as the reader asks.
    """

    def __init__(self, audio, block_s: float = 0.1, realtime: bool = False) -> None:
        self.samples = audio if isinstance(audio, np.ndarray) else load_audio(audio).samples
        self.block = max(1, int(block_s * SAMPLE_RATE))
        self.realtime = realtime
        self.position = 0
        self.started_at: float | None = None
        self.level = InputLevel(float("-inf"), float("-inf"))
        self.overflows = 0

    def start(self) -> None:
        self.position = 0
        self.started_at = time.perf_counter()

    def wall_time_of(self, seconds: float) -> float | None:
        """perf_counter() time at which audio time ``seconds`` was (or will be) delivered."""
        return None if self.started_at is None else self.started_at + seconds

    def read(self, timeout: float | None = None) -> np.ndarray | None:
        if self.started_at is None:
            self.start()
        if self.position >= len(self.samples):
            return None
        end = min(self.position + self.block, len(self.samples))
        if self.realtime:
            due = self.started_at + end / SAMPLE_RATE - time.perf_counter()
            if timeout is not None and due > timeout:
                time.sleep(max(0.0, timeout))
                return np.zeros(0, np.float32)
            if due > 0:
                time.sleep(due)  # a clock, as a microphone's: the audio does not exist yet
            # A reader that fell behind gets everything spoken meanwhile, as from a microphone.
            spoken = int((time.perf_counter() - self.started_at) * SAMPLE_RATE)
            end = min(len(self.samples), max(end, spoken))
        block = self.samples[self.position : end]
        self.position = end
        self.level = level_of(block)
        return block

    def stop(self) -> None:
        self.position = len(self.samples)
