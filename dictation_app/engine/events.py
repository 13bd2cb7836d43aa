"""What the streaming transcriber hands out: tentative and committed words, revisions of an
utterance heard whole, utterance ends and recoverable problems; and what decodes for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from dictation_app.transcript import Word

__all__ = [
    "Commit",
    "DecoderBackend",
    "Partial",
    "Revision",
    "StreamError",
    "StreamEvent",
    "UtteranceEnd",
    "apply_committed",
]


@dataclass(frozen=True)
class _WordsEvent:
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words).strip()


@dataclass(frozen=True)
class Partial(_WordsEvent):
    """The tentative tail: may still change; replaces the previous Partial."""


@dataclass(frozen=True)
class Commit(_WordsEvent):
    """Words that will not change, with absolute times from the start of the stream."""


@dataclass(frozen=True)
class Revision(_WordsEvent):
    """Words already committed change: the last ``count`` committed words (whole commits) become
    ``words``. The engine revises an utterance it heard whole once it ended; the voice stage
    revises what a spoken command changes ("scratch that", a comma after a full stop).

    Attributes:
        count: How many committed words it replaces.
        commits: How many commits it replaces (0: the commits holding the last ``count`` words).
        command: The spoken command that made it; "" when the engine heard the utterance again
            (typed into other applications as a correction, when corrections are on).
    """

    count: int = 0
    commits: int = 0
    command: str = ""


@dataclass(frozen=True)
class UtteranceEnd:
    """A pause ended an utterance at ``time`` seconds; everything before it is committed."""

    time: float


@dataclass(frozen=True)
class StreamError:
    """A recoverable problem; the stream goes on and keeps what it has."""

    message: str


StreamEvent = Partial | Commit | Revision | UtteranceEnd | StreamError


def apply_committed(words: list[Word], event: StreamEvent) -> bool:
    """Bring ``words`` (a stream's committed words so far) up to date with ``event``;
    whether it changed them."""
    if isinstance(event, Revision):
        del words[len(words) - event.count :]
        words.extend(event.words)
        return True
    if isinstance(event, Commit):
        words.extend(event.words)
        return True
    return False


class DecoderBackend(Protocol):
    """Decodes a buffer of 16 kHz mono float32 audio into words timed from its start
    (:class:`~dictation_app.engine.backend.WhisperBackend` in the app)."""

    def decode(self, audio: np.ndarray, prompt: str, hotwords: str | None = None) -> list[Word]:
        """``hotwords``: decode once more with these instead of the options' (the vocabulary's
        second hearing of an utterance); None: the options' own."""
        ...
