"""Streaming transcription: stable, incremental text from audio that keeps arriving.

Pull-style and single-threaded: the caller feeds audio with :meth:`insert_audio`, calls
:meth:`process` whenever it likes and gets back a list of events; :meth:`finish` flushes.
No threads, no I/O, no clocks inside: chunking follows audio time, so the same audio gives
the same events on any machine.

This module keeps the buffer and the utterances and decides when to decode; what was heard (the
last two hypotheses, the committed words) is :class:`~dictation_app.engine.hypotheses.Hypotheses`,
the word rules are in :mod:`dictation_app.engine.agreement`, speech detection behind
:class:`~dictation_app.engine.vad.SpeechDetector` (Silero by default) and the decoder behind
:class:`DecoderBackend` (:mod:`dictation_app.engine.backend`).

Policy (LocalAgreement-2, Macháček et al. 2023, with the fixes their measurements called for):

* Speech detection gates decoding: nothing is decoded while nobody speaks, and a pause of
  ``pause_s`` ends the utterance: everything said is committed and a fresh buffer starts.
* Within an utterance the buffer is re-decoded (beam search at temperature 0, word
  timestamps, a token cap) ``first_decode_s`` after its onset, then every ``chunk_s`` of new
  audio or sooner at a brief pause between phrases; the longest common word prefix of the last
  two hypotheses is committed, the rest is shown as tentative; a word the decoder itself gives
  a low probability needs a third decode to agree.
* The buffer is trimmed at the last committed word once it passes ``trim_s`` and never grows
  past ``max_buffer_s``; the committed text is the next decode's prompt.
* A hypothesis that jumps over speech (a gap with voice in it) is not committed past the gap,
  so one bad decode cannot make a loss permanent, and a decode that stops well short of the
  audio's end, or skips speech, has the rest decoded on its own; a word stretched over speech
  counts as such a skip. Impossibly dense text and text over non-speech are dropped, and a
  phrase decoded three times in a row stays only if the audio, asked again, says it again.
* An utterance that ended is decoded once more, whole, and its commits are replaced by that
  decode's words (a :class:`Revision`; ``revise`` in :class:`StreamingOptions`), after its
  last words went out and, if the next utterance started, after that one's first words. With
  a ``vocabulary`` it is heard twice, and only vocabulary words come from the primed hearing.
"""

from __future__ import annotations

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.engine import agreement
from dictation_app.engine.agreement import norm
from dictation_app.engine.events import (
    Commit,
    DecoderBackend,
    Partial,
    Revision,
    StreamError,
    StreamEvent,
    UtteranceEnd,
    apply_committed,
)
from dictation_app.engine.guards import MAX_LOOP_WORDS, MAX_WORD_S, repetition
from dictation_app.engine.hypotheses import Hypotheses
from dictation_app.engine.streaming_options import StreamingOptions
from dictation_app.engine.utterance import Utterance
from dictation_app.engine.vad import SpeechDetector, SpeechTimeline
from dictation_app.transcript import Word

__all__ = [
    "Commit",
    "DecoderBackend",
    "Partial",
    "Revision",
    "StreamError",
    "StreamEvent",
    "StreamingOptions",
    "StreamingTranscriber",
    "UtteranceEnd",
    "apply_committed",
]


_STEP = SAMPLE_RATE // 10  # granularity of pause detection
_PHRASE_PAUSE_S = 0.2  # silence after speech that ends a phrase (see phrase_decode_s)
# Speech after a decode's last word that means it stopped short, not that the newest word
# is still being spoken.
_SHORTFALL_SPEECH_S = 1.2


