"""File transcription: decode a media file and stream its transcript segment by segment.

The decoding policy is deterministic: every window is decoded with beam search at
temperature 0, so the same file and options give the same transcript on every run.
(faster-whisper's default falls back to sampling at temperatures 0.2-1.0 when a window looks
bad; CTranslate2's sampler keeps a per-thread random state that ``set_random_seed`` cannot
reset between files, so those fallbacks make repeated runs differ.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE, load_audio
from dictation_app.errors import TranscriptionCancelled
from dictation_app.transcript import Segment, Transcript, TranscriptMetadata, Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

__all__ = ["FileTranscriber", "SegmentProgress", "TranscribeOptions", "Transcription"]


@dataclass(frozen=True)
class TranscribeOptions:
    """What to ask the model for.

    Attributes:
        language: Language code ("en", "de"...), or None to detect it (multilingual models).
            English-only models (``*.en``) always use "en".
        task: "transcribe", or "translate" to English (multilingual models only).
        initial_prompt: Text that sets vocabulary and style for the first window.
        hotwords: Words to favour (names, jargon), given to the decoder as a prefix prompt.
        beam_size: Beam width; 5 is Whisper's reference setting.
        vad_filter: Skip non-speech with Silero VAD before decoding.
        word_timestamps: Compute per-word times and probabilities (needed for subtitle
            splitting and low-confidence marks; costs an alignment pass).
        condition_on_previous_text: Prompt each window with the previous window's text.
    """

    language: str | None = None
    task: str = "transcribe"
    initial_prompt: str | None = None
    hotwords: str | None = None
    beam_size: int = 5
    vad_filter: bool = False
    word_timestamps: bool = True
    condition_on_previous_text: bool = True

    def whisper_kwargs(self, multilingual: bool) -> dict:
        """Keyword arguments for ``WhisperModel.transcribe`` (also used by the benchmarks)."""
        return dict(
            language=self.language if multilingual else "en",
            task=self.task if multilingual else "transcribe",
            initial_prompt=self.initial_prompt or None,
            hotwords=self.hotwords or None,
            beam_size=self.beam_size,
            vad_filter=self.vad_filter,
            word_timestamps=self.word_timestamps,
            condition_on_previous_text=self.condition_on_previous_text,
            temperature=0.0,
        )


@dataclass
class SegmentProgress:
    """One step of a running transcription.

    Attributes:
        segment: The segment just decoded.
        fraction: How much of the audio is done, 0..1.
    """

    segment: Segment
    fraction: float


@dataclass
class Transcription:
    """A transcription in progress; iterate it to drive decoding.

    ``transcript`` fills up as iteration goes on, so whatever was decoded before a
    cancellation or error stays available.
    """

    transcript: Transcript
    _segments: Iterator = field(repr=False)
    _samples: np.ndarray = field(repr=False)
    _cancel: threading.Event | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[SegmentProgress]:
        duration = self.transcript.metadata.duration or 1.0
        for raw in self._segments:
            if self._cancel is not None and self._cancel.is_set():
                raise TranscriptionCancelled()
            if _is_hallucination(raw, self._samples):
                continue
            segment = _to_segment(raw)
            self.transcript.segments.append(segment)
            yield SegmentProgress(segment, min(1.0, segment.end / duration))
        if self._cancel is not None and self._cancel.is_set():
            raise TranscriptionCancelled()

    def run(self) -> Transcript:
        """Decode to the end and return the transcript."""
        for _ in self:
            pass
        return self.transcript


class FileTranscriber:
    """Transcribes files with one loaded model.

    Args:
        model: A loaded faster-whisper model (see :class:`~dictation_app.engine.ModelStore`).
        model_name: Name recorded in each transcript's metadata.
    """

    def __init__(self, model: WhisperModel, model_name: str) -> None:
        self.model = model
        self.model_name = model_name

    def start(
        self,
        path: str | Path,
        options: TranscribeOptions | None = None,
        cancel: threading.Event | None = None,
    ) -> Transcription:
        """Decode ``path`` and begin transcribing; raises AudioDecodeError on bad input."""
        audio = load_audio(path)
        return self.start_samples(audio.samples, options, cancel, source=str(path))

    def start_samples(
        self,
        samples: np.ndarray,
        options: TranscribeOptions | None = None,
        cancel: threading.Event | None = None,
        source: str = "",
    ) -> Transcription:
        """Like :meth:`start`, on 16 kHz mono float32 samples already in memory."""
        options = options or TranscribeOptions()
        segments, info = self.model.transcribe(samples, **options.whisper_kwargs(self.model.model.is_multilingual))
        metadata = TranscriptMetadata(
            source=source,
            model=self.model_name,
            language=info.language,
            duration=len(samples) / SAMPLE_RATE,
            task=options.task if self.model.model.is_multilingual else "transcribe",
        )
        return Transcription(Transcript(metadata=metadata), segments, samples, cancel)

    def transcribe(self, path: str | Path, options: TranscribeOptions | None = None) -> Transcript:
        """Transcribe a whole file."""
        return self.start(path, options).run()


# Whisper writes "You", "Thank you." or dots over silence and hum. Its own no-speech
# probability is high there, but also on some real speech, so a window it doubts is checked
# with Silero VAD over the segment's own span: only doubtful segments pay for the check.
_DOUBTFUL_NO_SPEECH_PROB = 0.5
_VAD_PAD_S = 0.2
# With word timestamps, faster-whisper seeks to the last word's end and may decode a
# fraction of a second of tail, which tiny models fill with a repetition loop. Faster-whisper
# flags such text by its gzip compression ratio (> 2.4); no one speaks 25 characters a second.
_REPETITIVE_COMPRESSION_RATIO = 2.4
_MAX_CHARS_PER_S = 25.0


def _is_hallucination(raw, samples: np.ndarray) -> bool:
    if not any(ch.isalnum() for ch in raw.text):
        return True
    if raw.compression_ratio > _REPETITIVE_COMPRESSION_RATIO:
        if len(raw.text.strip()) > _MAX_CHARS_PER_S * max(raw.end - raw.start, 0.1):
            return True
    elif raw.no_speech_prob <= _DOUBTFUL_NO_SPEECH_PROB:
        return False
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    start = max(0, int((raw.start - _VAD_PAD_S) * SAMPLE_RATE))
    end = min(len(samples), int((raw.end + _VAD_PAD_S) * SAMPLE_RATE))
    return not get_speech_timestamps(samples[start:end], VadOptions())


def _to_segment(raw) -> Segment:
    words = [
        Word(start=round(w.start, 3), end=round(w.end, 3), text=w.word, probability=round(w.probability, 4))
        for w in (raw.words or [])
    ]
    return Segment(start=round(raw.start, 3), end=round(raw.end, 3), text=raw.text.strip(), words=words)


def with_language(options: TranscribeOptions, language: str | None) -> TranscribeOptions:
    """Options with ``language`` set; "auto" or "" means detect."""
    return replace(options, language=None if language in (None, "", "auto") else language)
