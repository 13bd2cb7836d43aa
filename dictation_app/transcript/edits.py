"""Edits on a transcript's segments: pure functions the editor's undo commands are built on."""

from __future__ import annotations

import re
from dataclasses import replace

from dictation_app.transcript.document import Segment, Word

__all__ = ["merge_segments", "replace_in_segments", "split_segment", "with_text"]


def _join(words: list[Word]) -> str:
    return "".join(w.text for w in words).strip()


def with_text(segment: Segment, text: str) -> Segment:
    """``segment`` with its text edited; word timings are kept only while they still spell it."""
    text = text.strip()
    words = segment.words if _join(segment.words) == text else []
    return replace(segment, text=text, words=list(words))


def split_segment(segment: Segment, at: float | None = None) -> tuple[Segment, Segment] | None:
    """Split at the word boundary nearest time ``at`` (default: the middle of the segment).

    Without word timings the text is split at the space nearest its middle and the time in
    proportion to the characters. None when there is nothing to split.
    """
    at = (segment.start + segment.end) / 2 if at is None else at
    if len(segment.words) >= 2:
        cut = min(range(1, len(segment.words)), key=lambda i: abs(segment.words[i].start - at))
        first, second = segment.words[:cut], segment.words[cut:]
        return (
            Segment(segment.start, first[-1].end, _join(first), list(first)),
            Segment(second[0].start, segment.end, _join(second), list(second)),
        )
    spaces = [m.start() for m in re.finditer(r"\s+", segment.text)]
    if not spaces:
        return None
    fraction = (at - segment.start) / ((segment.end - segment.start) or 1.0)
    cut = min(spaces, key=lambda i: abs(i - fraction * len(segment.text)))
    mid = segment.start + (segment.end - segment.start) * cut / len(segment.text)
    return (
        Segment(segment.start, mid, segment.text[:cut].strip()),
        Segment(mid, segment.end, segment.text[cut:].strip()),
    )


def merge_segments(segments: list[Segment]) -> Segment:
    """One segment spanning ``segments`` (in order), texts joined by a space."""
    words = [w for s in segments for w in s.words] if all(s.words for s in segments) else []
    text = " ".join(s.text for s in segments if s.text)
    return Segment(segments[0].start, segments[-1].end, text, words)


def replace_in_segments(
    segments: list[Segment], find: str, replacement: str, case_sensitive: bool = False
) -> dict[int, Segment]:
    """Segments whose text contains ``find``, by index, with every occurrence replaced."""
    if not find:
        return {}
    pattern = re.compile(re.escape(find), 0 if case_sensitive else re.IGNORECASE)
    changed = {}
    for i, segment in enumerate(segments):
        text, count = pattern.subn(lambda _: replacement, segment.text)
        if count:
            changed[i] = with_text(segment, text)
    return changed
