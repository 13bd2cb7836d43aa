"""`dictation-app listen` through the virtual microphone, as a user runs it."""

import os
import signal
import subprocess
import sys
import wave

from dictation_app.evaluation import wer

from conftest import assert_clean_error, speak

SPEECH = "1089-134691-0001.flac"  # 5.4 s: "For a full hour he had paced up and down..."


def test_listen_writes_text_and_keeps_the_recording(virtual_mic, data_dir, references, tmp_path):
    env = {**virtual_mic, "DICTATION_APP_DATA_DIR": str(tmp_path / "data")}
    out = tmp_path / "dictated.txt"
    listener = subprocess.Popen(
        [sys.executable, "-m", "dictation_app", "listen", "--output", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert "Listening on" in listener.stderr.readline()  # capture is running: speak now
    speak(data_dir / SPEECH, env).wait(timeout=60)
    listener.send_signal(signal.SIGINT)  # Ctrl-C right after the last word
    stdout, stderr = listener.communicate(timeout=120)
    assert listener.returncode == 0, stderr
    assert "Traceback" not in stderr
    text = out.read_text(encoding="utf-8")
    assert wer([references[SPEECH]], [text]) < 0.15, text
    # stdout is the live stream; the file has the utterances as revised when heard whole
    assert wer([references[SPEECH]], [stdout]) < 0.15, stdout
    (session,) = (tmp_path / "data" / "sessions").iterdir()
    with wave.open(str(session / "audio.wav"), "rb") as w:
        assert w.getnframes() / w.getframerate() > 5.0
    assert (session / "transcript.jsonl").stat().st_size > 0


def test_listen_without_any_input_device(tmp_path):
    empty = tmp_path / "xdg"
    empty.mkdir(mode=0o700)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(empty), "DICTATION_APP_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "dictation_app", "listen", "--seconds", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert_clean_error(result.stderr)
    assert "Is a microphone connected?" in result.stderr
    assert not (tmp_path / "data" / "sessions").exists()  # no empty session left behind
