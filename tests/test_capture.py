"""Capture through the real stack: PulseAudio virtual microphone -> PortAudio -> sounddevice."""

import numpy as np
import pytest

from dictation_app.audio.capture import MicrophoneSource, RingBuffer, list_input_devices
from dictation_app.audio.sources import FileSource, level_of
from dictation_app.engine.session import LiveSession
from dictation_app.engine.streaming import Commit, StreamError, StreamingOptions, StreamingTranscriber, WhisperBackend
from dictation_app.errors import AudioDeviceError
from dictation_app.evaluation import wer

from conftest import speak


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


def _dictate(data_dir, references, env, **source_kwargs):
    from dictation_app.engine import ModelStore

    model = ModelStore().load("tiny.en")
    options = StreamingOptions()
    source = MicrophoneSource(**source_kwargs)
    session = LiveSession(source, StreamingTranscriber(WhisperBackend(model, options), options))
    session.start()
    player = speak(data_dir / "1089-134686-0000.flac", env, delay_s=0.5)
    words, errors = [], []
    import time

    stop_at = None
    while not session.ended:
        if stop_at is None and player.poll() is not None:
            stop_at = time.monotonic() + 1.0  # the server's buffer still holds the last words
        if stop_at is not None and time.monotonic() > stop_at:
            session.request_stop()
        for event in session.step():
            if isinstance(event, Commit):
                words.append(event.text)
            elif isinstance(event, StreamError):
                errors.append(event.message)
    player.wait(timeout=30)
    return " ".join(words), errors, source


def test_virtual_microphone_dictation(virtual_mic, data_dir, references):
    text, errors, source = _dictate(data_dir, references, virtual_mic)
    assert not errors
    assert source.overflows == 0 and source.dropped_frames == 0
    assert wer([references["1089-134686-0000.flac"]], [text]) < 0.15, text


def test_device_opened_at_48k_stereo_is_resampled(virtual_mic, data_dir, references):
    text, errors, source = _dictate(data_dir, references, virtual_mic, samplerate=48_000, channels=2)
    assert (source.native_rate, source.channels) == (48_000, 2)
    assert not errors
    assert wer([references["1089-134686-0000.flac"]], [text]) < 0.15, text


def test_devices_are_listed(virtual_mic):
    assert any(d.is_default for d in list_input_devices())


def test_unknown_device_is_a_clear_error(virtual_mic):
    with pytest.raises(AudioDeviceError, match="No input device 'no-such-mic' found"):
        MicrophoneSource("no-such-mic").start()
