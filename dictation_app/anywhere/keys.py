"""Characters and keys, the same for every way of typing (no Qt): the keysym a character is
typed with, and key chords such as ``Ctrl+Shift+V``."""

from __future__ import annotations

from dictation_app.errors import InsertError

__all__ = ["keysym_for", "keysym_named", "keysym_of", "parse_chord", "typed_by_any_layout"]

#: keys named in chords (``parse_chord``'s names), by their X keysym
_NAMED_KEYSYMS = {
    "Control_L": 0xFFE3,
    "Shift_L": 0xFFE1,
    "Alt_L": 0xFFE9,
    "Super_L": 0xFFEB,
    "Insert": 0xFF63,
    "BackSpace": 0xFF08,
    "Return": 0xFF0D,
    "Tab": 0xFF09,
    "Escape": 0xFF1B,
    "Delete": 0xFFFF,
}
#: characters typed with a key of their own: Return, Tab, BackSpace
SPECIAL_KEYSYMS = {"\n": _NAMED_KEYSYMS["Return"], "\t": _NAMED_KEYSYMS["Tab"], "\b": _NAMED_KEYSYMS["BackSpace"]}


_MODIFIERS = {
    "ctrl": "Control_L",
    "control": "Control_L",
    "shift": "Shift_L",
    "alt": "Alt_L",
    "super": "Super_L",
    "meta": "Super_L",
    "win": "Super_L",
}


def keysym_of(char: str) -> int:
    """The X keysym for one printable character: Latin-1 keysyms are the code point, others
    0x1000000 + it."""
    code = ord(char)
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
        return code
    return 0x01000000 | code


def keysym_for(char: str) -> int:
    """The keysym that types ``char``: its own key for newline, tab and backspace; raises
    :class:`InsertError` for any other control character."""
    if char in SPECIAL_KEYSYMS:
        return SPECIAL_KEYSYMS[char]
    if ord(char) < 0x20 or ord(char) == 0x7F:
        raise InsertError(f"Cannot type the control character {ord(char):#04x}.")
    return keysym_of(char)


def keysym_named(name: str) -> int:
    """The keysym of a key as a chord names it: ``"Control_L"``, ``"Insert"``, ``"v"``."""
    if name in _NAMED_KEYSYMS:
        return _NAMED_KEYSYMS[name]
    if len(name) == 1:
        return keysym_of(name)
    raise InsertError(f"Unknown key {name!r}.")


def typed_by_any_layout(char: str) -> bool:
    """Whether every Latin keyboard layout has a key for ``char`` (printable ASCII, newline,
    tab, backspace). Desktops that type a keysym by finding it in the user's layout (KDE's
    and GNOME's RemoteDesktop portals) drop the others without an error."""
    return char in SPECIAL_KEYSYMS or 0x20 <= ord(char) <= 0x7E


def parse_chord(chord: str) -> tuple[list[str], str]:
    """``"Ctrl+Shift+V"`` -> (["Control_L", "Shift_L"], "v"): modifier keysym names and the key's."""
    parts = [p.strip() for p in chord.split("+") if p.strip()]
    if not parts:
        raise ValueError(f"empty key chord: {chord!r}")
    *mods, key = parts
    names = []
    for mod in mods:
        if mod.lower() not in _MODIFIERS:
            raise ValueError(f"unknown modifier {mod!r} in {chord!r} (use Ctrl, Shift, Alt, Super)")
        names.append(_MODIFIERS[mod.lower()])
    return names, (key.lower() if len(key) == 1 else key)
