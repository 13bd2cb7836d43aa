"""One dictated utterance transcribed whole, as fast as the file path allows (no Qt).

"Type it when I stop" needs the text of a recording of a few seconds at once. faster-whisper
encodes 30 s for it (padding included) and decodes with word timestamps; for a recording
that fits in one window, the encoder here sees the audio plus 1 s (at least
``window_s``, as the live engine does, :mod:`dictation_app.engine.window`) and no word
timestamps are computed. Longer recordings go through the file path's windows.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.engine.transcriber import FileTranscriber, TranscribeOptions

__all__ = ["ONE_WINDOW_S", "transcribe_utterance"]

#: recordings up to this long are decoded in one window (Whisper's is 30 s; 1 s of tail padding)
ONE_WINDOW_S = 28.0


def transcribe_utterance(model, samples: np.ndarray, options: TranscribeOptions, window_s: float = 20.0) -> str:
    """The text of ``samples`` (16 kHz mono float32) with ``options`` (beam, prompt, language)."""
    if len(samples) / SAMPLE_RATE > ONE_WINDOW_S:
        whole = replace(options, word_timestamps=False, batch_size=0)
        return FileTranscriber(model, "").start_samples(samples, whole).run().text.strip()
    from dictation_app.engine.window import ShortWindowModel

    short = ShortWindowModel(model, window_s, max_windows=4)
    short.fit(len(samples))
    kwargs = {**options.whisper_kwargs(model.model.is_multilingual), "word_timestamps": False,
              "condition_on_previous_text": False, "vad_filter": False}
    segments, _ = short.transcribe(samples, **kwargs)
    return "".join(segment.text for segment in segments).strip()
