"""The word-agreement rules of the live engine, on word lists alone.

Pure functions: no audio, no buffer, no clock. The streaming transcriber
(:mod:`dictation_app.engine.streaming`) calls them with its hypotheses and committed words and
tells them what they need to know about speech through a ``speech_seconds(start, end)``
callable; the tests call them with hand-written word lists.

* :func:`agreed_prefix`: LocalAgreement, the longest common word prefix of two hypotheses.
* :func:`sure_prefix`: an agreed word the decoder gives a low probability needs a third
  hypothesis to have it too.
* :func:`after_committed` and :func:`seam_overlap`: where a re-decode's new words begin.
* :func:`before_gap`: a hypothesis is not trusted past a gap that hides speech.
* :func:`capitalized`: a committed word after a sentence end starts with a capital.
* :func:`prompt_text`: which committed text prompts the next decode.
* :func:`with_vocabulary`: only the user's vocabulary words are taken from a decode primed
  with them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher

from dictation_app.transcript import Word

__all__ = [
    "SpeechSeconds",
    "after_committed",
    "agreed_prefix",
    "before_gap",
    "is_expected_phrase",
    "capitalized",
    "norm",
    "prompt_text",
    "seam_overlap",
    "settled_prefix",
    "sound_revision",
    "spliced",
    "stretched",
    "sure_prefix",
    "with_vocabulary",
]

#: ``speech_seconds(start_s, end_s)``: seconds of detected speech between two stream times.
SpeechSeconds = Callable[[float, float], float]

_ABBREVIATION = re.compile(r"(?:^|\s)(?:\w\.){2,}$")  # "e.g.", "U.S.": no sentence end
# Speech inside a long gap between two words that means the decoder skipped words; VAD
# onsets run a little ahead of word timestamps, so a pause alone shows up to about 0.3 s.
SKIPPED_SPEECH_S = 0.5
# Speech one word may hold: this much, plus this much per letter (see :func:`stretched`).
MAX_WORD_SPEECH_S = 0.8
SPEECH_PER_LETTER_S = 0.08
# Faster than anyone dictates (read speech runs at 2.5 to 3.5 words a second).
MAX_WORDS_PER_S = 4.5


def norm(word: Word) -> str:
    """A word as agreement compares it: lower case, letters, digits and apostrophes."""
    return re.sub(r"[^\w']", "", word.text.lower())


def agreed_prefix(previous: Sequence[Word], current: Sequence[Word]) -> int:
    """How many leading words two hypotheses share (LocalAgreement-2)."""
    agreed = 0
    for old, cur in zip(previous, current):
        if norm(old) != norm(cur):
            break
        agreed += 1
    return agreed


def sure_prefix(words: Sequence[Word], older: Sequence[Word], unsure_p: float) -> int:
    """How many leading agreed words to commit: up to the first word under ``unsure_p``
    probability that the hypothesis before the previous one (``older``) did not have at
    about the same time (start within 0.3 s)."""
    for i, word in enumerate(words):
        if word.probability < unsure_p and not any(
            norm(old) == norm(word) and abs(old.start - word.start) < 0.3 for old in older
        ):
            return i
    return len(words)


def settled_prefix(words: Sequence[Word], count: int, settled_s: float) -> int:
    """The first ``count`` words, less those ending after ``settled_s`` (stream seconds)."""
    while count and words[count - 1].end > settled_s:
        count -= 1
    return count


def after_committed(committed: Sequence[str], words: Sequence[Word], last_commit_end: float) -> int | None:
    """Index of the first decoded word after the committed ones, or None when the decode
    does not line up with them.

    ``committed`` are the normalised committed words still inside the decoded audio. They
    line up when most of them match by text, the last match lies near their end and the
    matched decoded word is not later in time than the commit (``last_commit_end``).
    Committed words the decoder heard differently are skipped as as many decoded words,
    while those lie before the end of the commit.
    """
    matcher = SequenceMatcher(None, list(committed), [norm(w) for w in words], autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    if not blocks:
        return None
    last = blocks[-1]
    unmatched = len(committed) - (last.a + last.size)  # committed words after the last match
    if unmatched > 2 or sum(b.size for b in blocks) < len(committed) / 2:
        return None
    cut = last.b + last.size
    if words[cut - 1].end > last_commit_end + 1.0:  # matched a later, new word
        return None
    skipped = 0
    while skipped < unmatched and cut < len(words) and words[cut].start < last_commit_end - 0.1:
        cut += 1
        skipped += 1
    return cut


def seam_overlap(committed_tail: Sequence[Word], new: Sequence[Word], longest: int = 5) -> int:
    """How many leading ``new`` words repeat the last committed ones (an n-gram at the seam)."""
    tail = [norm(w) for w in committed_tail[-longest:]]
    for n in range(min(longest, len(tail), len(new)), 0, -1):
        if tail[-n:] == [norm(w) for w in new[:n]]:
            return n
    return 0


def before_gap(words: Sequence[Word], last_commit_end: float, max_gap_s: float, speech_seconds: SpeechSeconds) -> int:
    """How many leading words come before the decoder jumped over words: a gap longer than
    ``max_gap_s`` that holds at least :data:`SKIPPED_SPEECH_S` of speech, or a word
    :func:`stretched` over speech."""
    previous_end = last_commit_end
    for i, word in enumerate(words):
        long_gap = word.start - previous_end > max_gap_s
        if long_gap and speech_seconds(previous_end, word.start) >= SKIPPED_SPEECH_S:
            return i
        if stretched(word, speech_seconds):
            return i
        previous_end = word.end
    return len(words)


def stretched(word: Word, speech_seconds: SpeechSeconds) -> bool:
    """Whether ``word``'s timestamps hold more speech than the word takes to say.

    When the decoder skips a phrase, the word alignment stretches the word before or after
    the skipped words over them: a "the" 1.9 s long over "cobalt and porcupine mines of the
    new silver country". A word said slowly at a sentence end is long too, but over a pause,
    which is not speech, so the speech inside the word is what counts, against a budget that
    grows with the word's letters.
    """
    budget = _word_budget(word)
    return word.end - word.start > budget and speech_seconds(word.start, word.end) > budget


def capitalized(words: Sequence[Word], committed_text: str) -> list[Word]:
    """``words`` with a capital after a sentence end ("e.g." and "i.e." excepted).

    A decode at a pause hears the audio end and often closes the sentence there; when the
    speaker goes on, the next decode continues it in lower case ("satisfaction. a man's").
    The period is committed by then, so the new word is capitalized.
    """
    out: list[Word] = []
    previous = committed_text.rstrip()[-20:]
    for word in words:
        stripped = word.text.lstrip()
        if stripped[:1].islower() and previous.endswith((".", "?", "!")) and not _ABBREVIATION.search(previous):
            text = word.text[: len(word.text) - len(stripped)] + stripped[0].upper() + stripped[1:]
            word = Word(word.start, word.end, text, word.probability)
        out.append(word)
        previous = (previous + word.text).rstrip()[-20:]
    return out


def prompt_text(committed: Sequence[Word], buffer_start_s: float, max_chars: int, initial_prompt: str | None) -> str:
    """The next decode's prompt: committed text from before the buffer (whisper_streaming's
    rule: words still in the buffer must not be in the prompt too, or the decoder skips them
    as already said), at most ``max_chars`` cut at a word; ``initial_prompt`` until there is any."""
    text = "".join(w.text for w in committed if w.end <= buffer_start_s)
    if len(text) > max_chars:
        text = text[-max_chars:]
        text = text[text.find(" ") + 1 :] if " " in text else text
    if not text.strip():
        return initial_prompt or ""
    return text.strip()


def is_expected_phrase(words: Sequence[Word], expected: str) -> bool:
    """Whether ``words`` are exactly one of the sentences of ``expected`` ("New line. Comma.")."""
    said = " ".join(n for n in map(norm, words) if n)
    return bool(said) and said in {" ".join(re.sub(r"[^\w' ]", "", p.lower()).split()) for p in expected.split(".")}


def sound_revision(old: Sequence[Word], new: Sequence[Word], audio_s: float) -> bool:
    """Whether a whole-utterance decode (``new``, of ``audio_s`` seconds) may replace the live
    words (``old``): it covers the same stretch of speech and is not much shorter in words (a
    decode that stopped early must not take words away). Much longer is sound when the
    words fit the audio (at most :data:`MAX_WORDS_PER_S`): the live decodes lost a phrase
    that the whole utterance has ("simply crazy over the near the Hudson Bay"); loops were cut
    from the decode already."""
    if not new:
        return False
    if len(new) < 0.8 * len(old) - 1:
        return False
    if len(new) > 1.25 * len(old) + 3 and len(new) > MAX_WORDS_PER_S * audio_s:
        return False
    return new[-1].end >= old[-1].end - 1.0 and new[0].start <= old[0].start + 1.0


def spliced(new: Sequence[Word], old: Sequence[Word], run: int = 3) -> list[Word]:
    """A whole-utterance decode with the live words put back where it jumped over them.

    Whisper sometimes ends its output early (most often after a sentence end) or skips a
    phrase, stretching the word before it over the skipped audio. Aligned by text with the
    live words, a run of ``run`` or more live words the decode lacks, live words inside a
    stretched word of the decode, or any live words after its end, are kept: a revision
    changes words but never drops a phrase the live decodes agreed on.
    """
    if not new:
        return []
    matcher = SequenceMatcher(None, [norm(w) for w in old], [norm(w) for w in new], autojunk=False)
    out: list[Word] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "delete" and (i2 - i1 >= run or j1 == len(new) or _stretched_over(new, old[i1:i2])):
            out += old[i1:i2]
        elif tag == "replace" and i2 - i1 > j2 - j1 and _stretched_over(new[j1:j2], old[i1:i2]):
            out += old[i1:i2]
        else:
            out += new[j1:j2]
    tail = [w for w in old if w.start >= out[-1].end - 0.1]
    return out + tail[seam_overlap(out, tail) :]


def _stretched_over(new: Sequence[Word], old: Sequence[Word]) -> bool:
    """Whether two or more live words (``old``; any one, alone) lie inside a word of ``new``
    that lasts longer than a word takes (:func:`stretched`, judged by time: the speech of an
    utterance that ended is no longer at hand, the live words say there was speech)."""
    inside = [o for o in old if any(_too_long(w) and w.start <= (o.start + o.end) / 2 <= w.end for w in new)]
    return bool(inside) and len(inside) >= min(2, len(old))


def _too_long(word: Word) -> bool:
    return word.end - word.start > _word_budget(word)


def _word_budget(word: Word) -> float:
    """The most seconds (of speech) ``word`` takes to say."""
    return MAX_WORD_SPEECH_S + SPEECH_PER_LETTER_S * len(norm(word))


def with_vocabulary(plain: Sequence[Word], primed: Sequence[Word], vocabulary: str, longest: int = 3) -> list[Word]:
    """``plain`` (a decode without the vocabulary), with each short span that ``primed`` (the
    same audio decoded with the vocabulary as hotwords) says differently *and* where it brings
    in a vocabulary word: "Quill and Major" -> "Quillan Major". Every other word is
    ``plain``'s, so a vocabulary cannot change ordinary speech ("Brownie" stays "Brownie"
    beside a "Jimmie" in the list).

    Args:
        vocabulary: The hotwords the primed decode had (words split at commas and spaces).
        longest: The most words on either side of one replaced span.
    """
    terms = {re.sub(r"[^\w']", "", t.lower()) for t in re.split(r"[,;\s]+", vocabulary)} - {""}
    a, b = [norm(w) for w in plain], [norm(w) for w in primed]
    out: list[Word] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        brought = any(t in terms and t not in a[i1:i2] for t in b[j1:j2])
        if tag == "replace" and brought and i2 - i1 <= longest and j2 - j1 <= longest:
            out += primed[j1:j2]
        else:
            out += plain[i1:i2]
    return out
