"""Dictation anywhere on a real KDE Plasma desktop: KWin 5.27 on a virtual output, the real
xdg-desktop-portal frontend and its KDE backend (RemoteDesktop for the keys, GlobalShortcuts
for the shortcut), KWrite as the target, and the app in its own process with speech through
the PulseAudio virtual microphone. Keys a user would press are sent into the compositor
through a RemoteDesktop session of the test's own (KWin's fake input, as xdotool is on X11).

Plasma 5.27 asks no consent question for an application that is not sandboxed: it starts the
remote-control session and says so in a notification (``RemoteDesktopPortal::Start``); the
question, and restore tokens, exist there only for Flatpak apps."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from dictation_app.anywhere.desktop import Desktop
from dictation_app.anywhere.doctor import CHECK_TEXT
from dictation_app.anywhere.keys import keysym_named, parse_chord
from dictation_app.anywhere.methods import PortalPaste, PortalTyping
from dictation_app.evaluation import wer

from conftest import speak
from desktops import KWrite, client_of, kde_screenshot, wait_for
from test_anywhere_app import SPEECH, _env, _journal_text, _session, app_stderr, ctl, start_app, status, wait_status

pytestmark = pytest.mark.slow


@pytest.fixture
def on_kde(kde, tmp_path, monkeypatch) -> Desktop:
    """This process on the KDE session (the portal's client), with a data folder of its own."""
    return client_of(kde, monkeypatch, tmp_path / "driver")


class Keys:
    """The test's hands: keys pressed into KWin through a RemoteDesktop session of its own."""

    def __init__(self) -> None:
        from dictation_app.anywhere.portal import RemoteDesktopKeyboard

        self.keyboard = RemoteDesktopKeyboard(timeout=20)

    def down(self, chord: str) -> None:
        mods, key = parse_chord(chord)
        for name in [*mods, key]:
            self.keyboard.key(keysym_named(name), 1)

    def up(self, chord: str) -> None:
        mods, key = parse_chord(chord)
        for name in reversed([*mods, key]):
            self.keyboard.key(keysym_named(name), 0)

    def press(self, chord: str) -> None:
        self.down(chord)
        self.up(chord)

    def close(self) -> None:
        self.keyboard.close()


def test_doctor_on_kde(kde, tmp_path):
    env = {**kde, "DICTATION_APP_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "dictation_app", "doctor"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "session: wayland (KDE)" in out
    assert f"ok    portal (typing): inserted {CHECK_TEXT!r} and read it back intact" in out
    assert f"ok    portal-paste (paste): inserted {CHECK_TEXT!r}" in out
    assert "ok    verdict" in out
    assert "not yet seen" not in out.split("global shortcut")[1].split("\n", 1)[1]  # the typing lines


def test_the_portal_types_every_character_and_erases_into_kwrite(on_kde, kde, tmp_path):
    """Plasma's portal types a keysym only if the layout has a key for it; the rest is pasted."""
    editor = KWrite(kde, tmp_path)
    method = PortalTyping(on_kde)
    try:
        method.insert(f"{CHECK_TEXT} Kelvin")
        method.erase(len(" Kelvin"))
        method.insert(".\n")
        assert editor.wait_text(f"{CHECK_TEXT}.\n") == f"{CHECK_TEXT}.\n"
    finally:
        method.close()
        editor.close()


def test_portal_paste_puts_the_old_clipboard_back(on_kde, kde, tmp_path):
    editor = KWrite(kde, tmp_path)
    method = PortalPaste(on_kde)
    try:
        subprocess.run(["wl-copy", "what the user copied"], env=kde, check=True, timeout=5)
        method.insert("dictated, naïvely\n")
        assert editor.wait_text("dictated, naïvely\n") == "dictated, naïvely\n"
        held = subprocess.run(["wl-paste", "--no-newline"], env=kde, capture_output=True, text=True, timeout=5)
        assert held.stdout == "what the user copied"
    finally:
        method.close()
        editor.close()


def _speak_and_wait(env: dict, editor: KWrite) -> None:
    wait_status(env, lambda s: s["dictating"] and "microphone_at" in s["timings"], what="the microphone")
    speak(Path(__file__).parent / "data" / SPEECH, env).wait(timeout=180)
    time.sleep(1.0)


def test_toggle_dictates_into_kwrite_through_the_portal(virtual_mic, kde, references, tmp_path):
    editor = KWrite(kde, tmp_path)
    env = _env(kde, virtual_mic, tmp_path, "insert=live\n")
    try:
        ctl(env, "toggle")  # starts the app, which reads the target before it shows anything
        _speak_and_wait(env, editor)
        ctl(env, "toggle")
        wait_status(env, lambda s: not s["dictating"] and "last_delivered" in s["timings"], 60, "the words")
        typed = wait_for(lambda: (t := editor.text()).endswith("\n") and t, 30, "the line in KWrite")
        assert typed == _journal_text(_session(env)) + "\n"  # revisions included: each word once
        assert wer([references[SPEECH]], [typed]) < 0.15, typed
        assert status(env)["timings"]["method"] == "portal"
        kde_screenshot(kde, tmp_path / "kde-kwrite.png")
    finally:
        ctl(env, "quit")
        editor.close()


@pytest.mark.parametrize("mode", ["toggle", "push_to_talk"])
def test_the_shortcut_through_the_global_shortcuts_portal(virtual_mic, kde, on_kde, references, tmp_path, mode):
    """Ctrl+Alt+D bound through Plasma's GlobalShortcuts portal and pressed into KWin: press
    and release arrive, also for the second app started in this Plasma session (the first
    test's app has quit). Push-to-talk: dictation while the keys are held, the words once they
    are up (typed while held, they would carry Ctrl+Alt)."""
    env = _env(kde, virtual_mic, tmp_path, f"insert=live\nshortcut=Ctrl+Alt+D\nshortcut_mode={mode}\n")
    app = start_app(env)
    editor, keys = None, Keys()
    try:
        wait_status(env, lambda s: s["state"] == "idle", what="the model")
        editor = KWrite(kde, tmp_path)
        if mode == "toggle":  # press, press: on, off (no speech needed to see it)
            keys.down("Ctrl+Alt+D")
            wait_status(env, lambda s: s["dictating"], 30, "dictation started by the shortcut")
            time.sleep(2.0)  # held past the key repeat (Plasma repeats Activated from 0.6 s)
            assert status(env)["dictating"]
            keys.up("Ctrl+Alt+D")
            keys.press("Ctrl+Alt+D")
            wait_status(env, lambda s: not s["dictating"], 30, "dictation stopped by the shortcut")
            return
        keys.down("Ctrl+Alt+D")
        _speak_and_wait(env, editor)
        assert editor.text() == ""  # nothing typed while the keys were down
        keys.up("Ctrl+Alt+D")
        wait_status(env, lambda s: not s["dictating"] and "last_delivered" in s["timings"], 60, "the words")
        typed = wait_for(lambda: (t := editor.text()).endswith("\n") and t, 30, "the line in KWrite")
        assert typed == _journal_text(_session(env)) + "\n"
        assert wer([references[SPEECH]], [typed]) < 0.15, typed
    finally:
        keys.close()
        ctl(env, "quit")
        app.wait(timeout=60)
        if editor is not None:
            editor.close()
    assert "Traceback" not in app_stderr(env)
