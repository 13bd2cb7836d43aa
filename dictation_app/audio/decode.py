"""Decoding media files to 16 kHz mono float32, with errors a user can act on.

PyAV bundles FFmpeg, so any container and codec FFmpeg reads works: audio files, and the
audio track of video files. The samples match faster-whisper's own ``decode_audio`` (s16
mono through FFmpeg's resampler), so transcripts match bare faster-whisper's.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dictation_app import garbage
from dictation_app.errors import AudioDecodeError

__all__ = ["SAMPLE_RATE", "BlockDecoder", "DecodedAudio", "check_media_file", "load_audio", "probe_duration"]

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


class BlockDecoder:
    """Decodes the first audio stream of a file in blocks, so memory does not grow with the
    file's length: iterate it for float32 blocks of about ``block_s`` seconds (the last one
    shorter). ``declared_duration`` is read when it opens.

    Raises (on opening, or while iterating):
        AudioDecodeError: the file is missing, empty, not media, has no audio stream, or is
            truncated or corrupt (found at the end, once the decoded length is known).
    """

    def __init__(self, path: str | os.PathLike[str], block_s: float = 30.0) -> None:
        self.path = check_media_file(path)
        self.block = max(1, int(block_s * SAMPLE_RATE))
        self.declared_duration = probe_duration(self.path)
        self.decoded = 0  # samples delivered so far

    def read_all(self) -> DecodedAudio:
        """The whole stream at once (the blocks joined)."""
        self.block = max(self.block, 3600 * SAMPLE_RATE)
        blocks = list(self)
        samples = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
        return DecodedAudio(samples=samples, declared_duration=self.declared_duration)

    def __iter__(self) -> Iterator[np.ndarray]:
        for block in self.int16_blocks():
            yield block.astype(np.float32) / 32768.0

    def int16_blocks(self) -> Iterator[np.ndarray]:
        """The same blocks as 16-bit samples (what FFmpeg's resampler gives)."""
        pending: list[np.ndarray] = []
        size = 0
        for chunk in self._chunks():
            pending.append(chunk)
            size += len(chunk)
            while size >= self.block:
                joined = np.concatenate(pending)
                pending, size = [joined[self.block :]], len(joined) - self.block
                self.decoded += self.block
                yield joined[: self.block]
        if size:
            self.decoded += size
            yield np.concatenate(pending)
        self._check_complete()

    def _chunks(self) -> Iterator[np.ndarray]:
        """int16 mono chunks as FFmpeg's resampler gives them."""
        import av  # PyAV is heavy to import; only file decoding needs it

        try:
            with av.open(str(self.path), mode="r", metadata_errors="ignore") as container:
                stream = _audio_stream(container, self.path)
                resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
                for frame in itertools.chain(_frames_ignoring_invalid(container.decode(stream)), [None]):
                    if frame is not None:
                        frame.pts = None  # FFmpeg's resampler rejects gaps; we want the samples
                    for out in resampler.resample(frame):
                        yield out.to_ndarray().reshape(-1)
                del resampler
        except AudioDecodeError:
            raise
        except av.error.FFmpegError as exc:
            raise _ffmpeg_error(self.path, exc) from None
        finally:
            garbage.collect_soon()  # PyAV's resampler graph holds memory until collected (faster-whisper#390)

    def _check_complete(self) -> None:
        duration, declared = self.decoded / SAMPLE_RATE, self.declared_duration
        if duration == 0.0:
            raise AudioDecodeError(f"{self.path}: contains no decodable audio (corrupt or empty stream).")
        if declared and duration < declared * _MIN_DECODED_SHARE - _DURATION_SLACK_S:
            raise AudioDecodeError(
                f"{self.path}: truncated or corrupt: only {duration:.1f} s of its {declared:.1f} s could be decoded."
            )


def _frames_ignoring_invalid(stream_frames: Iterator) -> Iterator:
    import av

    while True:
        try:
            yield next(stream_frames)
        except StopIteration:
            return
        except av.error.InvalidDataError:
            pass


def load_audio(path: str | os.PathLike[str]) -> DecodedAudio:
    """Decode the first audio stream of ``path`` whole.

    Raises:
        AudioDecodeError: the file is missing, empty, not media, has no audio stream, or is
            truncated or corrupt.
    """
    return BlockDecoder(path).read_all()


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
