"""The start, stop and problem sounds, heard through the real output: PortAudio plays into
PulseAudio's null sink, whose monitor is the virtual microphone this test listens on."""

from __future__ import annotations

import subprocess
import threading
import time

import numpy as np

from dictation_app.audio.cues import CUES, Cues, cue_samples
from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.audio.sources import FileSource

from conftest import DATA, make_settings, make_window

FRAME = SAMPLE_RATE // 50  # 20 ms


def notes(audio: np.ndarray) -> list[int | None]:
    """The notes in ``audio``, as the cues' frequencies: the dominant frequency of each loud
    20-ms frame (within 40 Hz of a cue's note: that note), repeats merged, None for a silence."""
    cue_notes = {f for notes in CUES.values() for f, _ in notes if f}
    found: list[int | None] = []
    for start in range(0, len(audio) - FRAME, FRAME):
        frame = audio[start : start + FRAME]
        if np.sqrt(np.mean(frame**2)) < 0.02:
            note = None
        else:
            spectrum = np.abs(np.fft.rfft(frame * np.hanning(FRAME), n=SAMPLE_RATE))  # 1-Hz bins
            peak = int(np.argmax(spectrum))
            note = next((int(f) for f in cue_notes if abs(f - peak) <= 40), peak)
        if (not found and note is not None) or (found and note != found[-1]):
            found.append(note)
    return found[:-1] if found and found[-1] is None else found


class Listener:
    """What the output device plays, recorded by the sound server (parec on the monitor of the
    null sink the app plays into) while something plays."""

    def __init__(self, env: dict) -> None:
        self.recording = subprocess.Popen(
            ["parec", "--format=s16le", "--rate=16000", "--channels=1", "--latency-msec=20"],
            env=env,
            stdout=subprocess.PIPE,
        )
        self._chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        time.sleep(0.3)  # recording

    def _read(self) -> None:
        while chunk := self.recording.stdout.read1(3200):
            self._chunks.append(chunk)

    def _notes(self) -> list[int | None]:
        data = b"".join(self._chunks)
        return notes(np.frombuffer(data[: len(data) // 2 * 2], np.int16).astype(np.float32) / 32768.0)

    def heard(self, expected: list[int | None], within_s: float = 8.0) -> list[int | None]:
        """The notes heard once ``expected`` has been heard (and 0.5 s more, for anything
        after it), or by ``within_s`` from now. The null sink starts a new stream late, by up to
        2 s under load, so a test waits for the sound rather than for a fixed time."""
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline and self._notes() != expected:
            time.sleep(0.05)
        time.sleep(0.5)
        self.recording.terminate()
        self.recording.wait()
        self._reader.join(timeout=5)
        return self._notes()


def test_each_cue_is_its_notes():
    assert notes(cue_samples("start")) == [660, 880]
    assert notes(cue_samples("stop")) == [880, 660]
    assert notes(cue_samples("problem")) == [330, None, 330]


def test_the_cues_are_heard_on_the_output_device(virtual_mic):
    cues = Cues()
    for name, expected in (("start", [660, 880]), ("stop", [880, 660]), ("problem", [330, None, 330])):
        listener = Listener(virtual_mic)
        started = time.monotonic()
        assert cues.play(name, wait=True), cues.problem
        assert time.monotonic() - started >= 0.18  # played to its end before returning (the start cue's 0.18 s)
        assert listener.heard(expected) == expected, name


def test_the_window_sounds_start_and_stop_when_turned_on(virtual_mic, qtbot, gui_env, model_store):
    make_settings(gui_env).set_value("dictation/sounds", True)
    window = make_window(qtbot, gui_env, model_store, source_factory=lambda: FileSource(DATA / "1089-134691-0001.flac"))
    listener = Listener(virtual_mic)
    window.toggle_recording()
    qtbot.waitUntil(lambda: window.dictation is None, timeout=60_000)  # the file ended the dictation
    heard = listener.heard([660, 880, None, 880, 660])  # the stop cue plays (its stream may be opened anew)
    assert heard == [660, 880, None, 880, 660], heard
    assert window.docs.dictation_editor.toPlainText().strip()  # the dictation went on as without sounds
