"""Long recordings in bounded memory, transcribed exactly as a whole-file decode would.

Decoding a file whole costs about 50 MB of memory per minute of audio, in the app and in bare
faster-whisper alike: the samples (3.8 MB a minute as float32), and above all the log-mel
spectrogram computed over the whole file at once, whose STFT intermediates are complex128
and float64. A three-hour meeting needs about 10 GB.

What the decoder needs is only the finished spectrogram (80 float32 values per 10 ms: 1.9 MB
a minute). So a long file is decoded from its container in blocks; each block's spectrogram
frames are computed as faster-whisper computes them (same reflection at the edges, same
window, same float types) into one preallocated array, with the clamp to the loudest frame
applied once at the end, as over a whole file. The samples go, as 16-bit, into an unlinked
temporary file (owner-only, gone when the transcription is) that the hallucination checks read
spans of. faster-whisper then seeks window by window over the same spectrogram, so the words
are the same as a whole-file decode's.
"""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from collections.abc import Iterable

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.errors import DictationError, TranscriptionCancelled

__all__ = ["LONG_FILE_S", "LazySamples", "LongFileModel", "check_memory", "log_mel", "needed_bytes", "prepare"]

#: Files longer than this take the bounded path; shorter ones are decoded whole, as before.
LONG_FILE_S = 600.0
#: Memory a whole-file decode needs per second of audio (measured: about 50 MB a minute).
WHOLE_BYTES_PER_S = 50e6 / 60
#: The bounded path keeps the spectrogram: 80 float32 values per 10-ms frame.
LONG_BYTES_PER_S = 80 * 4 * 100
_BLOCK_S = 60.0  # audio decoded and turned into spectrogram frames at a time
_BLOCK_BYTES = _BLOCK_S * WHOLE_BYTES_PER_S  # what one block's STFT costs
_BASE_BYTES = 300e6  # the model and the runtime, besides the audio's share


class LazySamples:
    """16-bit samples kept in a file, read as float32 spans (``samples[a:b]``, ``len``)."""

    def __init__(self, file, count: int) -> None:
        self._file = file  # kept open: the memory map and the unlinked file live as long as this
        self._map = np.memmap(file, np.int16, "r", shape=(count,)) if count else np.zeros(0, np.int16)

    def __len__(self) -> int:
        return len(self._map)

    def __getitem__(self, key: slice) -> np.ndarray:
        return self._map[key].astype(np.float32) / 32768.0


