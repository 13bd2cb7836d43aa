"""The transcript document: what every part of the app reads, edits and exports.

Times are seconds from the start of the source audio. JSON is the native format and
round-trips losslessly: ``Transcript.from_json(t.to_json()) == t``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = ["FORMAT_VERSION", "Segment", "Transcript", "TranscriptMetadata", "Word"]

#: Version of the JSON layout written by :meth:`Transcript.to_json`.
FORMAT_VERSION = 1


@dataclass
class Word:
    """One recognised word.

    Attributes:
        start: Start time in seconds.
        end: End time in seconds.
        text: The word as decoded, usually with its leading space (" hello").
        probability: The decoder's probability for the word, 0..1.
    """

    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass
class Segment:
    """A run of speech, usually a sentence or a phrase.

    Attributes:
        start: Start time in seconds.
        end: End time in seconds.
        text: The text, stripped of surrounding whitespace.
        words: Word-level timing, empty when word timestamps were not requested.
    """

    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)


@dataclass
class TranscriptMetadata:
    """Where a transcript came from.

    Attributes:
        source: Path of the audio it was made from ("" when unknown).
        model: Name or path of the model that made it.
        language: Language code spoken (detected or given).
        duration: Duration of the source audio in seconds.
        created: ISO 8601 time the transcript was made, in UTC.
        task: "transcribe" or "translate".
    """

    source: str = ""
    model: str = ""
    language: str = ""
    duration: float = 0.0
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    task: str = "transcribe"


@dataclass
class Transcript:
    """An ordered list of segments and the metadata of their source."""

    segments: list[Segment] = field(default_factory=list)
    metadata: TranscriptMetadata = field(default_factory=TranscriptMetadata)

    @property
    def text(self) -> str:
        """The whole text, segments joined by single spaces."""
        return " ".join(s.text for s in self.segments if s.text)

    def to_dict(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        version = data.get("format_version", FORMAT_VERSION)
        if version > FORMAT_VERSION:
            raise ValueError(
                f"This transcript was written by a newer version (format {version}); "
                f"this app reads format {FORMAT_VERSION} or older."
            )
        segments = [
            Segment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=s["text"],
                words=[Word(**w) for w in s.get("words", [])],
            )
            for s in data.get("segments", [])
        ]
        metadata = TranscriptMetadata(**data.get("metadata", {}))
        return cls(segments=segments, metadata=metadata)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Transcript:
        return cls.from_dict(json.loads(text))
