"""Typing and pasting into real X11 applications (xterm, the GTK editor l3afpad) on Xvfb with
openbox, the focus rules of delivery, the global shortcut's grab, and ``doctor``."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from dictation_app.anywhere.delivery import Delivered, Delivery, Held, Refused, Target, Waiting
from dictation_app.anywhere.desktop import Desktop
from dictation_app.anywhere.doctor import CHECK_TEXT
from dictation_app.anywhere.methods import X11Paste, XTestTyping
from dictation_app.anywhere.x11 import XKeyboard
from dictation_app.errors import InsertError

from desktops import activate, l3afpad, wait_for, xterm

METHODS = {"xtest": XTestTyping, "x11-paste": X11Paste}


@pytest.fixture
def desktop(x11) -> Desktop:
    return Desktop.detect(x11)


@pytest.mark.parametrize("name", METHODS)
def test_each_method_puts_unicode_into_xterm_intact(name, desktop, x11, tmp_path):
    term = xterm(x11, tmp_path)
    method = METHODS[name](desktop)
    try:
        method.insert(CHECK_TEXT + "\n", "XTerm")
        assert term.wait_text(CHECK_TEXT + "\n") == CHECK_TEXT + "\n"
    finally:
        method.close()
        term.close()


@pytest.mark.parametrize("name", METHODS)
def test_each_method_puts_unicode_into_a_gtk_editor(name, desktop, x11, tmp_path):
    saved = tmp_path / "note.txt"
    saved.write_text("")
    editor = l3afpad(x11, saved)
    method = METHODS[name](desktop)
    keyboard = XKeyboard(desktop.x_display)
    try:
        window = keyboard.focused_window()
        method.insert(CHECK_TEXT, window.app)
        time.sleep(0.3)
        keyboard.press_chord("Ctrl+S")
        assert wait_for(lambda: saved.read_text(encoding="utf-8") == CHECK_TEXT, what="the saved file")
    finally:
        method.close()
        keyboard.close()
        editor.terminate()
        editor.wait(timeout=10)


@pytest.mark.parametrize("name", METHODS)
def test_a_spoken_edit_erases_exactly_what_was_typed(name, desktop, x11, tmp_path):
    term = xterm(x11, tmp_path)
    events = []
    delivery = Delivery([METHODS[name](desktop)], Target("XTerm", "target", term.window), events.append)
    try:
        activate(x11, term.window)
        delivery.send("Good morning.")
        delivery.send(" Ignore this.")
        delivery.edit(len(" Ignore this."), "", "delete that")
        delivery.edit(1, ",", "comma")
        delivery.send(" it rains")
        delivery.edit(1, "ed.", "correction")  # the engine's: part of what was typed last
        delivery.send(" See you\n")
        delivery.edit(len("Good morning, it rained. See you\n") + 1, "", "scratch that")  # more than it typed
        delivery.finish()
        assert term.wait_text("Good morning, it rained. See you\n") == "Good morning, it rained. See you\n"
        (refused,) = [e for e in events if isinstance(e, Refused)]
        assert refused.command == "scratch that" and "not what was typed last" in refused.reason
    finally:
        term.close()


def test_an_edit_after_the_focus_left_is_refused_and_nothing_is_erased(desktop, x11, tmp_path):
    target = xterm(x11, tmp_path, "target")
    watcher = XKeyboard(desktop.x_display)
    events = []
    delivery = Delivery(
        [XTestTyping(desktop)],
        Target("XTerm", "target", target.window),
        events.append,
        lambda: w.id if (w := watcher.focused_window()) else None,
        watcher.window_exists,
    )
    other = None
    try:
        activate(x11, target.window)
        delivery.send("Keep these words.")
        wait_for(lambda: any(isinstance(e, Delivered) for e in events), what="the words")
        other = xterm(x11, tmp_path, "other")  # the user went elsewhere (and may have typed there)
        delivery.send(" More.")
        wait_for(lambda: any(isinstance(e, Waiting) for e in events), what="Waiting")
        activate(x11, target.window)
        delivery.edit(len(" More.") + len("Keep these words."), "", "scratch that")
        delivery.send("\n")
        delivery.finish()
        assert target.wait_text("Keep these words. More.\n") == "Keep these words. More.\n"
        (refused,) = [e for e in events if isinstance(e, Refused)]
        assert refused.command == "scratch that" and "focus left" in refused.reason
    finally:
        watcher.close()
        target.close()
        if other is not None:
            other.close()


def test_more_characters_outside_the_layout_than_spare_keycodes(desktop, x11, tmp_path):
    """Every spare keycode is reused (after clients read it) and no character turns into another;
    closed, the keyboard leaves them all empty again, for the next one (the doctor found none
    left once: the last requests before a close had been dropped)."""
    text = "αβγδεζηθικλμνξοπρστυφχψω АБВГДЕЖЗИЙКЛМН ĀĒĪŌŪ ∑∫√∞≈≠≤≥ 東京大阪\n"
    term = xterm(x11, tmp_path)
    keyboard = XKeyboard(desktop.x_display)
    spare = keyboard._spare
    try:
        assert len(set(text) - set(" \n")) > len(spare)
        keyboard.type_text(text)
        assert term.wait_text(text, timeout=15) == text
    finally:
        keyboard.close()
        term.close()
    after = XKeyboard(desktop.x_display)
    try:
        assert after._spare == spare
    finally:
        after.close()


def test_paste_puts_the_old_clipboard_back(desktop, x11, tmp_path):
    from dictation_app.anywhere.x11_clipboard import X11Clipboard, _Offer

    term = xterm(x11, tmp_path)
    mine = _Offer(desktop.x_display, ("CLIPBOARD",), b"what the user copied")
    method = X11Paste(desktop)
    try:
        activate(x11, term.window)
        method.insert("dictated words\n", "XTerm")
        assert term.wait_text("dictated words\n") == "dictated words\n"
        assert mine.lost.is_set()  # the app took the clipboard for the paste...
        assert X11Clipboard(desktop.x_display).read() == b"what the user copied"  # ...and gave it back
    finally:
        method.close()
        mine.withdraw()
        term.close()


def test_a_target_that_refuses_the_paste_keeps_the_text(desktop, x11, tmp_path):
    """A paste key the window ignores: nothing is taken, the text is held with the reason."""
    term = xterm(x11, tmp_path)
    events = []
    delivery = Delivery([X11Paste(desktop, paste_key="F12")], Target("XTerm", "target", term.window), events.append)
    delivery.send("never typed")
    delivery.finish()
    term.close()
    assert delivery.held == ["never typed"]
    (held,) = [e for e in events if isinstance(e, Held)]
    assert "did not take the pasted text" in held.reason
    assert term.text() == ""


def test_text_waits_for_the_target_and_never_goes_elsewhere(desktop, x11, tmp_path):
    target = xterm(x11, tmp_path, "target")
    other = xterm(x11, tmp_path, "other")  # has the focus now
    watcher = XKeyboard(desktop.x_display)
    events = []
    delivery = Delivery(
        [XTestTyping(desktop)],
        Target("XTerm", "target", target.window),
        events.append,
        lambda: w.id if (w := watcher.focused_window()) else None,
        watcher.window_exists,
    )
    try:
        delivery.send("first words\n")
        wait_for(lambda: any(isinstance(e, Waiting) for e in events), what="Waiting")
        time.sleep(0.3)
        assert other.text() == "" and target.text() == ""
        activate(x11, target.window)  # the user comes back: the held words go in
        assert target.wait_text("first words\n") == "first words\n"
        activate(x11, other.window)
        target.close()  # the target closes mid-dictation
        delivery.send("second words\n")
        delivery.finish()
        assert delivery.held == ["second words\n"]
        assert any(isinstance(e, Held) and "closed" in e.reason for e in events)
        assert [e.text for e in events if isinstance(e, Delivered)] == ["first words\n"]
        time.sleep(0.3)
        assert other.text() == ""
    finally:
        watcher.close()
        other.close()


def test_global_shortcut_press_release_and_a_taken_chord(x11):
    from dictation_app.anywhere.hotkey import HotkeyError, X11Hotkey

    presses, releases = [], []
    hotkey = X11Hotkey("Ctrl+Alt+D", lambda: presses.append(1), lambda: releases.append(1), x11["DISPLAY"])
    try:
        subprocess.run(["xdotool", "keydown", "ctrl+alt+d"], env=x11, check=True)
        wait_for(lambda: presses, what="the press")
        time.sleep(0.2)
        assert not releases  # held: push-to-talk keeps listening
        subprocess.run(["xdotool", "keyup", "ctrl+alt+d"], env=x11, check=True)
        wait_for(lambda: releases, what="the release")
        with pytest.raises(HotkeyError, match="already taken by another program"):
            X11Hotkey("Ctrl+Alt+D", lambda: None, None, x11["DISPLAY"])
    finally:
        hotkey.close()
    with pytest.raises(HotkeyError, match="not valid"):
        X11Hotkey("Hyper+D", lambda: None, None, x11["DISPLAY"])


def test_doctor_checks_each_method_live(x11):
    result = subprocess.run(
        [sys.executable, "-m", "dictation_app", "doctor"], env=x11, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "session: x11" in result.stdout
    for name in ("xtest (typing)", "x11-paste (paste)"):
        assert f"ok    {name}: inserted {CHECK_TEXT!r} and read it back intact" in result.stdout, result.stdout


def test_doctor_without_any_display(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "dictation_app", "doctor"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "FAIL  display: none" in result.stdout
    assert "'dictation-app listen' and the window's editor still work" in result.stdout


def test_no_x_server_is_a_clear_insert_error():
    with pytest.raises(InsertError, match="Cannot open the X display"):
        XKeyboard(":250")


def test_preferences_show_the_doctor_report(qtbot, gui_env, x11, monkeypatch):
    """The Preferences page runs the same check as `doctor` (on the X display, live)."""
    from dictation_app.ui.widgets.preferences import PreferencesDialog

    from conftest import make_settings

    monkeypatch.setenv("DISPLAY", x11["DISPLAY"])
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    dialog = PreferencesDialog(make_settings(gui_env))
    qtbot.addWidget(dialog)
    dialog.run_doctor()
    qtbot.waitUntil(lambda: "verdict" in dialog.report.toPlainText(), timeout=60_000)
    assert "ok    xtest (typing): inserted" in dialog.report.toPlainText()
