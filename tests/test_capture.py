"""Capture through the real stack: PulseAudio virtual microphone -> PortAudio -> sounddevice."""

import subprocess
import sys

import numpy as np
import pytest

from dictation_app.audio.capture import MicrophoneSource, RingBuffer, list_input_devices
from dictation_app.audio.sources import FileSource, level_of
from dictation_app.engine.streaming import Commit, StreamError, StreamingOptions
from dictation_app.errors import AudioDeviceError
from dictation_app.evaluation import wer

from conftest import speak

SPEECH = "1089-134691-0001.flac"  # 5.4 s of real speech through the virtual microphone


def test_ring_buffer_wraps_and_counts_what_it_drops():
    ring = RingBuffer(frames=10, channels=1)
    ring.write(np.arange(6, dtype=np.float32).reshape(-1, 1))
    assert ring.read_all().ravel().tolist() == [0, 1, 2, 3, 4, 5]
    ring.write(np.arange(6, 14, dtype=np.float32).reshape(-1, 1))  # wraps around
    assert ring.read_all().ravel().tolist() == list(range(6, 14))
    ring.write(np.arange(14, 30, dtype=np.float32).reshape(-1, 1))  # reader too slow: 6 frames lost
    assert ring.read_all().ravel().tolist() == list(range(20, 30))
    assert ring.dropped_frames == 6


def test_level_meter():
    assert level_of(np.full(1600, 0.5, np.float32)).rms_db == pytest.approx(-6.02, abs=0.01)
    assert level_of(np.zeros(1600, np.float32)).peak_db == float("-inf")


def test_file_source_paces_in_real_time(data_dir):
    import time

    source = FileSource(data_dir / "jfk.flac", block_s=0.5, realtime=True)
    started = time.perf_counter()
    got = 0
    while (block := source.read()) is not None and got < 16_000:
        got += len(block)
    assert time.perf_counter() - started >= 0.95  # a second of audio took a second


def _dictate(data_dir, env, **source_kwargs):
    """What ``listen`` does: a dictation of the service from the microphone, stopped a
    second after the speaker falls silent (the server's buffer still holds the last words)."""
    import time

    from dictation_app.core.dictation import DictationService

    service = DictationService()
    service.load_now("tiny.en")
    source = MicrophoneSource(**source_kwargs)
    dictation = service.dictation(source, StreamingOptions(), record=False)
    dictation.start()
    player = speak(data_dir / SPEECH, env, delay_s=0.5)
    silent_since = []

    def finished() -> bool:
        if not silent_since and player.poll() is not None:
            silent_since.append(time.monotonic())
        return bool(silent_since) and time.monotonic() - silent_since[0] > 1.0

    events = list(dictation.events(stop_when=finished))
    player.wait(timeout=30)
    text = " ".join(e.text for e in events if isinstance(e, Commit))
    return text, [e.message for e in events if isinstance(e, StreamError)], source, dictation.latency


def test_virtual_microphone_dictation(virtual_mic, data_dir, references):
    text, errors, source, latency = _dictate(data_dir, virtual_mic)
    assert not errors
    # Latency counts from when the microphone captured the word's end: after it, not long after.
    assert latency.commit and 0.0 < min(latency.commit) and max(latency.commit) < 10.0, latency.commit
    assert source.overflows == 0 and source.dropped_frames == 0
    assert wer([references[SPEECH]], [text]) < 0.15, text


def test_device_opened_at_48k_stereo_is_resampled(virtual_mic, data_dir, references):
    text, errors, source, _ = _dictate(data_dir, virtual_mic, samplerate=48_000, channels=2)
    assert (source.native_rate, source.channels) == (48_000, 2)
    assert not errors
    assert wer([references[SPEECH]], [text]) < 0.15, text


def _read_until(source: MicrophoneSource, audio: bool) -> float:
    """Reads as a dictation does, until ``source`` gives audio (``audio``) or else raises;
    the seconds that took."""
    import time

    started = time.monotonic()
    while not (len(source.read(0.1)) and audio):
        pass
    return time.monotonic() - started


