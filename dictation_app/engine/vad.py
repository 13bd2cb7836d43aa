"""Speech detection for the live engine: a small protocol, Silero as the default, and the
timeline of speech spans the streaming policy asks about.

The streaming transcriber only needs per-window speech/silence decisions
(:class:`SpeechDetector`); tests script those decisions, the app uses :class:`StreamingVad`,
the Silero VAD that ships inside faster-whisper.

faster-whisper's ``SileroVADModel`` scores 512-sample windows (32 ms at 16 kHz), each
with the 64 samples before it as context, and carries its recurrent state (h, c) from one
window to the next. Scoring only the new windows as they arrive, with the state kept
between calls, gives the probabilities a whole-file pass would, at a cost of a few
milliseconds per second of audio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["SpeechDetector", "SpeechTimeline", "StreamingVad", "VadSettings"]

WINDOW = 512
CONTEXT = 64


@dataclass(frozen=True)
class VadSettings:
    """Speech/silence decisions.

    Attributes:
        threshold: Speech probability at or above which a window is speech.
        neg_threshold: Probability below which a window is silence (hysteresis between).
    """

    threshold: float = 0.5
    neg_threshold: float = 0.35


class SpeechDetector(Protocol):
    """Decides speech or silence for each window of ``window_samples`` 16 kHz samples."""

    window_samples: int

    def push(self, block: np.ndarray) -> np.ndarray:
        """Take samples in any block size; one boolean per window completed by them."""
        ...

    def reset(self) -> None:
        """Forget all audio: the next sample starts a new stream."""
        ...


class SpeechTimeline:
    """Where a detector heard speech: absolute ``[start, end)`` sample spans of a stream.

    Args:
        detector: The speech/silence decisions (:class:`StreamingVad` by default).
        sample_rate: Samples per second of the stream.
    """

    def __init__(self, detector: SpeechDetector, sample_rate: int) -> None:
        self.detector = detector
        self.rate = sample_rate
        self.reset()

    def reset(self) -> None:
        self.detector.reset()
        self.position = 0  # absolute samples decided so far
        self.spans: list[list[int]] = []

    def push(self, block: np.ndarray) -> None:
        window = self.detector.window_samples
        for flag in self.detector.push(block):
            start = self.position
            self.position += window
            if not flag:
                continue
            if self.spans and self.spans[-1][1] == start:
                self.spans[-1][1] = self.position
            else:
                self.spans.append([start, self.position])

    def forget_before(self, sample: int) -> None:
        """Drop spans that ended more than a second before ``sample``."""
        self.spans = [s for s in self.spans if s[1] > sample - self.rate]

    @property
    def last(self) -> list[int] | None:
        """The newest span, or None."""
        return self.spans[-1] if self.spans else None

    def seconds(self, start_s: float, end_s: float) -> float:
        """Seconds of speech between two stream times."""
        a, b = int(start_s * self.rate), int(end_s * self.rate)
        return sum(max(0, min(e, b) - max(s, a)) for s, e in self.spans) / self.rate

    def any_between(self, start_s: float, end_s: float) -> bool:
        a, b = int(start_s * self.rate), int(end_s * self.rate)
        return any(s < b and e > a for s, e in self.spans)


class StreamingVad:
    """Feed audio in any block size; read per-window speech flags back.

    ``push(block)`` returns a boolean array, one flag per completed 32 ms window, with
    hysteresis applied. ``samples_seen`` counts the samples that completed windows.
    """

    window_samples = WINDOW

    def __init__(self, settings: VadSettings | None = None) -> None:
        from faster_whisper.vad import get_vad_model

        self.settings = settings or VadSettings()
        self._session = get_vad_model().session
        self._pending = np.zeros(0, np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._speaking = False
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self.samples_seen = 0

    def reset(self) -> None:
        self._pending = np.zeros(0, np.float32)
        self._context[:] = 0.0
        self._h[:] = 0.0
        self._c[:] = 0.0
        self._speaking = False

    def push(self, block: np.ndarray) -> np.ndarray:
        audio = np.concatenate([self._pending, block.astype(np.float32, copy=False)])
        n = len(audio) // WINDOW
        self._pending = audio[n * WINDOW :].copy()
        if n == 0:
            return np.zeros(0, bool)
        windows = audio[: n * WINDOW].reshape(n, WINDOW)
        contexts = np.vstack([self._context[None, :], windows[:-1, -CONTEXT:]])
        self._context = windows[-1, -CONTEXT:].copy()
        batch = np.concatenate([contexts, windows], axis=1)
        probs, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self.samples_seen += n * WINDOW
        return self._decide(np.asarray(probs).reshape(-1))

    def _decide(self, probs: np.ndarray) -> np.ndarray:
        flags = np.empty(len(probs), bool)
        for i, p in enumerate(probs):
            if p >= self.settings.threshold:
                self._speaking = True
            elif p < self.settings.neg_threshold:
                self._speaking = False
            flags[i] = self._speaking
        return flags
