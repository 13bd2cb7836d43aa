"""The personal vocabulary: names and jargon given to the live decoder, and near misses
corrected after decoding (no Qt).

The live engine hears each utterance, once it ended, a second time with the vocabulary as
hotwords (faster-whisper puts them before the prompt) and takes only the vocabulary words from
that decode (``StreamingOptions.vocabulary``), bounded by :data:`PROMPT_CHARS`: faster-whisper
would keep up to 223 tokens of them and cut the text before the audio out of the prompt
instead, so the first words of the list go in and all of them are used for correction. (File
decoding does not get them: see ``core/options.py``.) A correction replaces one to three
decoded words whose spelling *and* sound are close to a vocabulary entry ("Cooper Netties" ->
"Kubernetes"), and never words that are all ordinary (frequent English words, or ones the
model spells as one token: "win", "held at", "mutton", "Anna"), so common speech is left alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from difflib import SequenceMatcher

from dictation_app.core.voice_table import MARKS
from dictation_app.transcript import Word

__all__ = ["PROMPT_CHARS", "VocabularyCorrector", "decoder_hotwords", "sound_key", "tokenizer_is_common"]

#: at most this much of the vocabulary goes to the decoder (about 60 tokens of Whisper's 224)
PROMPT_CHARS = 240
#: spelling and sound similarity (0..1) a near miss needs
SPELLING_MIN = 0.5
SOUND_MIN = 0.8
_MAX_NGRAM = 3


def decoder_hotwords(vocabulary: Iterable[str], extra: str = "", limit: int = PROMPT_CHARS) -> str:
    """The hotwords string for the decoder: ``extra`` (the user's own hotwords setting), then
    vocabulary entries in order while they fit in ``limit`` characters."""
    parts = [extra.strip()] if extra.strip() else []
    used = len(parts[0]) if parts else 0
    for term in vocabulary:
        if used + len(term) + 2 > limit:
            break
        parts.append(term)
        used += len(term) + 2
    return ", ".join(parts)


_SOUND_RULES = [
    (r"ph", "f"),
    (r"gh", "g"),
    (r"ck", "k"),
    (r"^kn", "n"),
    (r"^wr", "r"),
    (r"c(?=[eiy])", "s"),
    (r"[cq]", "k"),
    (r"x", "ks"),
    (r"z", "s"),
    (r"th", "t"),
    (r"dg", "j"),
    (r"v", "f"),
    (r"w(?![aeiou])", ""),
    (r"y(?![aeiou])", "i"),
    (r"b", "p"),
    (r"d", "t"),
    (r"g", "k"),
]  # voiced and voiceless alike


def sound_key(text: str) -> str:
    """A rough English sound key: consonants as they sound, vowels only as a first letter,
    doubled letters once ("Kubernetes" and "Cooper Netties" -> "kprnts")."""
    key = re.sub(r"[^a-z]", "", text.lower())
    for pattern, sound in _SOUND_RULES:
        key = re.sub(pattern, sound, key)
    if not key:
        return ""
    key = key[0] + re.sub(r"[aeiouyh]", "", key[1:])
    return re.sub(r"(.)\1+", r"\1", key)


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


#: a word at least this frequent in pyspellchecker's English list (counts from subtitles and
#: the web; "mutton" 1832, "peppered" 467, "Marlins" 53, a misheard "Roniki" 0) is ordinary
COMMON_MIN = 100


@functools.lru_cache(maxsize=1)
def _english_counts():
    """pyspellchecker's English word counts (0.16 s to load, once), or None without it."""
    try:
        from spellchecker import SpellChecker
    except ImportError:
        return None
    return SpellChecker(language="en", distance=1).word_frequency


def tokenizer_is_common(tokenizer) -> Callable[[str], bool]:
    """``is_common(word)``: whether a word is ordinary English (frequent in an English word
    list) or one the model spells, with its leading space, as one token ("Anna"); numbers and
    marks count as ordinary. ``tokenizer`` may be None (the word list alone)."""
    cache: dict[str, bool] = {}

    def is_common(word: str) -> bool:
        key = word.strip().strip(MARKS + '"')
        if key not in cache:
            counts = _english_counts()  # loaded at the first word asked about, on the thread asking (not the GUI's)
            stem = key.split("'")[0]
            frequent = counts is not None and max(counts[key.lower()], counts[stem.lower()]) >= COMMON_MIN
            one_token = tokenizer is not None and len(tokenizer.encode(" " + stem, add_special_tokens=False).ids) <= 1
            cache[key] = not stem.isalpha() or frequent or one_token or (counts is None and len(stem) <= 4)
        return cache[key]

    return is_common


class VocabularyCorrector:
    """Args:
    terms: The vocabulary, in the user's order.
    is_common: Whether a decoded word is ordinary (a run of ordinary words is never
        replaced); None: :func:`tokenizer_is_common` without a tokenizer.
    """

    def __init__(self, terms: Iterable[str], is_common: Callable[[str], bool] | None = None) -> None:
        self.terms = [t for t in dict.fromkeys(t.strip() for t in terms) if t]
        self.is_common = is_common or tokenizer_is_common(None)
        keys = [(t, re.sub(r"[^a-z0-9]", "", t.lower()), sound_key(t)) for t in self.terms]
        self._keys = [k for k in keys if k[1]]  # (an entry of marks only has nothing to match)
        self._exact = {k: t for t, k, _ in self._keys}
        self._seen: dict[tuple[str, ...], tuple[float, int, str] | None] = {}  # live text is corrected again and again

    def correct(self, words: list[Word]) -> list[Word]:
        """``words`` with near misses of vocabulary entries replaced: a new list of the same
        length (word indices stay those of the decoder's words), in which a correction of n
        words is the first and n - 1 empty words follow it."""
        if not self._keys or not words:
            return list(words)
        out: list[Word] = []
        i = 0
        while i < len(words):
            found = self._match(words, i)
            if found is not None and i + 1 < len(words):
                later = self._match(words, i + 1)  # "to Cooper Nettys": the miss starts one word later
                if later is not None and later[0] >= found[0]:
                    found = None
            if found is None:
                out.append(words[i])
                i += 1
                continue
            _, n, term = found
            first, last = words[i], words[i + n - 1]
            lead = first.text[: len(first.text) - len(first.text.lstrip())]
            body = last.text.strip()
            mark = body[len(body.rstrip(MARKS)) :]
            prob = min(w.probability for w in words[i : i + n])
            out.append(replace(first, end=last.end, text=lead + term + mark, probability=prob))
            out += [replace(w, text="") for w in words[i + 1 : i + n]]
            i += n
        return out

    def _match(self, words: list[Word], i: int) -> tuple[float, int, str] | None:
        """(score, words, entry) of the closest entry to the words from ``i`` on, or None."""
        key = tuple(w.text for w in words[i : i + _MAX_NGRAM])
        if key not in self._seen:
            if len(self._seen) > 20_000:
                self._seen.clear()
            self._seen[key] = self._closest(words[i : i + _MAX_NGRAM])
        return self._seen[key]

    def _closest(self, words: list[Word]) -> tuple[float, int, str] | None:
        i = 0
        best: tuple[float, int, str] | None = None
        for n in range(1, min(_MAX_NGRAM, len(words) - i) + 1):
            spoken = "".join(w.text for w in words[i : i + n])
            letters = re.sub(r"[^a-z0-9]", "", spoken.lower())
            if not letters:
                break
            exact = self._exact.get(letters)
            if exact is not None:
                if exact != spoken.strip().strip(MARKS):
                    return 3.0, n, exact  # the right letters, another spelling ("py side" -> "PySide")
                return None  # already right
            if all(self.is_common(w.text) for w in words[i : i + n]):
                continue  # ordinary words ("held at", "my man") are never a misheard name
            sound = sound_key(spoken)
            for term, key, term_sound in self._keys:
                if len(sound) < 3 or not 0.6 <= len(letters) / len(key) <= 1.6 or sound[0] != term_sound[:1]:
                    continue  # too little to go on ("mane"), or not alike from the first sound on
                spelling = _similar(letters, key)
                if spelling < SPELLING_MIN or _similar(sound, term_sound) < SOUND_MIN:
                    continue
                score = spelling + _similar(sound, term_sound)
                if best is None or score > best[0]:
                    best = (score, n, term)
        return best
