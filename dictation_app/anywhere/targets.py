"""Where a dictation's words go, and the delivery that takes them there (no Qt)."""

from __future__ import annotations

from collections.abc import Callable

from dictation_app.anywhere.delivery import Delivery, DeliveryEvent, Target
from dictation_app.anywhere.desktop import Desktop, Session
from dictation_app.anywhere.methods import methods_for
from dictation_app.errors import DictationError

__all__ = ["delivery_for", "focused_target"]


def focused_target(desktop: Desktop) -> Target:
    """The application that has the focus now: its X11 window (which delivery can watch), or
    on Wayland what the compositor says (sway, Hyprland), else an unnamed target."""
    if desktop.session == Session.X11:
        from dictation_app.anywhere.x11 import XKeyboard

        try:
            keyboard = XKeyboard(desktop.x_display)
        except DictationError:
            return Target("")
        try:
            focused = keyboard.focused_window()
        finally:
            keyboard.close()
        return Target(focused.app, focused.title, focused.id) if focused else Target("")
    return Target(*desktop.focused())


def delivery_for(
    desktop: Desktop,
    target: Target,
    on_event: Callable[[DeliveryEvent], None],
    method: str = "auto",
    paste_key: str = "",
) -> Delivery:
    """A delivery to ``target`` with this desktop's methods (or the forced one); on X11 it
    watches the focus, so words wait while another window has it."""
    focused = exists = cleanup = None
    if desktop.session == Session.X11 and target.window:
        from dictation_app.anywhere.x11 import XKeyboard

        try:
            watcher = XKeyboard(desktop.x_display)
        except DictationError:
            watcher = None
        if watcher is not None:
            focused = lambda: w.id if (w := watcher.focused_window()) else None  # noqa: E731
            exists, cleanup = watcher.window_exists, watcher.close
    return Delivery(methods_for(desktop, method, paste_key), target, on_event, focused, exists, cleanup)
