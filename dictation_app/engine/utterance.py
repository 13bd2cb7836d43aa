"""The utterance being spoken, kept so it can be decoded once more, whole, when it ends.

The live buffer is trimmed as words commit; the revision at a pause
(:meth:`~dictation_app.engine.streaming.StreamingTranscriber` with ``revise``) needs the
utterance's audio from its start and the commits it made, to replace whole commits.
"""

from __future__ import annotations

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.transcript import Word

__all__ = ["Utterance"]


class Utterance:
    """Audio and commits of one utterance.

    Args:
        start: Absolute sample of ``audio``'s first sample.
        audio: What the buffer holds at the utterance's start (pre-roll and onset).
        keep_s: Audio kept; a longer monologue keeps only its newest part.
    """

    def __init__(self, start: int = 0, audio: np.ndarray | None = None, keep_s: float = 33.0) -> None:
        self.start = start
        self._audio = [] if audio is None else [audio.copy()]
        self._keep = int(keep_s * SAMPLE_RATE)
        self.commits: list[list[Word]] = []
        self.heard = False  # whether a live decode has heard it yet

    def add_audio(self, block: np.ndarray) -> None:
        self._audio.append(block.copy())
        held = sum(len(a) for a in self._audio)
        if held > 2 * self._keep:  # compact once in a while, not at every block
            audio = np.concatenate(self._audio)[held - self._keep :]
            self._audio, self.start = [audio], self.start + held - self._keep

    def add_commit(self, words: list[Word]) -> None:
        self.commits.append(list(words))

    def span(self, upto: int, max_s: float) -> tuple[list[Word], int, np.ndarray]:
        """The newest whole commits that lie within ``max_s`` before ``upto`` (absolute
        samples), the absolute sample their audio starts at, and that audio up to ``upto``.

        A span that does not start with the utterance starts just after the word before it."""
        earliest = upto / SAMPLE_RATE - max_s
        commits, dropped = list(self.commits), None
        while commits and commits[0][0].start < earliest:
            dropped = commits.pop(0)
        old = [w for c in commits for w in c]
        start = self.start
        if old and dropped:
            start = int(max(dropped[-1].end, old[0].start - 0.2) * SAMPLE_RATE)
        start = max(start, self.start)
        audio = np.concatenate(self._audio) if self._audio else np.zeros(0, np.float32)
        return old, start, audio[start - self.start : upto - self.start]
