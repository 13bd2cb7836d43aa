"""The global shortcut for the window's process: an X11 key grab, or on Wayland the
GlobalShortcuts portal where the desktop offers it (KDE, GNOME 48+). Elsewhere on Wayland
nothing is bound here: the compositor binds ``dictation-app toggle`` (README, ``doctor``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from dictation_app.anywhere.desktop import Desktop, Session

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
        if chord and self.desktop.session == Session.WAYLAND:
            threading.Thread(target=self._bind_portal, args=(chord,), name="portal-bind", daemon=True).start()
        if not chord or self.desktop.session != Session.X11:
            return
        try:
            self.hotkey = X11Hotkey(chord, self._on_press, self._on_release, self.desktop.x_display)
        except HotkeyError as exc:
            self.problem.emit(str(exc))

    def _on_press(self) -> None:  # on the hotkey's thread
        pressed_at = time.perf_counter()
        self.post(lambda: self.pressed.emit(pressed_at))

    def _on_release(self) -> None:
        self.post(self.released.emit)

    def _bind_portal(self, chord: str) -> None:
        from dictation_app.anywhere.hotkey import HotkeyError
        from dictation_app.anywhere.portal import GLOBAL_SHORTCUTS, GlobalShortcut, has_interface

        if not has_interface(GLOBAL_SHORTCUTS):
            return
        try:
            hotkey = GlobalShortcut(chord, self._on_press, self._on_release)
        except HotkeyError as exc:
            message = str(exc)  # `exc` is gone once this block ends; the lambda runs later
            self.post(lambda: self.problem.emit(message))
            return
        self.post(lambda: self._portal_bound(hotkey))

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