def test_a_microphone_slow_to_start_is_waited_for_and_one_that_stops_is_reported(virtual_mic, monkeypatch):
    """The first audio may come later than a stall allows (a Bluetooth headset switching to its
    microphone; the virtual microphone's first block itself came 1.7-2.0 s after opening, and a
    busy two-worker run read it as unplugged): the source waits ``START_S`` for it. Once it has
    delivered, ``STALL_S`` without audio is an unplugged device, and a device that never starts
    is named as such. The sound server suspending the source stands in for the device."""
    import threading

    def suspend(on: bool) -> None:
        subprocess.run(["pactl", "suspend-source", "vmic", str(int(on))], env=virtual_mic, check=True)

    source = MicrophoneSource()
    suspend(True)
    try:
        source.start()
        late = MicrophoneSource.STALL_S + 1.0
        threading.Timer(late, suspend, (False,)).start()
        assert _read_until(source, audio=True) >= late  # no "unplugged" meanwhile
        suspend(True)
        with pytest.raises(AudioDeviceError, match="'default' stopped delivering audio \\(unplugged\\?\\)"):
            _read_until(source, audio=False)
        source.stop()
        monkeypatch.setattr(MicrophoneSource, "START_S", 3.0)  # the message, sooner than 6 s
        source = MicrophoneSource()
        source.start()
        with pytest.raises(AudioDeviceError, match="'default' delivered no audio in 3 s after it was opened"):
            _read_until(source, audio=False)
    finally:
        source.stop()
        suspend(False)


def test_devices_are_listed(virtual_mic):
    assert any(d.is_default for d in list_input_devices())


def test_unknown_device_is_a_clear_error(virtual_mic):
    with pytest.raises(AudioDeviceError, match="No input device 'no-such-mic' found"):
        MicrophoneSource("no-such-mic").start()


def _sound_server_comes_later(script: str, virtual_mic: dict, tmp_path) -> str:
    """``script`` run in a process of its own, given a runtime folder with no sound server
    (argv[1]) and then the virtual microphone's (argv[2]); what it printed."""
    empty = tmp_path / "runtime"
    empty.mkdir(mode=0o700)
    result = subprocess.run(
        [sys.executable, "-c", script, str(empty), virtual_mic["XDG_RUNTIME_DIR"]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_microphone_that_appears_after_start_is_found(virtual_mic, tmp_path):
    """PortAudio lists devices once, when it starts: the sound server (or a USB microphone)
    coming up after the app must still be found by Refresh Microphones and by Record (seen in
    CI: a test that listed devices before the virtual microphone existed hid it from the rest)."""
    script = """
import os, sys
os.environ["XDG_RUNTIME_DIR"] = sys.argv[1]  # no sound server there yet
from dictation_app.audio.capture import MicrophoneSource, list_input_devices
before = any(d.is_default for d in list_input_devices())
os.environ["XDG_RUNTIME_DIR"] = sys.argv[2]  # now there is one
source = MicrophoneSource()
source.start()  # Record, without a refresh first
source.stop()
print(before, any(d.is_default for d in list_input_devices()))
"""
    assert _sound_server_comes_later(script, virtual_mic, tmp_path).split() == ["False", "True"]


def test_playback_finds_an_output_that_appears_after_start(virtual_mic, tmp_path):
    """The same for a transcript's playback: no sound server when PortAudio started, one
    when the user presses Play; the audio plays to its end (a clear message before)."""
    script = """
import os, sys, time
import numpy as np
os.environ["XDG_RUNTIME_DIR"] = sys.argv[1]  # no sound server there yet
from dictation_app.audio.playback import Player
from dictation_app.errors import AudioDeviceError
player = Player(np.zeros(8000, np.float32))
try:
    player.play()
    print("played-without-a-server")
except AudioDeviceError as exc:
    print("refused:", "output device" in str(exc))
os.environ["XDG_RUNTIME_DIR"] = sys.argv[2]  # now there is one
player.play()
deadline = time.monotonic() + 10
while player.playing and time.monotonic() < deadline:
    time.sleep(0.05)
print("ended", player.position == player.duration)
"""
    said = _sound_server_comes_later(script, virtual_mic, tmp_path)
    assert said.split("\n")[:2] == ["refused: True", "ended True"], said