class StreamingTranscriber:
    """LocalAgreement-2 streaming over a speech-gated, trimmed buffer.

    Args:
        backend: What decodes the buffer (:class:`~dictation_app.engine.backend.WhisperBackend`
            in the app).
        options: The policy.
        detector: Speech/silence decisions; default: Silero (:class:`~dictation_app.engine.vad.StreamingVad`)
            with ``options.vad``.
    """

    def __init__(
        self, backend: DecoderBackend, options: StreamingOptions | None = None, detector: SpeechDetector | None = None
    ) -> None:
        self.backend = backend
        self.options = options or StreamingOptions()
        o = self.options
        self._buf = np.zeros(int((o.max_buffer_s + 2 * o.chunk_s + 5.0) * SAMPLE_RATE), np.float32)
        if detector is None:
            from dictation_app.engine.vad import StreamingVad

            detector = StreamingVad(o.vad)
        self._speech = SpeechTimeline(detector, SAMPLE_RATE)
        self.reset()

    # -- state ------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything: the next sample is time 0."""
        self._n = 0  # samples in the buffer
        self._buf_start = 0  # absolute sample index of self._buf[0]
        self._pending: list[np.ndarray] = []  # inserted, not yet moved into the buffer
        self._speech.reset()
        self._in_utterance = False
        self._decoded_upto = 0
        self._heard = Hypotheses()  # the last two hypotheses and the committed words
        self._utterance = Utterance()  # the one being spoken, for its revision
        self._revision_due: tuple[int, Utterance] | None = None  # an ended utterance and its end, to revise
        self.decodes = 0
        self.revisions = 0
        self.loops_heard = 0  # repetitions asked of the audio (see _without_loop)

    @property
    def committed_text(self) -> str:
        return self._heard.committed_text.strip()

    @property
    def in_utterance(self) -> bool:
        """Whether speech has started and not yet ended with a pause."""
        return self._in_utterance

    @property
    def time(self) -> float:
        """Seconds of audio processed."""
        return (self._buf_start + self._n) / SAMPLE_RATE

    @property
    def buffered_samples(self) -> int:
        """Samples in the decode buffer (bounded by ``max_buffer_s``)."""
        return self._n

    # -- the pull interface -----------------------------------------------------------------

    def insert_audio(self, block: np.ndarray) -> None:
        """Queue 16 kHz mono float32 samples; cheap, does no decoding."""
        if len(block):
            self._pending.append(np.asarray(block, np.float32).reshape(-1))

    def process(self) -> list[StreamEvent]:
        """Consume queued audio; decode once if a decode is due (:meth:`_decode_due`).

        Pauses are found at 0.1-s resolution inside the queued audio, so an utterance ends
        where the speaker paused even when the caller fell behind; a backlog is then decoded
        once rather than chunk by chunk, so a slow machine catches up instead of lagging more.
        """
        audio = np.concatenate(self._pending) if self._pending else np.zeros(0, np.float32)
        self._pending, events = [], []
        for start in range(0, len(audio), _STEP):
            events += self._ingest(audio[start : start + _STEP])
        if not self._in_utterance or self._utterance.heard:  # a new one's first words come first
            events += self._revise_due()
        end = self._buf_start + self._n
        if self._in_utterance and self._decode_due(end):
            events += self._agree(self._decode(end)) + self._trim()
        return events

    def _decode_due(self, end: int) -> bool:
        """An utterance's first decode comes ``first_decode_s`` after its onset, later ones
        after ``chunk_s`` of new audio, or sooner when the speaker paused briefly after speech
        no decode has heard end, so the words before the pause are heard whole and soon."""
        o, new, last = self.options, end - self._decoded_upto, self._speech.last
        if not self._utterance.heard:
            return end - self._utterance.start >= (o.preroll_s + o.first_decode_s) * SAMPLE_RATE
        if new >= o.chunk_s * SAMPLE_RATE:
            return True
        if not o.phrase_decode_s or new < o.phrase_decode_s * SAMPLE_RATE or last is None:
            return False
        return last[1] > self._decoded_upto and self._speech.position - last[1] >= _PHRASE_PAUSE_S * SAMPLE_RATE

    def finish(self) -> list[StreamEvent]:
        """Flush: commit everything still tentative. The transcriber can be reused after."""
        events = self.process()
        if self._in_utterance:
            events += self._end_utterance()
        return events + self._revise_due()

    # -- utterances -------------------------------------------------------------------------

    def _ingest(self, block: np.ndarray) -> list[StreamEvent]:
        """Buffer a block, score it for speech, and open or close the utterance."""
        self._append(block)
        self._speech.push(block)
        preroll = int(self.options.preroll_s * SAMPLE_RATE)
        last = self._speech.last
        if not self._in_utterance:
            if last is None or last[1] <= self._decoded_upto:
                self._drop_before(self._buf_start + self._n - preroll)
                return []
            self._in_utterance = True
            self._drop_before(last[0] - preroll)
            self._utterance = Utterance(self._buf_start, self._buf[: self._n], self.options.revise_max_s + 5.0)
        else:
            self._utterance.add_audio(block)
        o = self.options  # a long utterance ends at a shorter pause: its revision hears it within 30 s
        long = o.revise and self._buf_start + self._n - self._utterance.start >= o.long_utterance_s * SAMPLE_RATE
        if self._speech.position - last[1] >= (min(o.pause_s, o.long_pause_s) if long else o.pause_s) * SAMPLE_RATE:
            return self._end_utterance()
        if self._n > self.options.max_buffer_s * SAMPLE_RATE:  # runaway backlog: decode now
            return self._agree(self._decode(self._buf_start + self._n)) + self._trim()
        return []

    def _end_utterance(self) -> list[StreamEvent]:
        # The words still tentative must be heard with the pause after them (Whisper ends a
        # sentence better when it hears it end): one more decode, unless the last one heard the
        # phrase end already and the revision will hear the whole utterance again.
        events = self._revise_due()  # the one before, if this ended before its first decode
        last = self._speech.last
        last_speech_end = last[1] if last else self._buf_start + self._n
        upto = min(self._buf_start + self._n, last_speech_end + int(self.options.pause_s * SAMPLE_RATE))
        heard_end = self._decoded_upto >= min(upto, last_speech_end + int(_PHRASE_PAUSE_S * SAMPLE_RATE))
        if self.options.revise and heard_end:
            words = self._complete(self._heard.newest, upto)
        else:
            words = self._complete(self._fresh(self._decode(upto)), upto)
        events += self._commit(words)
        if self.options.revise:
            self._revision_due = (upto, self._utterance)  # later: these words reach the user first
        self._heard.clear()
        self._in_utterance = False
        end = self._buf_start + self._n
        self._decoded_upto = end
        self._drop_before(end - int(self.options.preroll_s * SAMPLE_RATE))
        events += [Partial(()), UtteranceEnd(self._heard.last_commit_end)]
        return events

    # -- the utterance heard whole ----------------------------------------------------------

    def _revise_due(self) -> list[StreamEvent]:
        if self._revision_due is None:
            return []
        (upto, utterance), self._revision_due = self._revision_due, None
        return self._revise(upto, utterance)

    def _revise(self, upto: int, utterance: Utterance) -> list[StreamEvent]:
        """Decode the utterance that ended once more, whole, prompted with the text before it,
        and replace its commits with that decode's words when it is sound (a :class:`Revision`;
        live words it jumped over are kept). Only whole commits within ``revise_max_s``."""
        o = self.options
        old, start, audio = utterance.span(upto, o.revise_max_s)
        if not old or len(audio) < 0.3 * SAMPLE_RATE:
            return []
        before, text_before = self._heard.before(old)
        start_s = start / SAMPLE_RATE
        prompt = agreement.prompt_text(before, start_s, o.prompt_chars, o.initial_prompt)
        short = bool(o.short_prompt) and len(audio) <= o.short_prompt_s * SAMPLE_RATE
        if short:
            prompt = f"{prompt} {o.short_prompt}".strip()  # a lone command word, heard as one (next to the audio)
        decoded = self._decode_audio(audio, start_s, prompt)
        if short and agreement.is_expected_phrase(decoded, o.short_prompt):
            new = decoded  # exactly a phrase it was told to expect: the whole utterance ("Here it is." -> "Period.")
        else:
            if o.vocabulary:  # heard once more with the user's words: only those are taken from it
                primed = self._decode_audio(audio, start_s, prompt, o.vocabulary)
                decoded = agreement.with_vocabulary(decoded, primed, o.vocabulary)
            new = agreement.spliced(decoded, old)
            if not agreement.sound_revision(old, new, len(audio) / SAMPLE_RATE):
                return []
        new = agreement.capitalized(new, text_before)
        if [w.text for w in new] == [w.text for w in old]:
            return []
        self.revisions += 1
        self._heard.revise(old, new)
        return [Revision(tuple(new), count=len(old))]

    # -- decodes ----------------------------------------------------------------------------

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
            covered = (extra or words)[-1].end if (extra or words) else self._heard.last_commit_end
            start = max(self._buf_start, int((covered - 0.1) * SAMPLE_RATE))
            if (
                upto - start < 0.5 * SAMPLE_RATE
                or self._speech.seconds(covered + 0.2, upto / SAMPLE_RATE) < min_speech_s
            ):
                break
            context = self._heard.committed_text + "".join(w.text for w in words + extra)
            more = [
                w for w in self._decode(upto, start, context[-self.options.prompt_chars :]) if w.start >= covered - 0.05
            ]
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
        if prompt is None:
            o = self.options
            prompt = self._heard.prompt(self._buf_start / SAMPLE_RATE, o.prompt_chars, o.initial_prompt)
        return self._decode_audio(audio, start / SAMPLE_RATE, prompt.strip())

    def _decode_audio(self, audio: np.ndarray, offset: float, prompt: str, hotwords: str = "") -> list[Word]:
        """Decode ``audio`` that starts ``offset`` seconds into the stream."""
        self.decodes += 1
        words = self._without_loop(self.backend.decode(audio, prompt, hotwords or None), audio)
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

    def _without_loop(self, words: list[Word], audio: np.ndarray) -> list[Word]:
        """``words`` without a loop: a phrase of up to :data:`MAX_LOOP_WORDS` said three times
        in a row is asked of the audio. Its second time is decoded alone, with no prompt (a
        loop feeds on the text before it); if that audio says the phrase again the repetition
        is speech ("knit two, knit two, knit two") and stays, otherwise the decoder looped and
        everything from the phrase's first time on is dropped (that audio is decoded again as
        a leftover, or by the next decode)."""
        found = repetition([norm(w) for w in words], 3, MAX_LOOP_WORDS)
        if found is None:
            return words
        start, n = found
        second = words[start + n : start + 2 * n]
        a, b = int(max(0.0, second[0].start - 0.1) * SAMPLE_RATE), int((second[-1].end + 0.1) * SAMPLE_RATE)
        if min(b, len(audio)) - a < 0.2 * SAMPLE_RATE:
            return words[:start]  # no audio under it: nothing to ask
        self.decodes += 1
        self.loops_heard += 1
        heard = [norm(w) for w in self.backend.decode(audio[a:b], "", None)]
        gram = [norm(w) for w in second]
        if any(heard[i : i + n] == gram for i in range(len(heard) - n + 1)):
            return words
        return words[:start]

    # -- agreement --------------------------------------------------------------------------

    def _agree(self, words: list[Word]) -> list[StreamEvent]:
        """LocalAgreement-2: commit the common prefix of the previous and this hypothesis."""
        self._utterance.heard = True
        new = self._complete(self._fresh(words), self._decoded_upto, _SHORTFALL_SPEECH_S)
        settled = self._decoded_upto / SAMPLE_RATE - self.options.settle_s
        agreed = self._heard.agreed(new, self._before_gap(new), self.options.unsure_p, settled)
        events = self._commit(new[:agreed])
        self._heard.advance(new, agreed)
        events.append(Partial(tuple(self._heard.newest)))
        return events

    def _fresh(self, words: list[Word]) -> list[Word]:
        """Drop the words of a decode that were committed already.

        The buffer still holds the audio of words committed since it was last trimmed, so a
        decode normally starts with them. They are found by aligning the decode's words with
        the committed ones by text (:func:`~dictation_app.engine.agreement.after_committed`),
        so a re-decode that spells a name differently or changes a word still lines up; what
        follows the last committed word is new, whatever its timestamps (those are least
        reliable at the buffer's edges). Without an alignment words are kept by time, and a
        repeated n-gram at the seam is removed.
        """
        buffer_start = self._buf_start / SAMPLE_RATE
        heard = self._heard
        in_buffer = [norm(w) for w in heard.committed if w.end > buffer_start]
        cut = agreement.after_committed(in_buffer, words, heard.last_commit_end) if in_buffer else None
        if cut is not None:
            return [w for w in words[cut:] if self._has_speech(w)]
        new = [w for w in words if w.start >= heard.last_commit_end - 0.1 and self._has_speech(w)]
        if new and heard.committed and abs(new[0].start - heard.last_commit_end) < 1.0:
            return new[agreement.seam_overlap(heard.committed, new) :]
        return new

    def _before_gap(self, words: list[Word]) -> int:
        return agreement.before_gap(words, self._heard.last_commit_end, self.options.max_gap_s, self._speech.seconds)

    def _commit(self, words: list[Word]) -> list[StreamEvent]:
        if not words:
            return []
        events = self._revise_due()  # a Revision counts back from the newest commit: it goes first
        words = self._heard.commit(words)
        if self._in_utterance:
            self._utterance.add_commit(words)
        return events + [Commit(tuple(words))]

    def _has_speech(self, word: Word) -> bool:
        """Guard against text over silence or noise: a word must overlap detected speech."""
        return self._speech.any_between(word.start - 0.3, word.end + 0.3)

    # -- the buffer -------------------------------------------------------------------------

    def _trim(self) -> list[StreamEvent]:
        o = self.options
        events: list[StreamEvent] = []
        if self._n > o.max_buffer_s * SAMPLE_RATE:
            # Nothing agreed for too long: commit what the decoder heard in the older part.
            keep_from = (self._buf_start + self._n) / SAMPLE_RATE - o.trim_s
            old = [w for w in self._heard.newest if w.end <= keep_from]
            events += self._commit(old)
            self._heard.newest = self._heard.newest[len(old) :]
            self._drop_before(int(max(self._heard.last_commit_end, keep_from) * SAMPLE_RATE))
        elif self._n > o.trim_s * SAMPLE_RATE and self._heard.last_commit_end * SAMPLE_RATE > self._buf_start:
            self._drop_before(int(self._heard.last_commit_end * SAMPLE_RATE))
        return events

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
        self._speech.forget_before(self._buf_start)
