"""A faster-whisper model whose encoder sees the audio, not 30 s of it padded with silence.

faster-whisper pads every window to Whisper's 30 s before encoding (``pad_or_trim`` in
``generate_segments``; ``chunk_length`` does not change that). The live loop decodes its buffer
of a few seconds about once a second, so most of each encode, and of the decoder's
cross-attention over it, is spent on padding. CTranslate2's Whisper encoder accepts shorter
inputs; measured here (tiny.en int8, 2 cores), a 10-s buffer encodes in 0.08 s instead of
0.22 s, and text is unchanged when the window keeps at least 1 s of padding after the audio.
Very short windows do change it (buffers under 2 s decoded to nothing or to repeats), so the
window never shrinks below a floor.

Only the first window is decoded. With word timestamps faster-whisper moves on to the audio
after the last word it aligned, so a buffer whose end the decoder did not reach is decoded a
second time from there: a second encode, beam search and alignment (about 40 % of a decode's
time, measured on 3-s buffers), for text the live loop discards anyway (tiny tail windows are
where small models hallucinate; the streaming transcriber decodes leftovers itself).
"""

from __future__ import annotations

import numpy as np
from faster_whisper import WhisperModel

from dictation_app.engine.fallback import guarded_class

__all__ = ["ShortWindowModel"]


class _LaterWindow(Exception):
    """Raised from the encoder to end decoding after the first window."""


class ShortWindowModel(guarded_class()):
    """Shares a loaded model's weights; encodes only ``frames`` of each window and decodes
    only the first window of each ``transcribe`` call. A window that loops or is improbable
    is decoded again as files' windows are (:mod:`dictation_app.engine.fallback`), so live
    text and files take the same way out.

    Set :attr:`frames` before each ``transcribe`` call with :meth:`fit`.

    Args:
        model: A loaded model; nothing is copied but references.
        floor_s: The shortest window encoded (seconds).
        tail_s: Padding kept after the audio (seconds).
    """

    def __init__(self, model: WhisperModel, floor_s: float, tail_s: float = 1.0) -> None:
        # Deliberately not super().__init__(): that would load the weights a second time.
        self.__dict__.update(model.__dict__)
        frame_s = self.feature_extractor.time_per_frame
        self.floor_frames = round(floor_s / frame_s)
        self.tail_frames = round(tail_s / frame_s)
        self.frames = self.feature_extractor.nb_max_frames
        self._windows: int | None = None  # windows encoded by the running generate_segments

    def fit(self, samples: int) -> None:
        """Size the window for ``samples`` of 16 kHz audio."""
        content = samples // self.feature_extractor.hop_length
        full = self.feature_extractor.nb_max_frames
        self.frames = min(full, max(self.floor_frames, content + self.tail_frames))

    def generate_segments(self, features, tokenizer, options, log_progress, encoder_output=None):
        self._windows = 0 if encoder_output is None else 1
        try:
            yield from super().generate_segments(features, tokenizer, options, log_progress, encoder_output)
        except _LaterWindow:
            return
        finally:
            self._windows = None

    def encode(self, features: np.ndarray):
        if self._windows is not None:
            self._windows += 1
            if self._windows > 1:
                raise _LaterWindow
        return super().encode(features[..., : self.frames])
