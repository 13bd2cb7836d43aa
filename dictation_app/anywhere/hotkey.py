"""The global shortcut on X11: a passive key grab on the root window (no Qt).

The chord is grabbed with every combination of the lock modifiers (Caps Lock, Num Lock), so
it works whatever their state. Presses and releases are reported (push-to-talk needs both);
the X server's auto-repeat, which sends release+press pairs while a key is held, is folded
away. A chord another program has grabbed already fails with :class:`HotkeyError` naming it.
Wayland has no grabs: there the GlobalShortcuts portal or the compositor's own binding of
``dictation-app toggle`` is the way (see ``doctor``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from dictation_app.anywhere.keys import parse_chord
from dictation_app.errors import DictationError

__all__ = ["HotkeyError", "X11Hotkey"]

_MASKS = {"Control_L": "ControlMask", "Shift_L": "ShiftMask", "Alt_L": "Mod1Mask", "Super_L": "Mod4Mask"}


class HotkeyError(DictationError):
    """The shortcut cannot be registered (taken, unknown key, no X display)."""


class X11Hotkey:
    """Args:
    chord: Such as ``"Ctrl+Alt+D"``.
    on_press, on_release: Called on the grab's own thread.
    display_name: The X display (default ``$DISPLAY``).
    """

    def __init__(
        self,
        chord: str,
        on_press: Callable[[], None],
        on_release: Callable[[], None] | None = None,
        display_name: str | None = None,
    ) -> None:
        from Xlib import XK, X, display, error

        self.chord = chord
        self.on_press, self.on_release = on_press, on_release or (lambda: None)
        try:
            mods, key = parse_chord(chord)
        except ValueError as exc:
            raise HotkeyError(f"The shortcut {chord!r} is not valid: {exc}.") from None
        try:
            self.display = display.Display(display_name)
        except (error.DisplayError, OSError) as exc:
            raise HotkeyError(f"No X display for a global shortcut: {exc}.") from None
        keysym = XK.string_to_keysym(key)
        self.keycode = self.display.keysym_to_keycode(keysym) if keysym else 0
        if not self.keycode:
            self.display.close()
            raise HotkeyError(f"The shortcut {chord!r} names a key this keyboard does not have ({key!r}).")
        self.modifiers = 0
        for m in mods:
            self.modifiers |= getattr(X, _MASKS[m])
        self.root = self.display.screen().root
        failures: list[object] = []
        catch = error.CatchError(error.BadAccess)
        for lock in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):
            self.root.grab_key(
                self.keycode, self.modifiers | lock, False, X.GrabModeAsync, X.GrabModeAsync, onerror=catch
            )
        self.display.sync()
        if catch.get_error() is not None:
            failures.append(catch.get_error())
        if failures:
            self.display.close()
            raise HotkeyError(
                f"The shortcut {chord} is already taken by another program (it grabbed the key "
                "first). Choose another in Preferences, or unbind it there."
            )
        self.root.change_attributes(event_mask=X.KeyPressMask | X.KeyReleaseMask)
        self._stop = False
        self.pressed = False
        self._thread = threading.Thread(target=self._run, name="hotkey", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from Xlib import X

        pending_release = None
        while not self._stop:
            while self.display.pending_events():
                event = self.display.next_event()
                if event.type == X.KeyPress and event.detail == self.keycode:
                    if pending_release is not None:
                        pending_release = None  # auto-repeat: release+press of a held key
                    elif not self.pressed:
                        self.pressed = True
                        self.on_press()
                elif event.type == X.KeyRelease and event.detail == self.keycode:
                    pending_release = time.monotonic()
            if pending_release is not None and time.monotonic() - pending_release > 0.03:
                pending_release = None
                self.pressed = False
                self.on_release()
            time.sleep(0.005)
        self.display.close()

    def close(self) -> None:
        from Xlib import X

        for lock in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask):
            self.root.ungrab_key(self.keycode, self.modifiers | lock)
        self.display.flush()
        self._stop = True
        self._thread.join(1.0)
