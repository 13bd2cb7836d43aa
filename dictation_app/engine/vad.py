"""Streaming voice activity detection with the Silero VAD that ships inside faster-whisper.

faster-whisper's ``SileroVADModel`` scores 512-sample windows (32 ms at 16 kHz), each
with the 64 samples before it as context, and carries its recurrent state (h, c) from one
window to the next. Scoring only the new windows as they arrive, with the state kept
between calls, gives the probabilities a whole-file pass would, at a cost of a few
milliseconds per second of audio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["StreamingVad", "VadSettings"]

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
