"""Decoding media files to 16 kHz mono float32, with errors a user can act on.

PyAV bundles FFmpeg, so any container and codec FFmpeg reads works: audio files, and the
audio track of video files. The samples match faster-whisper's own ``decode_audio`` (s16
mono through FFmpeg's resampler), so transcripts match bare faster-whisper's.
"""

from __future__ import annotations

import gc
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dictation_app.errors import AudioDecodeError

__all__ = ["SAMPLE_RATE", "DecodedAudio", "check_media_file", "load_audio", "probe_duration"]

#: Whisper's input rate; every buffer handed to the engine is at this rate, mono float32.
SAMPLE_RATE = 16_000

# A file that decodes to less than this share of the duration its header declares is
# truncated or corrupt; a little slack covers encoder padding and header rounding.
_MIN_DECODED_SHARE = 0.97
_DURATION_SLACK_S = 0.25


@dataclass
class DecodedAudio:
    """Samples of one file.

    Attributes:
        samples: Mono float32 samples at :data:`SAMPLE_RATE`, in [-1, 1).
        declared_duration: Duration the container declares, in seconds (None if it does not).
    """

    samples: np.ndarray
    declared_duration: float | None

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def check_media_file(path: str | os.PathLike[str]) -> Path:
    """Fail fast, with a specific message, on a path that cannot be a media file."""
    path = Path(path)
    if not path.exists():
        raise AudioDecodeError(f"{path}: no such file.")
    if path.is_dir():
        raise AudioDecodeError(f"{path}: is a folder, not a media file.")
    if not os.access(path, os.R_OK):
        raise AudioDecodeError(f"{path}: permission denied.")
    if path.stat().st_size == 0:
        raise AudioDecodeError(f"{path}: the file is empty (0 bytes).")
    return path


def load_audio(path: str | os.PathLike[str]) -> DecodedAudio:
    """Decode the first audio stream of ``path``.

    Raises:
        AudioDecodeError: the file is missing, empty, not media, has no audio stream, or is
            truncated or corrupt.
    """
    import av  # PyAV is heavy to import; only file decoding needs it

    path = check_media_file(path)
    invalid_packets = 0

    def frames_ignoring_invalid(stream_frames: Iterator) -> Iterator:
        nonlocal invalid_packets
        while True:
            try:
                yield next(stream_frames)
            except StopIteration:
                return
            except av.error.InvalidDataError:
                invalid_packets += 1

    chunks: list[np.ndarray] = []
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            stream = _audio_stream(container, path)
            declared = _declared_duration(container, stream)
            resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            frames = frames_ignoring_invalid(container.decode(stream))
            for frame in itertools.chain(frames, [None]):
                if frame is not None:
                    frame.pts = None  # FFmpeg's resampler rejects gaps; we want the samples
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            del resampler
    except AudioDecodeError:
        raise
    except av.error.FFmpegError as exc:
        raise _ffmpeg_error(path, exc) from None
    finally:
        gc.collect()  # PyAV's resampler graph holds memory until collected (faster-whisper#390)

    samples = (np.concatenate(chunks) if chunks else np.zeros(0, np.int16)).astype(np.float32) / 32768.0
    decoded = DecodedAudio(samples=samples, declared_duration=declared)
    if decoded.duration == 0.0:
        raise AudioDecodeError(f"{path}: contains no decodable audio (corrupt or empty stream).")
    if declared and decoded.duration < declared * _MIN_DECODED_SHARE - _DURATION_SLACK_S:
        raise AudioDecodeError(
            f"{path}: truncated or corrupt: only {decoded.duration:.1f} s of its "
            f"{declared:.1f} s could be decoded."
        )
    return decoded


def probe_duration(path: str | os.PathLike[str]) -> float | None:
    """Declared duration of the first audio stream, read from the header (fast).

    Raises:
        AudioDecodeError: the path cannot be a media file, or has no audio stream.
    """
    import av

    path = check_media_file(path)
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            return _declared_duration(container, _audio_stream(container, path))
    except AudioDecodeError:
        raise
    except av.error.FFmpegError as exc:
        raise _ffmpeg_error(path, exc) from None


def _audio_stream(container, path: Path):
    if not container.streams.audio:
        kinds = sorted({s.type for s in container.streams}) or ["no streams"]
        raise AudioDecodeError(f"{path}: has no audio stream (found: {', '.join(kinds)}).")
    return container.streams.audio[0]


def _ffmpeg_error(path: Path, exc) -> AudioDecodeError:
    import av

    if isinstance(exc, av.error.InvalidDataError):
        return AudioDecodeError(f"{path}: not an audio or video file FFmpeg can read.")
    return AudioDecodeError(f"{path}: cannot be decoded ({exc.strerror or exc}).")


def _declared_duration(container, stream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000  # AV_TIME_BASE
    return None
