"""Builders for the bad and unusual inputs the tests feed the app."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"
GOOD = DATA / "1089-134686-0000.flac"


def tiny_png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def bad_inputs(folder: Path) -> dict[str, Path]:
    """Every kind of bad input file the issue names, by a short name."""
    good = GOOD.read_bytes()
    corrupt = bytearray(good)
    rng = np.random.default_rng(1)
    for i in range(5000, len(corrupt), 997):
        corrupt[i] = int(rng.integers(256))
    files = {
        "text_named_wav": ("notes.wav", b"this is a text file, not audio\n" * 20),
        "empty": ("empty.wav", b""),
        "png": ("picture.png", tiny_png()),
        "truncated_flac": ("truncated.flac", good[: len(good) // 3]),
        "corrupt_flac": ("corrupt.flac", bytes(corrupt)),
    }
    out = {}
    for key, (name, content) in files.items():
        (folder / name).write_bytes(content)
        out[key] = folder / name
    (folder / "a_folder.wav").mkdir()
    out["directory"] = folder / "a_folder.wav"
    out["missing"] = folder / "does_not_exist.mp3"
    return out


def write_video_with_audio(path: Path, samples: np.ndarray, rate: int = 16_000) -> None:
    """An MP4 with an MPEG-4 video track and an AAC audio track carrying ``samples``."""
    import av

    with av.open(str(path), mode="w") as container:
        video = container.add_stream("mpeg4", rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = container.add_stream("aac", rate=48_000)
        audio.layout = "stereo"
        seconds = len(samples) / rate
        for i in range(int(seconds * 10)):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i % 255, np.uint8), format="rgb24")
            container.mux(video.encode(frame))
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16)
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48_000)
        for start in range(0, len(pcm), 1024):
            block = pcm[start : start + 1024].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(block, format="s16", layout="mono")
            frame.sample_rate = rate
            for resampled in resampler.resample(frame):
                container.mux(audio.encode(resampled))
        for resampled in resampler.resample(None):
            container.mux(audio.encode(resampled))
        container.mux(video.encode(None))
        container.mux(audio.encode(None))
