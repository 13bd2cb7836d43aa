"""A deterministic way out of a window decoded wrong: loops and garbage are decoded again.

faster-whisper's own answer to a window whose text repeats itself (its gzip compression ratio
above 2.4) or that the decoder scores low (mean token log-probability below -1) is to decode it
again by sampling at rising temperatures. That sampling cannot be made to repeat itself (see
:mod:`dictation_app.engine.transcriber`), so the app decodes at temperature 0 only, and a
window that fell into a loop ("Knit four. Knit four. ..." 30 times over a noisy passage) stayed
in the transcript, and its text, given to the next window as prompt, invited the next loop.

Here such a window is decoded again in ways that are still a pure function of the audio and
the options, in this order:

1. without the previous windows' text as prompt (the loop's usual source: the decoder goes on
   with what it has just read, and in noise that is the only thing it is sure of), when there
   was any;
2. the same with a penalty on tokens already generated (CTranslate2's ``repetition_penalty``),
   which a decoder stuck on a phrase cannot ignore.

The rule: the first of these that passes faster-whisper's two tests (not too repetitive, not
too improbable; "silence" is not a pass, it would drop the window's words unheard) replaces the
first decode; if none does, the first decode stays. So speech that really repeats ("knit two,
knit two, knit two") stays as said: without a prompt it decodes as the same repetition, and
with the penalty as garbage the decoder does not believe (a phrase said eight times became
"So am I fell in the rickens", mean log-probability -1.3), which fails the test. Only windows
that fail the tests pay for the extra decodes; clean speech is decoded once, as before. After
a window decoded again the next window's prompt starts afresh, as after faster-whisper's own
fallback.
"""

from __future__ import annotations

import functools
from dataclasses import replace

__all__ = ["REDECODED", "guarded", "guarded_class", "passes", "silence"]

#: The "temperature" reported for a window decoded again. faster-whisper resets the next
#: window's prompt above 0.5 (``prompt_reset_on_temperature``); the transcriber counts these.
REDECODED = 1.0
#: Penalty on tokens already generated, for the last way (CTranslate2's ``repetition_penalty``).
REPETITION_PENALTY = 1.3


def guarded(model):
    """A :class:`faster_whisper.WhisperModel` view of ``model`` (nothing copied but references)
    that decodes again, deterministically, a window whose text repeats itself or is improbable."""
    return guarded_class()(model)


@functools.cache
def guarded_class():
    """The class of :func:`guarded` views, for views that do more (built on first use: importing
    faster-whisper takes a while, and the control commands never need it)."""
    from faster_whisper import WhisperModel

    class GuardedModel(WhisperModel):
        def __init__(self, model: WhisperModel) -> None:
            # Deliberately not super().__init__(): that would load the weights a second time.
            self.__dict__.update(model.__dict__)

        def generate_with_fallback(self, encoder_output, prompt, tokenizer, options):
            first = super().generate_with_fallback(encoder_output, prompt, tokenizer, options)
            if any(t > 0 for t in options.temperatures) or passes(first, options) or silence(first, options):
                return first  # a caller that asked for sampling has faster-whisper's own fallback
            fresh = _without_previous_text(prompt, tokenizer, options, self.max_length)
            retries = [(fresh, options)] if fresh != prompt else []
            retries.append((fresh, replace(options, repetition_penalty=REPETITION_PENALTY)))
            for retry_prompt, retry_options in retries:
                second = super().generate_with_fallback(encoder_output, retry_prompt, tokenizer, retry_options)
                if passes(second, options):
                    result, avg_logprob, _, compression_ratio = second
                    return result, avg_logprob, REDECODED, compression_ratio
            return first

    return GuardedModel


def passes(decoded, options) -> bool:
    """faster-whisper's tests of a window's decode: not too repetitive and not too improbable."""
    _, avg_logprob, _, compression_ratio = decoded
    if options.compression_ratio_threshold is not None and compression_ratio > options.compression_ratio_threshold:
        return False
    return options.log_prob_threshold is None or avg_logprob >= options.log_prob_threshold


def silence(decoded, options) -> bool:
    """What faster-whisper skips as no speech: a no-speech probability above its threshold
    with an improbable decode."""
    result, avg_logprob, _, _ = decoded
    if options.no_speech_threshold is None or options.log_prob_threshold is None:
        return False
    return result.no_speech_prob > options.no_speech_threshold and avg_logprob < options.log_prob_threshold


def _without_previous_text(prompt: list[int], tokenizer, options, max_length: int) -> list[int]:
    """``prompt`` less the previous windows' text (and the initial prompt, which is part of it);
    the hotwords, the start of transcript and any prefix stay."""
    start = prompt.index(tokenizer.sot)
    head = prompt[:start]  # [] or [sot_prev, *hotwords, *previous text]
    hotwords = tokenizer.encode(" " + options.hotwords.strip())[: max_length // 2 - 1] if options.hotwords else []
    keep = 1 + len(hotwords) if hotwords and head[1 : 1 + len(hotwords)] == hotwords else 0
    return head[:keep] + prompt[start:]
