"""X11: typing any character through XTest, the focused window, and key chords (no Qt).

XTest only presses keycodes, and what a keycode means is the client's keyboard mapping. A
character the layout has at level 1 or 2 is typed with its own key (and Shift); any other
character is given a spare keycode (one the layout leaves empty) for the rest of the
session. xdotool maps every such character onto the same scratch keycode and remaps it for
the next one at once, so a client that reads the mapping after the second change types the
wrong character ("café" arrived as "caf—" here): each character keeps its own keycode
until :meth:`XKeyboard.close`, and when the spare keycodes run out they are all freed at once,
only after the clients had time to read the events that used them, and taken again the least
recently used first.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from dictation_app.anywhere.keys import keysym_for, keysym_of, parse_chord
from dictation_app.errors import InsertError

__all__ = ["FocusedWindow", "XKeyboard"]

#: spare keycodes are remapped only this long after the last press of any of them
REUSE_AFTER_S = 0.5


@dataclass(frozen=True)
class FocusedWindow:
    """The window that has the keyboard: its id, title and WM_CLASS (instance, class)."""

    id: int
    title: str
    wm_class: tuple[str, ...]

    @property
    def app(self) -> str:
        return self.wm_class[-1] if self.wm_class else self.title


class XKeyboard:
    """One connection to the X server for typing and key chords. Thread-safe (one lock).

    Raises :class:`InsertError` when there is no X display or no XTest extension.
    """

    def __init__(self, display_name: str | None = None) -> None:
        try:
            from Xlib import XK, display, error
        except ImportError as exc:
            raise InsertError(
                f"X11 typing needs python-xlib ({exc}); install it with: pip install python-xlib"
            ) from None
        self._XK = XK
        try:
            self.display = display.Display(display_name)
        except (error.DisplayError, error.ConnectionClosedError, OSError) as exc:
            raise InsertError(f"Cannot open the X display: {exc}.") from None
        if not self.display.has_extension("XTEST"):
            self.display.close()
            raise InsertError("The X server has no XTEST extension, so keys cannot be typed into other windows.")
        self._lock = threading.Lock()
        info = self.display.display.info
        self._first, count = info.min_keycode, info.max_keycode - info.min_keycode + 1
        mapping = self.display.get_keyboard_mapping(self._first, count)
        self._index: dict[int, tuple[int, int]] = {}  # keysym -> (keycode, level 0/1)
        for i, syms in enumerate(mapping):
            for level, sym in enumerate(syms[:2]):
                if sym and sym not in self._index:
                    self._index[sym] = (self._first + i, level)
        self._spare = [self._first + i for i, syms in enumerate(mapping) if not any(syms)]
        self._assigned: dict[int, int] = {}  # keysym -> spare keycode mapped to it
        self._used_at: dict[int, float] = {}  # spare keycode -> last press

    # -- typing ---------------------------------------------------------------------------

    def type_text(self, text: str) -> None:
        """Type ``text`` into whatever window has the keyboard focus."""
        with self._lock:
            for char in text:
                keycode, level = self._keycode(keysym_for(char))
                self._tap(keycode, [self._modifier("Shift_L")] if level else [])
            self.display.sync()

    def _keycode(self, keysym: int) -> tuple[int, int]:
        if keysym in self._index:
            return self._index[keysym]
        if keysym in self._assigned:
            keycode = self._assigned[keysym]
        else:
            keycode = self._spare_keycode()
            self.display.change_keyboard_mapping(keycode, [(keysym, keysym)])
            self.display.sync()
            self._assigned[keysym] = keycode
        self._used_at[keycode] = time.monotonic()
        return keycode, 0

    def _spare_keycode(self) -> int:
        """A spare keycode to map a new character to: a free one, the longest unused first. When
        none is free, all are freed at once, once the clients had ``REUSE_AFTER_S`` to read the
        key events that used them: a client looks a keycode up in the mapping of the moment it
        reads the event, so a keycode remapped before then types the new character (one in 36
        reuses typed "Г" for "ξ" under load when each was reused alone, 0.2 s after its press)."""
        if not self._spare:
            raise InsertError("The keyboard layout has no free keycode to type characters outside it.")
        if len(self._assigned) >= len(self._spare):
            self.display.sync()  # the last presses sent; the wait counts from the last one
            wait = REUSE_AFTER_S - (time.monotonic() - max(self._used_at.values()))
            if wait > 0:
                time.sleep(wait)
            self._assigned.clear()
        taken = set(self._assigned.values())
        return min((k for k in self._spare if k not in taken), key=lambda k: self._used_at.get(k, 0.0))

    def _modifier(self, name: str) -> int:
        keycode = self.display.keysym_to_keycode(self._XK.string_to_keysym(name))
        if not keycode:
            raise InsertError(f"The keyboard layout has no {name} key.")
        return keycode

    def _tap(self, keycode: int, modifiers: list[int]) -> None:
        from Xlib import X
        from Xlib.ext import xtest

        for mod in modifiers:
            xtest.fake_input(self.display, X.KeyPress, mod)
        xtest.fake_input(self.display, X.KeyPress, keycode)
        xtest.fake_input(self.display, X.KeyRelease, keycode)
        for mod in reversed(modifiers):
            xtest.fake_input(self.display, X.KeyRelease, mod)

    def press_chord(self, chord: str) -> None:
        """Press and release a chord such as ``Ctrl+Shift+V`` or ``Shift+Insert``."""
        mods, key = parse_chord(chord)
        with self._lock:
            keysym = self._XK.string_to_keysym(key) or (keysym_of(key) if len(key) == 1 else 0)
            keycode = self.display.keysym_to_keycode(keysym) if keysym else 0
            if not keycode:
                raise InsertError(f"The keyboard layout has no key {key!r} for {chord}.")
            self._tap(keycode, [self._modifier(m) for m in mods])
            self.display.sync()

    # -- focus ----------------------------------------------------------------------------

    def focused_window(self) -> FocusedWindow | None:
        """The active top-level window (the window manager's ``_NET_ACTIVE_WINDOW``, else the
        input focus), or None when no window has the focus."""
        with self._lock:
            root = self.display.screen().root
            active = root.get_full_property(self.display.intern_atom("_NET_ACTIVE_WINDOW"), 0)
            window_id = int(active.value[0]) if active is not None and len(active.value) else 0
            if not window_id:
                focus = self.display.get_input_focus().focus
                window_id = focus.id if hasattr(focus, "id") else 0
            if window_id in (0, 1, root.id):  # None, PointerRoot, the root
                return None
            return self._describe(window_id)

    def _describe(self, window_id: int) -> FocusedWindow:
        from Xlib import error

        window = self.display.create_resource_object("window", window_id)
        try:
            name = window.get_full_property(self.display.intern_atom("_NET_WM_NAME"), 0)
            title = name.value.decode("utf-8", "replace") if name is not None else (window.get_wm_name() or "")
            wm_class = tuple(window.get_wm_class() or ())
        except error.XError:  # closed meanwhile
            title, wm_class = "", ()
        return FocusedWindow(window_id, str(title), wm_class)

    def window_exists(self, window_id: int) -> bool:
        from Xlib import error

        with self._lock:
            try:
                self.display.create_resource_object("window", window_id).get_attributes()
                return True
            except error.XError:
                return False

    def close(self) -> None:
        """Give the spare keycodes back (empty again) and close the connection: every one this
        keyboard mapped, those freed when they ran out and not taken again too."""
        with self._lock:
            if self._used_at:
                pause = REUSE_AFTER_S - (time.monotonic() - max(self._used_at.values()))
                if pause > 0:
                    time.sleep(pause)
                for keycode in self._used_at:
                    self.display.change_keyboard_mapping(keycode, [(0, 0)])
                # Answered before the connection closes: requests sent just before a close were
                # sometimes dropped by the server (Xvfb 21), which left the characters on their
                # keycodes for the rest of the session and, in time, no spare keycode at all.
                self.display.sync()
                self._assigned.clear()
                self._used_at.clear()
            self.display.close()
