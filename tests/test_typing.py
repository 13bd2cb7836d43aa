"""Typing into applications nobody here wrote, through the one pipeline (source -> engine -> voice ->
history -> typing stage -> delivery thread), driven in audio time: ``dictation-app listen --type
--audio FILE`` decodes a recording as fast as it can, so the words are the same every run and the
tests can say exactly what lands in xterm and l3afpad (X11) and foot (sway).

Real-time speech through the microphone is tested once per front end elsewhere
(``test_anywhere_app.py``, ``test_listen_cli.py``); those do not assert exact words."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dictation_app.evaluation import wer

from conftest import DATA
from desktops import foot, l3afpad, need, wait_for, xterm
from speech_synth import assert_dictated, have_espeak, synthesize

pytestmark = pytest.mark.slow

PHRASES = [
    "Good morning",
    "comma",
    "the build is green",
    "period",
    "ignore this",
    "delete that",
    "see you soon",
    "period",
]
TEXT = "Good morning, the build is green. See you soon."  # in Prose mode
TERMINAL = "good morning, the build is green. see you soon."  # the marks said, no capitals


@pytest.fixture(scope="module")
def said(tmp_path_factory):
    if not have_espeak():
        need("espeak-ng")
    return synthesize(PHRASES, tmp_path_factory.mktemp("said") / "said.wav")


def listen_type(env: dict, folder: Path, audio: Path, *flags: str) -> tuple[subprocess.CompletedProcess, str]:
    """``listen --type --audio`` with its own data folder; the result and its ``--output`` text."""
    out = folder / "output.txt"
    run_env = {**env, "DICTATION_APP_DATA_DIR": str(folder / "data"), "XDG_CONFIG_HOME": str(folder / "config")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dictation_app",
            "listen",
            "--type",
            "--audio",
            str(audio),
            "--output",
            str(out),
            *flags,
        ],
        env=run_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result, out.read_text(encoding="utf-8").strip()


def _session(folder: Path) -> Path:
    (session,) = (folder / "data" / "sessions").iterdir()
    return session


def test_spoken_edits_are_typed_into_xterm_as_the_text_reads(said, x11, tmp_path):
    """A comma said after "Good morning." was typed erases the full stop; "delete that" erases the
    phrase before it; the trailer asked for (a new line) ends the dictation. xterm is a terminal:
    the rule ``xterm => Terminal`` writes it in Terminal mode (no capitals, no marks not said)."""
    term = xterm(x11, tmp_path)
    try:
        result, text = listen_type(x11, tmp_path, said, "--after", "newline")
        assert_dictated(text, TERMINAL)
        assert text == text.lower(), text
        assert term.wait_text(text + "\n") == text + "\n"
        assert f"typing into {term.title}" in result.stderr
        assert "writing in Terminal mode for target (XTerm): rule 'xterm => Terminal'" in result.stderr
    finally:
        term.close()
    from dictation_app.core.history_files import SIDECAR_NAME

    history = json.loads((_session(tmp_path) / SIDECAR_NAME).read_text(encoding="utf-8"))
    assert history["destination"] == term.title  # the history says where the words went


def test_the_same_words_are_typed_into_foot_on_sway(said, sway, tmp_path):
    """On sway the mode's rule reads the app_id the compositor tells (foot => Terminal)."""
    term = foot(sway, tmp_path)
    try:
        result, text = listen_type(sway, tmp_path, said, "--after", "newline")
        assert_dictated(text, TERMINAL)
        assert text == text.lower(), text
        assert term.wait_text(text + "\n") == text + "\n"
        assert "writing in Terminal mode for target (foot): rule 'foot => Terminal'" in result.stderr
    finally:
        term.close()


def test_the_same_words_go_into_a_gtk_editor_as_prose(said, x11, tmp_path):
    """No rule names l3afpad: the default mode, Prose, writes sentences (and the Preferences'
    trailer, a space, follows)."""
    saved = tmp_path / "note.txt"
    editor, keyboard = _l3afpad(x11, saved)
    try:
        result, text = listen_type(x11, tmp_path, said)
        assert_dictated(text, TEXT)
        assert text[:1].isupper() and ". S" in text, text
        assert _saved(keyboard, saved, text + " ") == text + " "
        assert "writing in Prose mode for note.txt" in result.stderr and "no rule matched" in result.stderr
    finally:
        keyboard.close()
        editor.terminate()
        editor.wait(timeout=10)


def _l3afpad(x11: dict, saved: Path):
    from dictation_app.anywhere.x11 import XKeyboard

    saved.write_text("")
    editor = l3afpad(x11, saved)
    return editor, XKeyboard(x11["DISPLAY"])


def _saved(keyboard, saved: Path, expected: str) -> str:
    keyboard.press_chord("Ctrl+S")
    try:
        return wait_for(lambda: (t := saved.read_text(encoding="utf-8")) == expected and t, what="the saved file")
    except AssertionError:
        return saved.read_text(encoding="utf-8")


def _journal(session: Path) -> str:
    """The words as the engine's revisions left them."""
    from dictation_app.audio.recorder import load_session

    return "".join(w.text for s in load_session(session).segments for w in s.words).strip()


@pytest.mark.parametrize("insert", ["live", "on_finish"])
def test_real_speech_lands_in_a_gtk_editor_as_revised(x11, references, tmp_path, insert):
    """Live (two utterances, one of them revised): the words as the engine revised them once it
    heard each utterance whole (BackSpace and the new words), exactly the ``--output`` text and
    the journal's. On finish: the recording heard whole by the file path, exactly ``final.txt``
    (the file path's accuracy against live: ``test_streaming.py``, ``test_transcriber.py``)."""
    row = {"path": "2416-152139-0000.flac", "reference_text": references["2416-152139-0000.flac"]}
    reference = row["reference_text"]
    saved = tmp_path / "note.txt"
    editor, keyboard = _l3afpad(x11, saved)
    try:
        _, text = listen_type(
            x11, tmp_path, DATA / row["path"], "--insert", insert, "--after", "nothing", "--no-commands"
        )
        session = _session(tmp_path)
        if insert == "live":
            assert text == _journal(session)
            typed = _saved(keyboard, saved, text)
            assert typed == text
        else:
            final = (session / "final.txt").read_text(encoding="utf-8").strip()
            typed = _saved(keyboard, saved, final)
            assert typed == final
        assert wer([reference], [typed]) < 0.1, typed
    finally:
        keyboard.close()
        editor.terminate()
        editor.wait(timeout=10)


def test_without_a_desktop_type_says_so_and_types_nothing(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "dictation_app", "listen", "--type", "--audio", str(DATA / "jfk.flac")],
        env={**env, "DICTATION_APP_DATA_DIR": str(tmp_path / "d")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "--type needs a desktop session" in result.stderr
