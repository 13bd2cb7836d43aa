"""The rules of dictation anywhere that need no desktop: paste keys, chords, the method lists."""

import pytest

from dictation_app.anywhere.desktop import Desktop
from dictation_app.anywhere.keys import keysym_of, parse_chord
from dictation_app.anywhere.methods import METHOD_NAMES, methods_for, paste_chord
from dictation_app.settings.declarations import by_key


def test_the_paste_key_follows_the_application():
    assert paste_chord("XTerm") == "Shift+Insert"  # xterm's Ctrl+Shift+V does nothing
    assert paste_chord("foot") == paste_chord("Gnome-terminal") == paste_chord("konsole") == "Ctrl+Shift+V"
    assert paste_chord("firefox") == paste_chord("l3afpad") == "Ctrl+V"
    assert paste_chord("XTerm", override="Ctrl+Alt+V") == "Ctrl+Alt+V"


def test_chords_and_keysyms():
    assert parse_chord("Ctrl+Shift+V") == (["Control_L", "Shift_L"], "v")
    assert parse_chord("Super+space") == (["Super_L"], "space")
    with pytest.raises(ValueError, match="unknown modifier"):
        parse_chord("Hyper+D")
    assert keysym_of("a") == 0x61 and keysym_of("é") == 0xE9 and keysym_of("—") == 0x1002014


def test_the_settings_offer_exactly_the_methods_there_are():
    assert by_key("anywhere/method").choices == METHOD_NAMES


def test_each_session_tries_its_own_methods():
    assert methods_for(Desktop.detect({"DISPLAY": ":0"})) and [
        m.name for m in methods_for(Desktop.detect({"DISPLAY": ":0"}))
    ] == ["xtest", "x11-paste"]
    wayland = Desktop.detect({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "SWAYSOCK": "/x"})
    assert (wayland.session, wayland.compositor) == ("wayland", "sway")  # XWayland's DISPLAY does not count
    assert methods_for(Desktop.detect({})) == []
    assert [m.name for m in methods_for(wayland, "wl-paste")] == ["wl-paste"]


def test_a_missing_tool_names_its_package_and_the_text_is_held(monkeypatch):
    from dictation_app.anywhere.delivery import Delivery, Held, Target
    from dictation_app.anywhere.methods import WaylandPaste, WtypeTyping, YdotoolTyping

    monkeypatch.setenv("PATH", "/nonexistent")
    desktop = Desktop.detect({"WAYLAND_DISPLAY": "wayland-0"})
    assert WtypeTyping(desktop).problem() == "wtype is not installed (sudo apt install wtype)"
    assert WaylandPaste(desktop).problem() == "wl-copy is not installed (sudo apt install wl-clipboard)"
    assert YdotoolTyping(desktop).problem().startswith("ydotool is not installed (sudo apt install ydotool")
    events = []
    delivery = Delivery([WtypeTyping(desktop)], Target("foot"), events.append)
    delivery.send("kept words")
    delivery.finish()
    assert delivery.held == ["kept words"]
    (held,) = events
    assert isinstance(held, Held) and "wtype: wtype is not installed." in held.reason


def test_a_correction_erases_from_the_first_changed_character_and_a_refused_one_is_said_once():
    """The delivery's rules on a text field that does what BackSpace does (the real methods
    and applications: tests/test_x11_insert.py, tests/test_wayland_insert.py)."""
    from dictation_app.anywhere.delivery import CORRECTION, Delivery, Refused, Target
    from dictation_app.anywhere.methods import Method

    class Field(Method):
        name, text = "field", ""

        def insert(self, text, app=""):
            for ch in text:
                self.text = self.text[:-1] if ch == "\b" else self.text + ch

    field, events = Field(), []
    delivery = Delivery([field], Target("Editor"), events.append)
    delivery.send("Good morning.")
    delivery.edit(1, ",", "comma")
    delivery.send(" it rains")
    delivery.edit(1, "ed.", CORRECTION)  # part of the last piece
    delivery.edit(len(" it rained."), " it rained again.", CORRECTION)  # exactly the pieces since the comma
    delivery.edit(100, "", CORRECTION)  # more than was typed: refused
    delivery.edit(2, "", CORRECTION)  # refused too (what is in the field is no longer known), said once
    delivery.send(" Bye.")
    delivery.finish()
    assert field.text == "Good morning, it rained again. Bye."
    (refused,) = [e for e in events if isinstance(e, Refused)]
    assert refused.command == CORRECTION and "not what was typed last" in refused.reason