def log_mel(
    blocks: Iterable[np.ndarray], extractor, expected_samples: int = 0, cancel: threading.Event | None = None, keep=None
) -> tuple[np.ndarray, int]:
    """The log-mel spectrogram faster-whisper's ``FeatureExtractor(audio)`` gives for the
    concatenation of ``blocks`` (16 kHz int16 samples, as decoded), computed block by block.

    Args:
        extractor: The model's feature extractor (filters, FFT size, hop).
        expected_samples: How long the audio is thought to be (sizes the array once).
        cancel: Checked after each block.
        keep: Called with each int16 block (the samples are kept elsewhere).

    Returns:
        The spectrogram (n_mels x frames, float32) and the number of samples.
    """
    hop, n_fft = extractor.hop_length, extractor.n_fft
    half = n_fft // 2
    window = np.hanning(n_fft + 1)[:-1].astype("float32")
    out = np.empty((extractor.mel_filters.shape[0], expected_samples // hop + 2), np.float32)
    held = np.zeros(0, np.float32)  # padded-audio samples from index held_start on
    held_start, received, frames = 0, 0, 0

    def compute(upto: int, total: int | None) -> None:
        """Frames whose window lies within the first ``upto`` padded samples."""
        nonlocal out, frames, held, held_start
        end = (upto - half) // hop if total is None else total // hop  # frames [frames, end)
        if end <= frames:
            return
        first = frames * hop - half
        index = np.arange(first, (end - 1) * hop + half)
        index = np.abs(index)  # reflection at the start: sample -i is sample i
        if total is not None:
            index = np.where(index >= total, 2 * (total - 1) - index, index)  # and at the end
        segment = held[index - held_start]
        windows = np.lib.stride_tricks.as_strided(segment, (end - frames, n_fft), (hop * 4, 4))
        spectrum = np.fft.rfft(windows * window, n=n_fft, axis=-1).astype("complex64").T
        mel = extractor.mel_filters @ (np.abs(spectrum) ** 2)
        if end > out.shape[1]:
            out = np.concatenate([out, np.empty((out.shape[0], end - out.shape[1] + 6000), np.float32)], axis=1)
        out[:, frames:end] = np.log10(np.clip(mel, a_min=1e-10, a_max=None))
        frames = end
        keep_from = max(0, frames * hop - half - n_fft)  # reflection at the end may reach back
        held, held_start = held[keep_from - held_start :], keep_from

    for block in blocks:
        if keep is not None:
            keep(block)
        held = np.concatenate([held, block.astype(np.float32) / 32768.0])
        received += len(block)
        compute(received, None)
        if cancel is not None and cancel.is_set():
            raise TranscriptionCancelled()
    held = np.concatenate([held, np.zeros(hop, np.float32)])  # faster-whisper pads 160 zeros
    compute(received + hop, received + hop)
    features = out[:, :frames]
    np.maximum(features, features.max() - 8.0, out=features)
    features += 4.0
    features /= 4.0
    return features, received


def prepare(decoder, extractor, cancel: threading.Event | None = None) -> tuple[np.ndarray, LazySamples]:
    """Decode ``decoder`` (a :class:`~dictation_app.audio.decode.BlockDecoder`) into its
    spectrogram and its samples kept on disk.

    Raises:
        DictationError: the samples cannot be kept (disk full).
    """
    expected = int((decoder.declared_duration or 0) * SAMPLE_RATE)
    try:
        file = tempfile.TemporaryFile(prefix="dictation-app-audio-")  # 0600, unlinked at once
    except OSError as exc:
        raise DictationError(
            f"Cannot keep the audio of {decoder.path} while it is transcribed: {exc.strerror or exc}."
        ) from None

    def keep(block: np.ndarray) -> None:
        try:
            file.write(block.tobytes())
        except OSError as exc:
            file.close()
            raise DictationError(
                f"Cannot keep the audio of {decoder.path} while it is transcribed "
                f"({tempfile.gettempdir()}): {exc.strerror or exc}."
            ) from None

    try:
        features, count = log_mel(decoder.int16_blocks(), extractor, expected, cancel, keep)
        file.flush()
    except BaseException:
        file.close()
        raise
    return features, LazySamples(file, count)


class _Precomputed:
    """The model's feature extractor, answering with a spectrogram computed beforehand."""

    def __init__(self, extractor, features: np.ndarray) -> None:
        self._extractor = extractor
        self._features = features

    def __getattr__(self, name: str):
        return getattr(self._extractor, name)

    def __call__(self, waveform=None, padding: int = 160, chunk_length: int | None = None) -> np.ndarray:
        return self._features


@functools.cache
def _long_file_model_class():
    from dictation_app.engine.fallback import guarded_class

    class LongFileModel(guarded_class()):
        """Shares a loaded model's weights; every ``transcribe`` call decodes the file's
        precomputed spectrogram, whatever audio it is given (the stretched-word restarts
        of the transcriber pass the lazy samples). Windows that fail are decoded again as in a
        whole-file decode (:mod:`dictation_app.engine.fallback`)."""

        def __init__(self, model, features: np.ndarray, samples: int) -> None:
            super().__init__(model)  # shares the weights
            self.feature_extractor = _Precomputed(model.feature_extractor, features)
            # As long as the file, four bytes in memory: faster-whisper only reads its length.
            self._length = np.lib.stride_tricks.as_strided(np.zeros(1, np.float32), (samples,), (0,))

        def transcribe(self, audio, *args, **kwargs):
            return super().transcribe(self._length, *args, **kwargs)

    return LongFileModel


def LongFileModel(model, features: np.ndarray, samples: int):  # noqa: N802 - a class, built lazily
    """A :class:`faster_whisper.WhisperModel` view of ``model`` that decodes ``features``."""
    return _long_file_model_class()(model, features, samples)


def needed_bytes(duration_s: float, long: bool) -> float:
    """Memory a transcription of ``duration_s`` of audio needs on the given path (estimate)."""
    if long:
        return _BASE_BYTES + duration_s * LONG_BYTES_PER_S + _BLOCK_BYTES
    return _BASE_BYTES + duration_s * WHOLE_BYTES_PER_S


def available_bytes() -> float | None:
    """Memory the system can give without swapping (Linux ``MemAvailable``), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_memory(
    path: str | os.PathLike[str], duration_s: float | None, long: bool, available: float | None = None
) -> None:
    """Refuse, before decoding, a file that cannot fit in the free memory.

    Raises:
        DictationError: with what it needs and what is free.
    """
    available = available_bytes() if available is None else available
    if not duration_s or available is None:
        return
    need = needed_bytes(duration_s, long)
    if need > available:
        raise DictationError(
            f"{path}: transcribing it needs about {need / 1e9:.1f} GB of free memory and "
            f"{available / 1e9:.1f} GB is free. Close other programs and try again."
        )
