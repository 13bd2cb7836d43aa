"""Speech synthesised with espeak-ng (a Debian package): phrases said with pauses between them,
as a 16 kHz 16-bit mono WAV that ``paplay`` can speak into the virtual microphone."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

from dictation_app.audio import load_audio

SR = 16000


def have_espeak() -> bool:
    return shutil.which("espeak-ng") is not None


def synthesize(
    phrases: list[str], path: Path, pause_s: float = 1.3, lead_s: float = 0.6, tail_s: float = 1.8, speed: int = 150
) -> Path:
    """Write ``phrases`` to ``path``, each said by espeak-ng, ``pause_s`` of silence between them."""
    pieces = [np.zeros(int(lead_s * SR), np.float32)]
    with tempfile.TemporaryDirectory() as tmp:
        for n, phrase in enumerate(phrases):
            wav = Path(tmp) / f"{n}.wav"
            subprocess.run(
                ["espeak-ng", "-v", "en-us", "-s", str(speed), "-w", str(wav), phrase],
                check=True,
                capture_output=True,
                timeout=30,
            )
            samples = load_audio(wav).samples
            nonzero = np.flatnonzero(np.abs(samples) > 1e-3)
            if nonzero.size:
                samples = samples[nonzero[0] : nonzero[-1] + 1]
            pieces += [samples * 0.8, np.zeros(int(pause_s * SR), np.float32)]
    pieces.append(np.zeros(int(tail_s * SR), np.float32))
    audio = np.clip(np.concatenate(pieces), -1, 1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SR)
        out.writeframes((audio * 32767).astype("<i2").tobytes())
    return path


def assert_dictated(text: str, expected: str) -> None:
    """``text`` is ``expected`` as the spoken commands shape it, exactly: the same punctuation
    and line breaks at the same places between the same number of words; of the dictated words
    themselves, at most one misheard. (tiny.en hears espeak-ng's "build" as "bill" on some CPUs
    and not on others: the kernels' rounding tips the beam; what is under test is what the
    commands do.)"""
    from dictation_app.evaluation import wer

    def shape(t: str) -> str:
        return re.sub(r"[^\s,.?!]+", "w", t)

    assert shape(text) == shape(expected), f"{text!r} is not shaped as {expected!r}"
    assert wer([expected], [text]) * len(expected.split()) <= 1.0, f"{text!r} against {expected!r}"
