"""Subtitle cues from a transcript, following the usual broadcast rules.

* at most two lines of at most ``max_chars`` characters each;
* a cue lasts at most ``max_duration`` seconds and is split at word timestamps;
* a cue breaks after sentence-ending punctuation when it is already reasonably long;
* cues never overlap and always last a positive time.
"""

from __future__ import annotations

from dataclasses import dataclass

from dictation_app.transcript import Segment, Transcript, Word

__all__ = ["Cue", "CueRules", "build_cues", "format_timestamp", "wrap_lines"]


@dataclass(frozen=True)
class CueRules:
    """Limits for one cue.

    Attributes:
        max_chars: Characters per line (42 is the common broadcast and Netflix limit).
        max_lines: Lines per cue.
        max_duration: Seconds a cue may stay on screen.
        min_duration: Seconds a cue lasts at least, when the next cue leaves room.
    """

    max_chars: int = 42
    max_lines: int = 2
    max_duration: float = 7.0
    min_duration: float = 0.5


@dataclass
class Cue:
    start: float
    end: float
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def wrap_lines(words: list[str], max_chars: int) -> list[str]:
    """Greedy line filling; a word longer than a line gets a line of its own."""
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= max_chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _balanced(words: list[str], rules: CueRules) -> list[str]:
    """Two lines of similar length read better than a full line and a stub."""
    lines = wrap_lines(words, rules.max_chars)
    if len(lines) != 2:
        return lines
    best = lines
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        if len(first) <= rules.max_chars and len(second) <= rules.max_chars:
            if max(len(first), len(second)) < max(len(best[0]), len(best[1])):
                best = [first, second]
    return best


def _words_of(segment: Segment) -> list[Word]:
    """Word timings, or evenly spread guesses when the segment has none."""
    if segment.words:
        return [w for w in segment.words if w.text.strip()]
    tokens = segment.text.split()
    if not tokens:
        return []
    step = (segment.end - segment.start) / len(tokens)
    return [Word(segment.start + i * step, segment.start + (i + 1) * step, token) for i, token in enumerate(tokens)]


def build_cues(transcript: Transcript, rules: CueRules | None = None) -> list[Cue]:
    rules = rules or CueRules()
    cues: list[Cue] = []
    for segment in transcript.segments:
        pending: list[Word] = []
        for word in _words_of(segment):
            candidate = [w.text.strip() for w in pending] + [word.text.strip()]
            too_long = len(wrap_lines(candidate, rules.max_chars)) > rules.max_lines
            too_slow = pending and word.end - pending[0].start > rules.max_duration
            sentence_end = pending and pending[-1].text.rstrip().endswith((".", "?", "!")) and len(candidate) > 4
            if pending and (too_long or too_slow or sentence_end):
                cues.append(_cue(pending, rules))
                pending = []
            pending.append(word)
        if pending:
            cues.append(_cue(pending, rules))
    return _fix_timing(cues, rules)


def _cue(words: list[Word], rules: CueRules) -> Cue:
    return Cue(words[0].start, words[-1].end, _balanced([w.text.strip() for w in words], rules))


def _fix_timing(cues: list[Cue], rules: CueRules) -> list[Cue]:
    for i, cue in enumerate(cues):
        if i > 0:
            cue.start = max(cue.start, cues[i - 1].end)
        next_start = cues[i + 1].start if i + 1 < len(cues) else None
        wanted_end = max(cue.end, cue.start + rules.min_duration)
        cue.end = wanted_end if next_start is None else min(wanted_end, max(next_start, cue.end))
        if cue.end <= cue.start:  # zero-length words at the same instant: give them 10 ms
            cue.end = cue.start + 0.01
    return cues


def format_timestamp(seconds: float, decimal_marker: str) -> str:
    """``HH:MM:SS,mmm`` (SRT) or ``HH:MM:SS.mmm`` (WebVTT)."""
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_marker}{millis:03d}"
