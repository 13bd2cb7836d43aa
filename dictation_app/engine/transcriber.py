"""File transcription: decode a media file and stream its transcript segment by segment.

The decoding policy is deterministic: every window is decoded with beam search at
temperature 0, so the same file and options give the same transcript on every run.
(faster-whisper's default falls back to sampling at temperatures 0.2-1.0 when a window looks
bad; CTranslate2's sampler keeps a per-thread random state that ``set_random_seed`` cannot
reset between files, so those fallbacks make repeated runs differ.) A window that fails
faster-whisper's tests (a loop, an improbable decode) is decoded again in ways that do repeat
themselves: :mod:`dictation_app.engine.fallback`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE, BlockDecoder
from dictation_app.engine.fallback import REDECODED, guarded
from dictation_app.engine.guards import MAX_WORD_S, is_degenerate_text, is_doubtful
from dictation_app.engine.long_form import LONG_FILE_S, LongFileModel, check_memory, prepare
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
        batch_size: Above 1, faster-whisper's batched pipeline: the VAD's speech chunks are
            decoded this many at a time (2.6x as fast on 2 cores, 10-min recording, WER 5.12 %
            against 5.24 %; ``benchmarks/bench_long.py``), but the whole file is in memory
            and each chunk is decoded without the text before it. 0 or 1: sequential.
    """

    language: str | None = None
    task: str = "transcribe"
    initial_prompt: str | None = None
    hotwords: str | None = None
    beam_size: int = 5
    vad_filter: bool = False
    word_timestamps: bool = True
    condition_on_previous_text: bool = True
    batch_size: int = 0

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
    _redecoded: set = field(default_factory=set, repr=False)

    @property
    def redecoded(self) -> int:
        """Windows decoded so far that failed the first decode's tests and were decoded again
        (:mod:`dictation_app.engine.fallback`)."""
        return len(self._redecoded)

    def __iter__(self) -> Iterator[SegmentProgress]:
        duration = self.transcript.metadata.duration or 1.0
        segments = self._segments if self._cancel is None else _ahead(self._segments, self._cancel)
        for raw in segments:
            if self._cancel is not None and self._cancel.is_set():
                raise TranscriptionCancelled()
            if raw.temperature == REDECODED:
                self._redecoded.add(raw.seek)
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
        long_file_s: Files longer than this are decoded in bounded memory.
    """

    def __init__(self, model: WhisperModel, model_name: str, long_file_s: float = LONG_FILE_S) -> None:
        self.model = model
        self._guarded = guarded(model)
        self.model_name = model_name
        self.long_file_s = long_file_s

    def start(
        self,
        path: str | Path,
        options: TranscribeOptions | None = None,
        cancel: threading.Event | None = None,
    ) -> Transcription:
        """Decode ``path`` and begin transcribing.

        A file longer than ``long_file_s`` is decoded block by block into its spectrogram
        (:mod:`dictation_app.engine.long_form`): memory no longer grows with its length,
        and the words are those of a whole-file decode. (With ``vad_filter`` or
        ``batch_size`` it is decoded whole: faster-whisper cuts the samples at the VAD's
        speech chunks before any spectrogram.)

        Raises:
            AudioDecodeError: bad input.
            DictationError: the file cannot fit in the free memory, or its samples cannot be
                kept on disk while it is transcribed.
            TranscriptionCancelled: ``cancel`` was set while the file was being decoded.
        """
        options = options or TranscribeOptions()
        decoder = BlockDecoder(path, block_s=60.0)  # reads the header once: the declared duration
        declared = decoder.declared_duration
        whole = options.vad_filter or options.batch_size > 1
        long = bool(declared and declared > self.long_file_s and not whole)
        check_memory(path, declared, long)
        if not long:
            return self.start_samples(decoder.read_all().samples, options, cancel, source=str(path))
        features, samples = prepare(decoder, self.model.feature_extractor, cancel)
        model = LongFileModel(self.model, features, len(samples))
        return self._start(model, samples, options, cancel, str(path))

    def start_samples(
        self,
        samples: np.ndarray,
        options: TranscribeOptions | None = None,
        cancel: threading.Event | None = None,
        source: str = "",
    ) -> Transcription:
        """Like :meth:`start`, on 16 kHz mono float32 samples already in memory."""
        return self._start(self._guarded, samples, options or TranscribeOptions(), cancel, source)

    def _start(
        self, model, samples, options: TranscribeOptions, cancel: threading.Event | None, source: str
    ) -> Transcription:
        kwargs = options.whisper_kwargs(self.model.model.is_multilingual)
        if options.batch_size > 1:
            from faster_whisper import BatchedInferencePipeline

            pipeline = BatchedInferencePipeline(model)
            segments, info = pipeline.transcribe(
                samples, batch_size=options.batch_size, **{**kwargs, "vad_filter": True}
            )
        else:
            segments, info = model.transcribe(samples, **kwargs)
        if options.word_timestamps and options.batch_size <= 1:
            segments = _resume_after_stretched_words(model, samples, segments, {**kwargs, "language": info.language})
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


_VAD_PAD_S = 0.2
_END = object()


def _ahead(segments: Iterator, cancel: threading.Event) -> Iterator:
    """``segments``, each decoded on a thread of their own when it is asked for (so a pause
    between them still pauses decoding), so that a cancel is answered within a tenth of a
    second rather than when the 30-s window being decoded ends (about 2 s on two cores); that
    thread stops after the window. Not a daemon: an exit waits for the window rather than
    free the model under it; it never waits for more (see ``produce``)."""
    asks: queue.Queue = queue.Queue()  # True: the next segment, please; None: no more
    items: queue.Queue = queue.Queue()

    def asked() -> bool:
        while True:  # a reader that vanished without a word: cancel or the interpreter's exit ends it
            try:
                return asks.get(timeout=0.5) is not None and not cancel.is_set()
            except queue.Empty:
                if cancel.is_set() or not threading.main_thread().is_alive():
                    return False

    def produce() -> None:
        try:
            while asked():
                raw = next(segments, _END)
                items.put((raw, None))
                if raw is _END:
                    return
        except BaseException as exc:  # raised again on the reader's thread
            items.put((None, exc))

    segments = iter(segments)
    threading.Thread(target=produce, name="transcription").start()
    try:
        while True:
            asks.put(True)
            while True:
                try:
                    raw, exc = items.get(timeout=0.1)
                    break
                except queue.Empty:
                    if cancel.is_set():
                        raise TranscriptionCancelled() from None
            if exc is not None:
                raise exc
            if raw is _END:
                return
            yield raw
    finally:
        asks.put(None)


def _resume_after_stretched_words(model, samples: np.ndarray, segments: Iterator, kwargs: dict) -> Iterator:
    """Yield faster-whisper segments; when a word stretches over undecoded speech, cut the
    segment there and decode again from that word, so no speech is skipped (faster-whisper
    seeks to the last word's end, which would silently skip the stretched-over speech).

    Deterministic (same input, same restarts). Each restart re-runs feature extraction;
    it happens only when the VAD finds speech inside the stretched word.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    kept_text: list[str] = []
    last_restart = -1.0
    while True:
        restart_at = None
        for segment in segments:
            words = segment.words or []
            bad = next((i for i, w in enumerate(words) if w.end - w.start > MAX_WORD_S), None)
            if bad is not None and words[bad].start > last_restart + 0.5:
                span = samples[int((words[bad].start + 1.0) * SAMPLE_RATE) : int(words[bad].end * SAMPLE_RATE)]
                if get_speech_timestamps(span, VadOptions(min_speech_duration_ms=500)):
                    restart_at = words[bad].start
                    if bad:
                        kept = words[:bad]
                        segment = replace(segment, end=kept[-1].end, words=kept, text="".join(w.word for w in kept))
                        kept_text.append(segment.text)
                        yield segment
                    break
            kept_text.append(segment.text)
            yield segment
        if restart_at is None:
            return
        last_restart = restart_at
        prompt = "".join(kept_text)[-400:] if kwargs.get("condition_on_previous_text") else kwargs.get("initial_prompt")
        segments, _ = model.transcribe(samples, **{**kwargs, "clip_timestamps": [restart_at], "initial_prompt": prompt})


def _is_hallucination(raw, samples: np.ndarray) -> bool:
    """Degenerate text, or a segment the decoder doubts over audio the VAD finds no voice in."""
    if is_degenerate_text(raw.text, raw.start, raw.end, raw.compression_ratio):
        return True
    if not is_doubtful(raw.compression_ratio, raw.no_speech_prob, raw.avg_logprob):
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
