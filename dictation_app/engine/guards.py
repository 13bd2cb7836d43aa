"""Hallucination guards shared by file and streaming transcription.

Whisper fills silence, hum and tiny trailing windows with text ("You", "Thank you.",
repetition loops). These checks are deterministic and cheap: they read what the decoder
already computed (gzip compression ratio, no-speech probability, timing) and only ask the
VAD when the decoder itself doubts a segment.
"""

from __future__ import annotations

__all__ = ["MAX_LOOP_WORDS", "MAX_WORD_S", "is_degenerate_text", "is_doubtful", "repetition", "repetition_start"]

# faster-whisper's own threshold for "this window is a repetition loop"
REPETITIVE_COMPRESSION_RATIO = 2.4
# Fast read speech reaches about 20 characters a second; a loop squeezed into a tail
# window is far denser. Only text that is both repetitive and this dense is dropped outright.
MAX_CHARS_PER_S = 25.0
# A word "lasting" this long is an alignment artefact: when the decoder stops early in a
# window, faster-whisper's word alignment stretches the last words over audio it never decoded.
MAX_WORD_S = 2.0
# The longest phrase a live loop is looked for as ("I don't know if this is very little," said
# five times over a noisy passage is 7 words).
MAX_LOOP_WORDS = 10
# Above this no-speech probability, with a mean token log-probability below the next
# threshold, a segment is checked against the VAD. Real speech reaches 0.6-0.9 no-speech
# probability at times, but is then decoded confidently (about -0.2); "You" over silence
# or hum scores -0.8 to -0.9. Neither alone ever drops text; together they only ask the VAD.
DOUBTFUL_NO_SPEECH_PROB = 0.5
DOUBTFUL_AVG_LOGPROB = -0.5


def is_degenerate_text(text: str, start: float, end: float, compression_ratio: float) -> bool:
    """No letters or digits, or a repetition loop packed into too short a time."""
    if not any(ch.isalnum() for ch in text):
        return True
    dense = len(text.strip()) > MAX_CHARS_PER_S * max(end - start, 0.1)
    return compression_ratio > REPETITIVE_COMPRESSION_RATIO and dense


def is_doubtful(compression_ratio: float, no_speech_prob: float, avg_logprob: float) -> bool:
    """Worth confirming with the VAD before keeping."""
    unsure = no_speech_prob > DOUBTFUL_NO_SPEECH_PROB and avg_logprob < DOUBTFUL_AVG_LOGPROB
    return compression_ratio > REPETITIVE_COMPRESSION_RATIO or unsure


def repetition_start(tokens: list[str], min_repeats: int = 3, max_ngram: int = 4) -> int | None:
    """Index where a loop begins: an n-gram (n <= ``max_ngram``) repeated ``min_repeats`` times
    in a row ("he said, he said, he said"), or None."""
    found = repetition(tokens, min_repeats, max_ngram)
    return None if found is None else found[0]


def repetition(tokens: list[str], min_repeats: int = 3, max_ngram: int = 4) -> tuple[int, int] | None:
    """The first n-gram (n <= ``max_ngram``) repeated ``min_repeats`` times in a row: where it
    starts and its length ``n``, or None."""
    for start in range(len(tokens)):
        for n in range(1, max_ngram + 1):
            gram = tokens[start : start + n]
            if len(gram) < n:
                break
            repeats = 1
            while tokens[start + repeats * n : start + (repeats + 1) * n] == gram:
                repeats += 1
            if repeats >= min_repeats:
                return start, n
    return None
