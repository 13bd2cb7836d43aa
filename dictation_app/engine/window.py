"""A faster-whisper model whose encoder sees the audio, not 30 s of it padded with silence.

faster-whisper pads every window to Whisper's 30 s before encoding (``pad_or_trim`` in
``generate_segments``; ``chunk_length`` does not change that). The live loop decodes its buffer
of a few seconds about once a second, so most of each encode, and of the decoder's
cross-attention over it, is spent on padding. CTranslate2's Whisper encoder accepts shorter
inputs; measured here (tiny.en int8, 2 cores), a 10-s buffer encodes in 0.08 s instead of
0.22 s, and text is unchanged when the window keeps at least 1 s of padding after the audio.
Very short windows do change it (buffers under 2 s decoded to nothing or to repeats), so the
window never shrinks below a floor.
"""

from __future__ import annotations

import numpy as np
from faster_whisper import WhisperModel

__all__ = ["ShortWindowModel"]


class ShortWindowModel(WhisperModel):
    """Shares a loaded model's weights; encodes only ``frames`` of each window.

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

    def fit(self, samples: int) -> None:
        """Size the window for ``samples`` of 16 kHz audio."""
        content = samples // self.feature_extractor.hop_length
        full = self.feature_extractor.nb_max_frames
        self.frames = min(full, max(self.floor_frames, content + self.tail_frames))

    def encode(self, features: np.ndarray):
        return super().encode(features[..., : self.frames])
