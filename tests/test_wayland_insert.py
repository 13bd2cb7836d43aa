"""Typing and pasting into a real Wayland client (foot) under headless sway, and ``doctor``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dictation_app.anywhere.delivery import Delivery, Target
from dictation_app.anywhere.desktop import Desktop
from dictation_app.anywhere.doctor import CHECK_TEXT
from dictation_app.anywhere.methods import VirtualKeyboardTyping, WaylandPaste, WtypeTyping, methods_for

from desktops import foot


@pytest.fixture
def wayland(sway, monkeypatch) -> Desktop:
    for key in ("DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(key, raising=False)
    for key in ("WAYLAND_DISPLAY", "SWAYSOCK"):
        monkeypatch.setenv(key, sway[key])
    return Desktop.detect()


def test_desktop_is_sway_and_knows_the_focused_app(wayland, sway, tmp_path):
    term = foot(sway, tmp_path)
    try:
        assert (wayland.session, wayland.compositor) == ("wayland", "sway")
        assert wayland.focused_app() == "foot"
        assert [m.name for m in methods_for(wayland)] == ["virtual-keyboard", "portal", "wtype", "ydotool", "wl-paste"]
    finally:
        term.close()


@pytest.mark.parametrize(
    "method_class", [VirtualKeyboardTyping, WtypeTyping, WaylandPaste], ids=["virtual-keyboard", "wtype", "wl-paste"]
)
def test_each_method_puts_unicode_into_foot_intact(method_class, wayland, sway, tmp_path):
    term = foot(sway, tmp_path)
    try:
        # through delivery, as a dictation does: the first word's first letter is not lost
        delivery = Delivery([method_class(wayland)], Target(wayland.focused_app()))
        delivery.send(CHECK_TEXT)
        delivery.send(" and more\n")
        delivery.finish()
        assert delivery.held == []
        assert term.wait_text(CHECK_TEXT + " and more\n") == CHECK_TEXT + " and more\n"
    finally:
        term.close()


@pytest.mark.parametrize(
    "method_class", [VirtualKeyboardTyping, WtypeTyping, WaylandPaste], ids=["virtual-keyboard", "wtype", "wl-paste"]
)
def test_a_spoken_edit_erases_what_was_typed_and_types_the_new_text(method_class, wayland, sway, tmp_path):
    term = foot(sway, tmp_path)
    try:
        delivery = Delivery([method_class(wayland)], Target(wayland.focused_app()))
        delivery.send("Dear Anna.")
        delivery.send(" Wrong words.")
        delivery.edit(len(" Wrong words."), "", "scratch that")
        delivery.edit(len("Dear Anna."), "Dear Anna,", "comma")
        delivery.send(" it rains")
        delivery.edit(1, "ed.", "correction")  # the engine's: from the first character that differs
        delivery.send(" See you\n")
        delivery.finish()
        assert term.wait_text("Dear Anna, it rained. See you\n") == "Dear Anna, it rained. See you\n"
    finally:
        term.close()


def test_a_compositor_error_is_a_clear_message(tmp_path):
    from dictation_app.anywhere.wayland_keyboard import WaylandKeyboard
    from dictation_app.errors import InsertError

    with pytest.raises(InsertError, match="Cannot connect to the Wayland compositor"):
        WaylandKeyboard(str(tmp_path / "wayland-9"))


def test_paste_puts_the_old_clipboard_back(wayland, sway, tmp_path):
    term = foot(sway, tmp_path)
    try:
        subprocess.run(["wl-copy", "what the user copied"], env=sway, check=True, timeout=5)
        WaylandPaste(wayland).insert("dictated\n", "foot")
        assert term.wait_text("dictated\n") == "dictated\n"
        held = subprocess.run(["wl-paste", "--no-newline"], env=sway, capture_output=True, text=True, timeout=5)
        assert held.stdout == "what the user copied"
    finally:
        term.close()


def test_doctor_on_sway(sway):
    env = {k: v for k, v in sway.items() if k != "QT_QPA_PLATFORM"}
    result = subprocess.run(
        [sys.executable, "-m", "dictation_app", "doctor"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "session: wayland (sway)" in result.stdout
    for name in ("virtual-keyboard (typing)", "wtype (typing)", "wl-paste (paste)"):
        assert f"ok    {name}: inserted {CHECK_TEXT!r} and read it back intact" in result.stdout, result.stdout
    assert "bindsym $mod+d exec dictation-app toggle" in result.stdout
    assert "FAIL  portal (typing):" in result.stdout  # no portal with a RemoteDesktop on sway
