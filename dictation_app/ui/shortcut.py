"""The global shortcut for the window's process: an X11 key grab, or on Wayland the
GlobalShortcuts portal where the desktop offers it (KDE, GNOME 48+), or on an older GNOME a
custom shortcut in GNOME's settings that runs ``dictation-app toggle``. Elsewhere on Wayland
nothing is bound here: the compositor binds ``dictation-app toggle`` (README, ``doctor``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from dictation_app.anywhere.desktop import Desktop, Session
from dictation_app.anywhere.gnome_shortcut import is_gnome

__all__ = ["ShortcutBinder"]


class ShortcutBinder(QObject):
    """``pressed(time)`` (perf_counter when the key went down) and ``released()``, on the GUI
    thread; ``problem(text)`` when the shortcut cannot be had.

    Args:
        post: Runs a callable on the GUI thread (the window's poster).
    """

    pressed = Signal(float)
    released = Signal()
    problem = Signal(str)

    def __init__(
        self, desktop: Desktop, post: Callable[[Callable[[], None]], None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.desktop, self.post = desktop, post
        self.hotkey = None  # X11Hotkey or GlobalShortcut: both have close()
        self._closed = False

    def bind(self, chord: str) -> None:
        """(Re)bind ``chord`` ("" unbinds)."""
        from dictation_app.anywhere.hotkey import HotkeyError, X11Hotkey

        self._release()
        if self.desktop.session == Session.WAYLAND:  # also "": GNOME's custom shortcut is taken out
            threading.Thread(target=self._bind_portal, args=(chord,), name="portal-bind", daemon=True).start()
        if not chord or self.desktop.session != Session.X11:
            return
        try:
            self.hotkey = X11Hotkey(chord, self._on_press, self._on_release, self.desktop.x_display)
        except HotkeyError as exc:
            self.problem.emit(str(exc))

    @property
    def tells_release(self) -> bool:
        """Whether the release of the chord is sure to be told (an X11 grab: the X server sends
        it; a portal may never say Deactivated)."""
        from dictation_app.anywhere.hotkey import X11Hotkey

        return isinstance(self.hotkey, X11Hotkey)

    def _on_press(self) -> None:  # on the hotkey's thread
        pressed_at = time.perf_counter()
        self.post(lambda: self.pressed.emit(pressed_at))

    def _on_release(self) -> None:
        self.post(self.released.emit)

    def _bind_portal(self, chord: str) -> None:
        from dictation_app.anywhere.hotkey import HotkeyError
        from dictation_app.anywhere.portal import GLOBAL_SHORTCUTS, GlobalShortcut, has_interface

        if not has_interface(GLOBAL_SHORTCUTS):
            if is_gnome():
                self._bind_gnome(chord)
            return
        if not chord:
            return
        try:
            hotkey = GlobalShortcut(chord, self._on_press, self._on_release)
        except HotkeyError as exc:
            self._tell(str(exc))
            return
        self.post(lambda: self._portal_bound(hotkey))

    def _bind_gnome(self, chord: str) -> None:
        """GNOME before 48: the shortcut as a custom one in GNOME's settings, running
        ``dictation-app toggle`` (its presses come to the app through the control socket)."""
        from dictation_app.anywhere import gnome_shortcut
        from dictation_app.anywhere.hotkey import HotkeyError

        try:
            if chord:
                gnome_shortcut.bind(chord)
            else:
                gnome_shortcut.unbind()
        except (HotkeyError, ValueError) as exc:
            self._tell(str(exc))

    def _tell(self, message: str) -> None:  # on a worker thread
        self.post(lambda: self.problem.emit(message))

    def _portal_bound(self, hotkey) -> None:
        if self._closed:
            hotkey.close()
            return
        self._release()
        self.hotkey = hotkey

    def _release(self) -> None:
        if self.hotkey is not None:
            self.hotkey.close()
            self.hotkey = None

    def close(self) -> None:
        self._closed = True
        self._release()
