"""The live engine's decoder: faster-whisper, bounded and deterministic (beside
:mod:`dictation_app.engine.window`, whose short encoder window it uses)."""

from __future__ import annotations

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.engine.fallback import REDECODED
from dictation_app.engine.guards import is_degenerate_text
from dictation_app.engine.streaming import StreamingOptions
from dictation_app.transcript import Word

__all__ = ["WhisperBackend"]


class WhisperBackend:
    """faster-whisper for the live loop (a :class:`~dictation_app.engine.streaming.DecoderBackend`).

    Temperature is 0 with no sampling fallback (a window that loops or is improbable is
    decoded again deterministically, as in files: :mod:`dictation_app.engine.fallback`);
    tokens are capped by the buffer's length; only the first window is decoded
    (faster-whisper's tail windows are where small models hallucinate; the transcriber
    decodes leftovers itself), and decoding stops at the first repetitive segment; the
    encoder sees the buffer, not 30 s of padding (``encoder_window_s``; both in
    :mod:`dictation_app.engine.window`).
    Words over non-speech are dropped by the transcriber.
    """

    TOKENS_PER_S = 8  # fast speech is about 5 tokens a second

    def __init__(self, model, options: StreamingOptions) -> None:
        from dictation_app.engine.window import ShortWindowModel

        self.model = ShortWindowModel(model, options.encoder_window_s)
        self.options = options
        self.multilingual = model.model.is_multilingual
        self.redecoded = 0  # windows decoded again (a loop or an improbable decode)

    def decode(self, audio: np.ndarray, prompt: str, hotwords: str | None = None) -> list[Word]:
        """Words of ``audio``; ``hotwords`` instead of the options' (the vocabulary's decode)."""
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
            hotwords=hotwords or self.options.hotwords or None,
            max_new_tokens=min(220, int(10 + self.TOKENS_PER_S * seconds)),
        )
        words: list[Word] = []
        for segment in segments:
            self.redecoded += segment.temperature == REDECODED
            if is_degenerate_text(segment.text, segment.start, segment.end, segment.compression_ratio):
                break
            words += [Word(w.start, w.end, w.word, w.probability) for w in segment.words or [] if w.word.strip()]
        return words
