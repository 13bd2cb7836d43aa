"""Pre-roll through the real capture path (PulseAudio virtual microphone): a dictation started
0.3 s after the speaker began still has the first words; the microphone stays armed between
dictations and keeps only the last half second."""

from __future__ import annotations

import time

from dictation_app.audio.preroll import ArmedMicrophone
from dictation_app.audio.sources import level_of
from dictation_app.engine.streaming import Commit, StreamingOptions

from conftest import speak
from desktops import wait_for

# 1089-134686-0000.flac: "He hoped there would be stew ..." after 0.55 s of silence


def _heard_speech(armed: ArmedMicrophone) -> bool:
    with armed._lock:
        kept = list(armed._ring)
    return bool(kept) and level_of(kept[-1]).rms_db > -40


def test_a_late_start_keeps_the_first_words(virtual_mic, data_dir):
    from dictation_app.core.dictation import DictationService

    service = DictationService()
    service.load_now("tiny.en")
    armed = ArmedMicrophone(preroll_s=0.5)
    armed.arm()
    try:
        time.sleep(1.0)  # armed: silence kept, then dropped
        assert armed._ring_frames <= 8000 + 1600
        player = speak(data_dir / "1089-134686-0000.flac", virtual_mic)
        wait_for(lambda: _heard_speech(armed), 30, "the speech")  # the user starts speaking...
        time.sleep(0.3)  # ...and presses the shortcut after "He hoped"
        dictation = service.dictation(armed.source(), StreamingOptions(), record=False)
        dictation.start()
        first = dictation.source._pending
        assert 0.4 * 16000 <= len(first) <= 0.5 * 16000 + 1
        assert level_of(first).rms_db > -40  # speech, not silence
        started = time.monotonic()
        words = []
        for event in dictation.events(stop_when=lambda: time.monotonic() - started > 3.0):
            if isinstance(event, Commit):
                words.append(event.text)
        player.terminate()
        text = " ".join(words).lower()
        assert text.startswith("he hoped"), text
        time.sleep(0.8)  # armed again: the ring refills
        assert armed.armed and not armed._dictating.is_set()
        assert 0.4 * 16000 <= armed._ring_frames <= 0.5 * 16000 + 1600
    finally:
        armed.disarm()
    assert not armed.armed
