"""Streaming transcription: stable, incremental text from audio that keeps arriving.

Pull-style and single-threaded: the caller feeds audio with :meth:`insert_audio`, calls
:meth:`process` whenever it likes and gets back a list of events; :meth:`finish` flushes.
No threads, no I/O, no clocks inside: chunking follows audio time, so the same audio gives
the same events on any machine.

Policy (LocalAgreement-2, Macháček et al. 2023, with the fixes their measurements called for):

* Silero VAD gates decoding: nothing is decoded while nobody speaks, and a pause of
  ``pause_s`` ends the utterance: everything said is committed and a fresh buffer starts.
* Within an utterance the buffer is re-decoded (beam search at temperature 0, word
  timestamps, a token cap) every ``chunk_s`` of new audio, or sooner when the speaker pauses
  briefly between phrases; the longest common word prefix of the last two hypotheses is
  committed, the rest is shown as tentative; a word the decoder itself gives a low probability
  needs a third decode to agree.
* The buffer is trimmed at the last committed word once it passes ``trim_s`` and never grows
  past ``max_buffer_s``; the committed text is the next decode's prompt.
* A hypothesis that jumps over speech (a gap with voice in it) is not committed past the gap,
  so one bad decode cannot make a loss permanent, and a decode that stops well short of the
  audio's end, or skips speech, has the rest decoded on its own; repetitive or impossibly
  dense text and text over non-speech are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Protocol

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.engine.guards import MAX_WORD_S, is_degenerate_text, repetition_start
from dictation_app.engine.vad import StreamingVad, VadSettings
from dictation_app.transcript import Word

__all__ = [
    "Commit",
    "DecoderBackend",
    "Partial",
    "StreamError",
    "StreamEvent",
    "StreamingOptions",
    "StreamingTranscriber",
    "UtteranceEnd",
    "WhisperBackend",
]


@dataclass(frozen=True)
class StreamingOptions:
    """Streaming policy.

    Attributes:
        language: Language code, or None to detect (multilingual models).
        beam_size: Beam width of every decode.
        chunk_s: Re-decode after this much new audio. Hypotheses 1 s apart disagree where the
            decoder is unsure; at 0.5 s they often repeat the same mistake (live WER on the
            long-form set with a 0.5-s pause: 4.84 % at 1.0 s, 5.45 % at 0.5 s; offline 3.55 %).
        phrase_decode_s: Decode early, once this much new audio has come, when 0.2 s of
            silence follows speech no decode has heard end: the words before a pause are
            heard whole and at once instead of up to ``chunk_s`` later. 0 turns it off. On the
            long-form set (0.1-s blocks, as a microphone delivers) live WER 4.68 % against
            5.31 % without, audio lag median 1.30 s against 1.39 s, p95 2.38 s against 2.76 s.
        unsure_p: A word the newest decode gives a probability under this is committed only
            when the decode before the previous one heard it too (three decodes agree, not
            two): two decodes often agree on the same unlikely word, a third often corrects
            it. Live WER on the long-form set 4.31 % against 4.68 % (offline 3.55 %), audio
            lag p95 2.80 s against 2.38 s; 0.3 gave 4.37 % and 3.06 s. 0 turns it off.
        settle_s: A word is committed only once the decode that confirms it heard at least
            this much audio after it (agreement on the newest word at the buffer's edge is
            weak evidence: both decodes heard it cut off).
        pause_s: Silence that ends an utterance. 1.0 is more accurate than 0.5 (live WER on
            the long-form set 4.53 % against 4.84 %, offline 3.55 %): a sentence's last words
            are agreed on with the next words heard, not committed from one decode, and the
            next words keep the audio before them. It costs latency (median commit about 2.0 s
            on 2 cores), affordable since a decode costs one window, not two
            (:mod:`dictation_app.engine.window`).
        preroll_s: Audio kept before speech onset, so first syllables are not clipped.
        trim_s: Trim the buffer at a committed word once it is longer than this.
        max_buffer_s: Hard cap on the buffer; older uncommitted words are committed first.
        encoder_window_s: The shortest audio window the encoder sees; a buffer is encoded
            with 1 s of padding after it, or padded to this, never to Whisper's full 30 s
            (see :mod:`dictation_app.engine.window`). 30 disables the saving.
        max_gap_s: A silence between two hypothesis words longer than this, with speech in it,
            means the decoder skipped words: nothing after it is committed from that decode.
        prompt_chars: How much committed text prompts the next decode.
        initial_prompt: Vocabulary and style hint before anything is committed.
        hotwords: Words to favour.
        vad: Speech detection thresholds.
    """

    language: str | None = "en"
    beam_size: int = 5
    chunk_s: float = 1.0
    phrase_decode_s: float = 0.6
    settle_s: float = 0.0
    unsure_p: float = 0.2
    pause_s: float = 1.0
    preroll_s: float = 0.3
    trim_s: float = 15.0
    max_buffer_s: float = 25.0
    encoder_window_s: float = 20.0
    max_gap_s: float = 1.5
    prompt_chars: int = 200
    initial_prompt: str | None = None
    hotwords: str | None = None
    vad: VadSettings = field(default_factory=VadSettings)


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
class UtteranceEnd:
    """A pause ended an utterance at ``time`` seconds; everything before it is committed."""

    time: float


@dataclass(frozen=True)
class StreamError:
    """A recoverable problem; the stream goes on and keeps what it has."""

    message: str


StreamEvent = Partial | Commit | UtteranceEnd | StreamError


class DecoderBackend(Protocol):
    """Decodes a buffer of 16 kHz mono float32 audio into words timed from its start."""

    def decode(self, audio: np.ndarray, prompt: str) -> list[Word]: ...


class WhisperBackend:
    """faster-whisper, bounded and deterministic for the live loop.

    Temperature is 0 with no sampling fallback; tokens are capped by the buffer's length;
    only the first window is decoded (faster-whisper's tail windows are where small models
    hallucinate; the transcriber decodes leftovers itself), and decoding stops at the first
    repetitive segment; the encoder sees the buffer, not 30 s of padding
    (``encoder_window_s``; both in :mod:`dictation_app.engine.window`).
    Words over non-speech are dropped by the transcriber.
    """

    TOKENS_PER_S = 8  # fast speech is about 5 tokens a second

    def __init__(self, model, options: StreamingOptions) -> None:
        from dictation_app.engine.window import ShortWindowModel

        self.model = ShortWindowModel(model, options.encoder_window_s)
        self.options = options
        self.multilingual = model.model.is_multilingual

    def decode(self, audio: np.ndarray, prompt: str) -> list[Word]:
        seconds = len(audio) / SAMPLE_RATE
        self.model.fit(len(audio))
        segments, _ = self.model.transcribe(
            audio,
            language=self.options.language if self.multilingual else "en",
            beam_size=self.options.beam_size,
            temperature=0.0,
            word_timestamps=True,
            condition_on_previous_text=False,
            initial_prompt=prompt or None,
            hotwords=self.options.hotwords or None,
            max_new_tokens=min(220, int(10 + self.TOKENS_PER_S * seconds)),
        )
        words: list[Word] = []
        for segment in segments:
            if is_degenerate_text(segment.text, segment.start, segment.end, segment.compression_ratio):
                break
            words += [Word(w.start, w.end, w.word, w.probability) for w in segment.words or [] if w.word.strip()]
        return words


_STEP = SAMPLE_RATE // 10  # granularity of pause detection
_PHRASE_PAUSE_S = 0.2  # silence after speech that ends a phrase (see phrase_decode_s)
_ABBREVIATION = re.compile(r"(?:^|\s)(?:\w\.){2,}$")  # "e.g.", "U.S.": no sentence end
_KEEP_WORDS = 200  # committed words kept for the prompt (a few hundred characters)
# Speech inside a long gap between two words that means the decoder skipped words; VAD
# onsets run a little ahead of word timestamps, so a pause alone shows up to about 0.3 s.
_SKIPPED_SPEECH_S = 0.5
# Speech after a decode's last word that means it stopped short, not that the newest word
# is still being spoken.
_SHORTFALL_SPEECH_S = 1.2


def _norm(word: Word) -> str:
    return re.sub(r"[^\w']", "", word.text.lower())


class StreamingTranscriber:
    """LocalAgreement-2 streaming over a VAD-gated, trimmed buffer.

    Args:
        backend: What decodes the buffer (:class:`WhisperBackend` in the app).
        options: The policy.
    """

    def __init__(self, backend: DecoderBackend, options: StreamingOptions | None = None) -> None:
        self.backend = backend
        self.options = options or StreamingOptions()
        o = self.options
        self._buf = np.zeros(int((o.max_buffer_s + 2 * o.chunk_s + 5.0) * SAMPLE_RATE), np.float32)
        self._vad = StreamingVad(o.vad)
        self.reset()

    # -- state ------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything: the next sample is time 0."""
        self._n = 0  # samples in the buffer
        self._buf_start = 0  # absolute sample index of self._buf[0]
        self._pending: list[np.ndarray] = []  # inserted, not yet moved into the buffer
        self._vad.reset()
        self._vad_pos = 0  # absolute samples scored by VAD
        self._speech: list[list[int]] = []  # absolute [start, end) sample spans of speech
        self._in_utterance = False
        self._decoded_upto = 0
        self._hypothesis: list[Word] = []  # uncommitted words of the last decode
        self._older: list[Word] = []  # uncommitted words of the decode before
        self._committed: list[Word] = []  # recent committed words: prompt and overlap checks
        self._committed_text = ""
        self._last_commit_end = 0.0
        self.decodes = 0

    @property
    def committed_text(self) -> str:
        return self._committed_text.strip()

    @property
    def in_utterance(self) -> bool:
        """Whether speech has started and not yet ended with a pause."""
        return self._in_utterance

    @property
    def time(self) -> float:
        """Seconds of audio processed."""
        return (self._buf_start + self._n) / SAMPLE_RATE

    # -- the pull interface -----------------------------------------------------------------

    def insert_audio(self, block: np.ndarray) -> None:
        """Queue 16 kHz mono float32 samples; cheap, does no decoding."""
        if len(block):
            self._pending.append(np.asarray(block, np.float32).reshape(-1))

    def process(self) -> list[StreamEvent]:
        """Consume queued audio; decode once if ``chunk_s`` of new audio has arrived.

        Pauses are found at 0.1-s resolution inside the queued audio, so an utterance ends
        where the speaker paused even when the caller fell behind; a backlog is then decoded
        once rather than chunk by chunk, so a slow machine catches up instead of lagging more.
        """
        events: list[StreamEvent] = []
        audio = np.concatenate(self._pending) if self._pending else np.zeros(0, np.float32)
        self._pending = []
        for start in range(0, len(audio), _STEP):
            events += self._ingest(audio[start : start + _STEP])
        end = self._buf_start + self._n
        new = end - self._decoded_upto
        if self._in_utterance and (new >= self.options.chunk_s * SAMPLE_RATE or self._phrase_ended(new)):
            events += self._agree(self._decode(end))
            events += self._trim()
        return events

    def _phrase_ended(self, new: int) -> bool:
        """The speaker paused briefly after speech no decode has heard end: decode now, not at
        the next ``chunk_s``, so the words before the pause are heard whole and soon."""
        o = self.options
        if not o.phrase_decode_s or new < o.phrase_decode_s * SAMPLE_RATE or not self._speech:
            return False
        speech_end = self._speech[-1][1]
        return speech_end > self._decoded_upto and self._vad_pos - speech_end >= _PHRASE_PAUSE_S * SAMPLE_RATE

    def finish(self) -> list[StreamEvent]:
        """Flush: commit everything still tentative. The transcriber can be reused after."""
        events = self.process()
        if self._in_utterance:
            events += self._end_utterance()
        return events

    # -- policy -----------------------------------------------------------------------------

    def _ingest(self, block: np.ndarray) -> list[StreamEvent]:
        """Buffer a block, score it for speech, and open or close the utterance."""
        self._append(block)
        self._score_vad(block)
        preroll = int(self.options.preroll_s * SAMPLE_RATE)
        if not self._in_utterance:
            if not self._speech or self._speech[-1][1] <= self._decoded_upto:
                self._drop_before(self._buf_start + self._n - preroll)
                return []
            self._in_utterance = True
            self._drop_before(self._speech[-1][0] - preroll)
        last_speech_end = self._speech[-1][1]
        if self._vad_pos - last_speech_end >= self.options.pause_s * SAMPLE_RATE:
            return self._end_utterance()
        if self._n > self.options.max_buffer_s * SAMPLE_RATE:  # runaway backlog: decode now
            return self._agree(self._decode(self._buf_start + self._n)) + self._trim()
        return []

    def _end_utterance(self) -> list[StreamEvent]:
        # One more decode that hears the pause: the words still tentative were decoded cut off
        # at the buffer's edge, and Whisper ends a sentence better when it hears it end.
        last_speech_end = self._speech[-1][1] if self._speech else self._buf_start + self._n
        upto = min(self._buf_start + self._n, last_speech_end + int(self.options.pause_s * SAMPLE_RATE))
        words = self._complete(self._fresh(self._decode(upto)), upto)
        events: list[StreamEvent] = self._commit(words)
        self._hypothesis = []
        self._older = []
        self._in_utterance = False
        end = self._buf_start + self._n
        self._decoded_upto = end
        self._drop_before(end - int(self.options.preroll_s * SAMPLE_RATE))
        events += [Partial(()), UtteranceEnd(self._last_commit_end)]
        return events

    def _complete(self, words: list[Word], upto: int, min_speech_s: float = 0.3) -> list[Word]:
        """A decode's words up to any span of speech it skipped, then that span and the rest
        decoded on their own (see :meth:`_decode_leftover`)."""
        words = words[: self._before_gap(words)]
        return words + self._decode_leftover(words, upto, min_speech_s)

    def _decode_leftover(self, words: list[Word], upto: int, min_speech_s: float) -> list[Word]:
        """Decode speech the last decode stopped short of.

        Whisper sometimes ends its output well before the audio ends (most often after a
        sentence end and a pause). Mid-utterance that tail would stay unagreed, and at the
        end of an utterance it would be lost, so the rest is decoded on its own, prompted
        with what came before it. Mid-utterance only a clear shortfall counts
        (``min_speech_s``): the newest word is normally still missing from a decode.
        """
        extra: list[Word] = []
        for _ in range(3):
            covered = (extra or words)[-1].end if (extra or words) else self._last_commit_end
            start = max(self._buf_start, int((covered - 0.1) * SAMPLE_RATE))
            if upto - start < 0.5 * SAMPLE_RATE or self._speech_seconds(covered + 0.2, upto / SAMPLE_RATE) < min_speech_s:
                break
            context = self._committed_text + "".join(w.text for w in words + extra)
            more = [w for w in self._decode(upto, start, context[-self.options.prompt_chars :]) if w.start >= covered - 0.05]
            more = [w for w in more if self._has_speech(w)]
            if not more:
                break
            extra += more
        return extra

    def _decode(self, upto: int, start: int | None = None, prompt: str | None = None) -> list[Word]:
        """Decode buffer audio from ``start`` (default: the buffer's start) to ``upto``
        (absolute samples); words come back in absolute seconds."""
        self._decoded_upto = upto
        start = self._buf_start if start is None else start
        audio = self._buf[start - self._buf_start : upto - self._buf_start]
        offset = start / SAMPLE_RATE
        self.decodes += 1
        words = self.backend.decode(audio, self._prompt() if prompt is None else prompt.strip())
        loop = repetition_start([_norm(w) for w in words])
        words = words if loop is None else words[:loop]
        # A stretched word (alignment artefact) would push the commit time past speech not yet decoded.
        return [
            Word(
                float(round(w.start + offset, 3)),
                float(round(min(w.end, w.start + MAX_WORD_S) + offset, 3)),
                w.text,
                float(w.probability),
            )
            for w in words
        ]

    def _agree(self, words: list[Word]) -> list[StreamEvent]:
        """LocalAgreement-2: commit the common prefix of the previous and this hypothesis."""
        new = self._complete(self._fresh(words), self._decoded_upto, _SHORTFALL_SPEECH_S)
        agreed = 0
        for old, cur in zip(self._hypothesis, new):
            if _norm(old) != _norm(cur):
                break
            agreed += 1
        agreed = min(agreed, self._before_gap(new))
        agreed = min(agreed, self._sure(new[:agreed]))
        settled = self._decoded_upto / SAMPLE_RATE - self.options.settle_s
        while agreed and new[agreed - 1].end > settled:
            agreed -= 1
        events = self._commit(new[:agreed])
        self._older = self._hypothesis
        self._hypothesis = new[agreed:]
        events.append(Partial(tuple(self._hypothesis)))
        return events

    def _sure(self, words: list[Word]) -> int:
        """How many leading agreed words to commit: up to the first unlikely word (see
        ``unsure_p``) that the decode before the previous one did not have at about the same time."""
        for i, word in enumerate(words):
            if word.probability < self.options.unsure_p and not any(
                _norm(old) == _norm(word) and abs(old.start - word.start) < 0.3 for old in self._older
            ):
                return i
        return len(words)

    def _fresh(self, words: list[Word]) -> list[Word]:
        """Drop the words of a decode that were committed already.

        The buffer still holds the audio of words committed since it was last trimmed, so a
        decode normally starts with them. They are found by aligning the decode's words with
        the committed ones by text, so a re-decode that spells a name differently or changes
        a word still lines up; what follows the last committed word is new, whatever its
        timestamps (those are least reliable at the buffer's edges: a word stretched over a
        pause once moved the commit time past the next word, which was then dropped).
        Without an alignment words are kept by time, and a repeated n-gram at the seam is
        removed.
        """
        buffer_start = self._buf_start / SAMPLE_RATE
        in_buffer = [_norm(w) for w in self._committed if w.end > buffer_start]
        cut = self._after_committed(in_buffer, words) if in_buffer else None
        if cut is not None:
            return [w for w in words[cut:] if self._has_speech(w)]
        new = [w for w in words if w.start >= self._last_commit_end - 0.1 and self._has_speech(w)]
        if new and self._committed and abs(new[0].start - self._last_commit_end) < 1.0:
            tail = [_norm(w) for w in self._committed[-5:]]
            for n in range(min(5, len(tail), len(new)), 0, -1):
                if tail[-n:] == [_norm(w) for w in new[:n]]:
                    return new[n:]
        return new

    def _after_committed(self, committed: list[str], words: list[Word]) -> int | None:
        """Index of the first decoded word after the committed ones, or None when the decode
        does not line up with them (most of them matched, the last match near their end and
        not later in time than the commit)."""
        matcher = SequenceMatcher(None, committed, [_norm(w) for w in words], autojunk=False)
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        if not blocks:
            return None
        last = blocks[-1]
        unmatched = len(committed) - (last.a + last.size)  # committed words after the last match
        if unmatched > 2 or sum(b.size for b in blocks) < len(committed) / 2:
            return None
        cut = last.b + last.size
        if words[cut - 1].end > self._last_commit_end + 1.0:  # matched a later, new word
            return None
        # Committed words the decoder heard differently: skip as many decoded words, while
        # they lie before the end of the commit.
        skipped = 0
        while skipped < unmatched and cut < len(words) and words[cut].start < self._last_commit_end - 0.1:
            cut += 1
            skipped += 1
        return cut

    def _before_gap(self, words: list[Word]) -> int:
        """How many leading words come before the first gap that hides speech."""
        previous_end = self._last_commit_end
        for i, word in enumerate(words):
            long_gap = word.start - previous_end > self.options.max_gap_s
            if long_gap and self._speech_seconds(previous_end, word.start) >= _SKIPPED_SPEECH_S:
                return i
            previous_end = word.end
        return len(words)

    def _commit(self, words: list[Word]) -> list[StreamEvent]:
        if not words:
            return []
        words = self._capitalized(words)
        self._committed = (self._committed + list(words))[-_KEEP_WORDS:]
        self._committed_text += "".join(w.text for w in words)
        self._last_commit_end = max(self._last_commit_end, words[-1].end)
        return [Commit(tuple(words))]

    def _capitalized(self, words: list[Word]) -> list[Word]:
        """Start a sentence with a capital letter.

        A decode at a pause hears the audio end and often closes the sentence there; when the
        speaker goes on, the next decode continues it in lower case ("satisfaction. a man's").
        The period is committed by then, so the new word is capitalized ("e.g." and "i.e."
        excepted)."""
        out: list[Word] = []
        previous = self._committed_text.rstrip()[-20:]
        for word in words:
            stripped = word.text.lstrip()
            if stripped[:1].islower() and previous.endswith((".", "?", "!")) and not _ABBREVIATION.search(previous):
                text = word.text[: len(word.text) - len(stripped)] + stripped[0].upper() + stripped[1:]
                word = Word(word.start, word.end, text, word.probability)
            out.append(word)
            previous = (previous + word.text).rstrip()[-20:]
        return out

    def _trim(self) -> list[StreamEvent]:
        o = self.options
        events: list[StreamEvent] = []
        if self._n > o.max_buffer_s * SAMPLE_RATE:
            # Nothing agreed for too long: commit what the decoder heard in the older part.
            keep_from = (self._buf_start + self._n) / SAMPLE_RATE - o.trim_s
            old = [w for w in self._hypothesis if w.end <= keep_from]
            events += self._commit(old)
            self._hypothesis = self._hypothesis[len(old) :]
            self._drop_before(int(max(self._last_commit_end, keep_from) * SAMPLE_RATE))
        elif self._n > o.trim_s * SAMPLE_RATE and self._last_commit_end * SAMPLE_RATE > self._buf_start:
            self._drop_before(int(self._last_commit_end * SAMPLE_RATE))
        return events

    def _prompt(self) -> str:
        """Committed text from before the buffer (whisper_streaming's rule): words still in the
        buffer must not be in the prompt too, or the decoder skips them as already said."""
        buffer_start = self._buf_start / SAMPLE_RATE
        text = "".join(w.text for w in self._committed if w.end <= buffer_start)
        if len(text) > self.options.prompt_chars:
            text = text[-self.options.prompt_chars :]
            text = text[text.find(" ") + 1 :] if " " in text else text
        if not text.strip():
            return self.options.initial_prompt or ""
        return text.strip()

    # -- buffer and VAD bookkeeping ---------------------------------------------------------

    def _append(self, block: np.ndarray) -> None:
        if self._n + len(block) > len(self._buf):  # only if trimming failed; keep the newest
            self._drop_before(self._buf_start + self._n + len(block) - len(self._buf))
        self._buf[self._n : self._n + len(block)] = block
        self._n += len(block)

    def _drop_before(self, absolute: int) -> None:
        cut = min(max(0, absolute - self._buf_start), self._n)
        if cut:
            self._buf[: self._n - cut] = self._buf[cut : self._n]
            self._n -= cut
            self._buf_start += cut
        self._speech = [s for s in self._speech if s[1] > self._buf_start - SAMPLE_RATE]

    def _score_vad(self, block: np.ndarray) -> None:
        window = self._vad.window_samples
        for flag in self._vad.push(block):
            start = self._vad_pos
            self._vad_pos += window
            if not flag:
                continue
            if self._speech and self._speech[-1][1] == start:
                self._speech[-1][1] = self._vad_pos
            else:
                self._speech.append([start, self._vad_pos])

    def _speech_between(self, start_s: float, end_s: float) -> bool:
        a, b = int(start_s * SAMPLE_RATE), int(end_s * SAMPLE_RATE)
        return any(s < b and e > a for s, e in self._speech)

    def _speech_seconds(self, start_s: float, end_s: float) -> float:
        a, b = int(start_s * SAMPLE_RATE), int(end_s * SAMPLE_RATE)
        return sum(max(0, min(e, b) - max(s, a)) for s, e in self._speech) / SAMPLE_RATE

    def _has_speech(self, word: Word) -> bool:
        """Guard against text over silence or noise: a word must overlap detected speech."""
        return self._speech_between(word.start - 0.3, word.end + 0.3)
