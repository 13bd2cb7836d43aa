"""The live engine's policy settings, each with what it was measured to do."""

from __future__ import annotations

from dataclasses import dataclass, field

from dictation_app.engine.vad import VadSettings

__all__ = ["StreamingOptions"]


@dataclass(frozen=True)
class StreamingOptions:
    """Streaming policy.

    Attributes:
        language: Language code, or None to detect (multilingual models).
        beam_size: Beam width of every decode.
        chunk_s: Re-decode after this much new audio. Hypotheses 1 s apart disagree where the
            decoder is unsure; at 0.5 s they often repeat the same mistake (live WER on the
            long-form set with a 0.5-s pause: 4.84 % at 1.0 s, 5.45 % at 0.5 s; offline 3.55 %).
        first_decode_s: An utterance's first decode comes once this much of it was heard
            (counted from its onset, not from the decode before): its first words are shown
            soon, and a decode is not spent on the first syllable after a long silence.
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
        trim_s: Trim the buffer at a committed word once it is longer than this. A decode's
            cost grows with the words it re-decodes; at 11 rather than 15 the last seconds of
            a long utterance leave the CPU time for its revision (2 cores, real time, one
            check passage: commit latency p95 2.8 s against 3.7 s). Revised live WER: tune
            half 4.59 % against 4.74 %, check half 4.68 %; as first committed 5.50 % against
            5.24 % on the tune half.
        max_buffer_s: Hard cap on the buffer; older uncommitted words are committed first.
        encoder_window_s: The shortest audio window the encoder sees; a buffer is encoded
            with 1 s of padding after it, or padded to this, never to Whisper's full 30 s
            (see :mod:`dictation_app.engine.window`). 30 disables the saving.
        max_gap_s: A silence between two hypothesis words longer than this, with speech in it,
            means the decoder skipped words: nothing after it is committed from that decode.
        prompt_chars: How much committed text prompts the next decode.
        initial_prompt: Vocabulary and style hint before anything is committed.
        hotwords: Words to favour in every decode (the user's own hotwords setting).
        vocabulary: The user's vocabulary, as hotwords (with ``hotwords``). With ``revise``,
            an utterance heard whole is decoded once more with them, and only spans where
            that decode brings in a vocabulary word are taken from it
            (:func:`~dictation_app.engine.agreement.with_vocabulary`): given to every decode,
            a list of names changed ordinary words ("Brownie" -> "Browny" beside "Jimmie").
        revise: At the end of each utterance, decode it once more, whole, and replace its
            live words with that decode's (a :class:`~dictation_app.engine.events.Revision`).
            Dev set, tune half: live WER 4.57 % against 5.40 % without (offline 4.35 %);
            check half: 4.89 % against 5.72 % (offline 4.78 %).
        revise_max_s: The longest stretch revised; a longer utterance has its newest commits
            revised (Whisper hears 30 s at a time).
        long_utterance_s: An utterance this long ends at a pause of ``long_pause_s`` (with
            ``revise``), so that its revision hears all of it. Read speech often runs a minute
            between 1-s pauses; revising only its last 28 s left most live errors in place.
        vad: Speech detection thresholds.
        short_prompt: Words a short utterance may be (the spoken commands, when they are on):
            an utterance of at most ``short_prompt_s`` is heard whole with them before its
            prompt. tiny.en hears a lone "comma" as "Karma" without them; ordinary speech is
            decoded without them, so they cannot bias it.
        short_prompt_s: The longest utterance that gets ``short_prompt``.
    """

    language: str | None = "en"
    beam_size: int = 5
    chunk_s: float = 1.0
    first_decode_s: float = 0.7
    phrase_decode_s: float = 0.6
    settle_s: float = 0.0
    unsure_p: float = 0.2
    pause_s: float = 1.0
    preroll_s: float = 0.3
    trim_s: float = 11.0
    max_buffer_s: float = 25.0
    encoder_window_s: float = 20.0
    max_gap_s: float = 1.5
    prompt_chars: int = 200
    initial_prompt: str | None = None
    hotwords: str | None = None
    vocabulary: str = ""
    revise: bool = True
    revise_max_s: float = 28.0
    long_utterance_s: float = 12.0
    long_pause_s: float = 0.4
    vad: VadSettings = field(default_factory=VadSettings)
    short_prompt: str = ""
    short_prompt_s: float = 3.0
