"""Steering dictation by voice, end to end with real audio: phrases said by espeak-ng with
pauses between them, dictated in audio time (as fast as the engine decodes, so the words are the
same every run) into ``dictation-app listen`` and the window's editor (another application:
``test_typing.py``); and the spoken-command rules on real read speech, where no command must
fire. Real-time speech through the microphone is tested in ``test_listen_cli.py`` and
``test_anywhere_app.py``, without exact words."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import DATA, make_window
from speech_synth import assert_dictated, have_espeak, synthesize

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def espeak():
    if not have_espeak():
        if os.environ.get("CI"):
            pytest.fail("espeak-ng is not installed; .ci/run (make test) must install it")
        pytest.skip("espeak-ng not installed (make test installs it)")


LISTEN_PHRASES = [
    "Good morning",
    "comma",
    "new line",
    "the build is green",
    "period",
    "ignore this",
    "delete that",
    "see you soon",
    "period",
    "stop listening",
]
LISTEN_TEXT = "Good morning,\nThe build is green. See you soon."


def test_listen_is_steered_by_voice_and_stops_when_told(espeak, tmp_path):
    """ "stop listening" ends the dictation there: what is said after it is not heard."""
    from dictation_app.audio import load_audio
    from dictation_app.audio.recorder import AUDIO_NAME

    speech = synthesize(LISTEN_PHRASES + ["this is not heard", "nor this"], tmp_path / "said.wav")
    out = tmp_path / "dictated.txt"
    env = {**os.environ, "DICTATION_APP_DATA_DIR": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run(
        [sys.executable, "-m", "dictation_app", "listen", "--audio", str(speech), "--output", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert_dictated(out.read_text(encoding="utf-8"), LISTEN_TEXT + "\n")
    (session,) = (tmp_path / "data" / "sessions").iterdir()
    assert load_audio(session / AUDIO_NAME).duration < load_audio(speech).duration - 3.0


WINDOW_PHRASES = [
    "Good morning",
    "comma",
    "new paragraph",
    "the report is ready",
    "period",
    "bring the red folder",
    "scratch that",
    "see you soon",
    "period",
    "stop listening",
]
WINDOW_TEXT = "Good morning,\n\nThe report is ready. See you soon."


def test_the_window_s_editor_is_steered_by_voice(espeak, qtbot, gui_env, model_store, said):
    from dictation_app.audio.sources import FileSource

    speech = synthesize(WINDOW_PHRASES, gui_env / "said.wav")
    window = make_window(qtbot, gui_env, model_store, source_factory=lambda: FileSource(speech))
    editor = window.docs.dictation_editor
    window.record_action.trigger()
    qtbot.waitUntil(lambda: window.dictation is None, timeout=120_000)  # "stop listening" stopped it
    assert_dictated(editor.toPlainText(), WINDOW_TEXT)
    commands = [s for s in said if s in ("comma", "new paragraph", "period", "scratch that", "stop listening")]
    assert commands == ["comma", "new paragraph", "period", "scratch that", "period", "stop listening"]


def test_no_command_fires_on_read_speech_with_command_words(model):
    """The utterances of the shared set whose reference says a command word (LibriSpeech: read
    by people, not dictating; "... by the pirates of the period", "during that period places"),
    and a speech without one, dictated through the file source with commands on (the window's
    tests dictate other speech with the default settings, commands on, too)."""
    import csv

    from dictation_app.core.dictation import DictationService
    from dictation_app.core.options import app_options, defaults_with
    from dictation_app.evaluation import LiveRecognizer, wer

    service = DictationService()
    service.model, service.model_name = model, "tiny.en"
    options = app_options(defaults_with({}))
    live = LiveRecognizer(service, options.streaming, voice=options.voice)
    with open(DATA / "command-words.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for row in rows:
        text, _ = live(DATA / row["path"])
        assert "period" in text.lower() and wer([row["reference_text"]], [text]) < 0.2, text
    live(DATA / "jfk.flac")
    assert live.fired == []


def test_the_vocabulary_gets_names_right_and_leaves_other_speech_alone(model):
    """Real speech whose names tiny.en misspells ("Quillan" heard as "Krillin", "Ronicky" as
    "Roniki"), as a file and dictated, without and with the names in the vocabulary."""
    import csv

    from dictation_app.core.dictation import DictationService
    from dictation_app.core.options import app_options, defaults_with
    from dictation_app.core.vocabulary import tokenizer_is_common
    from dictation_app.core.voice import apply_to_transcript
    from dictation_app.engine import FileTranscriber
    from dictation_app.evaluation import LiveRecognizer, normalize, wer

    with open(DATA / "names.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    vocabulary = "Quillan\nRonicky\nKnollys\nParedes\nMorland\nDurazzo\nEsquemeling\nGathercole"
    options = app_options(defaults_with({"voice/vocabulary": vocabulary}))
    transcriber = FileTranscriber(model, "tiny.en")
    is_common = tokenizer_is_common(model.hf_tokenizer)
    for row in rows + [{"path": "jfk.flac", "reference_text": "", "names": ""}]:
        plain = transcriber.transcribe(DATA / row["path"], options.transcribe)
        fixed = apply_to_transcript(plain, options.voice, is_common)
        name = row["names"].lower()
        if not name:
            assert fixed.text == plain.text  # nothing near a name: untouched
            continue
        assert name not in normalize(plain.text).split(), plain.text  # misspelled without it...
        assert name in normalize(fixed.text).split(), fixed.text  # ...right with it
        assert wer([row["reference_text"]], [fixed.text]) < wer([row["reference_text"]], [plain.text])
    service = DictationService()
    service.model, service.model_name = model, "tiny.en"
    live = LiveRecognizer(service, options.streaming, voice=options.voice)
    for row in rows:
        text, _ = live(DATA / row["path"])
        assert row["names"].lower() in normalize(text).split(), text
