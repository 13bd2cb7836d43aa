"""Which desktop the app runs on: X11, Wayland (and which compositor), or none (no Qt)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from enum import Enum

__all__ = ["Desktop", "Session"]


class Session(str, Enum):
    """The kind of desktop session (a ``str``: it compares equal to its value)."""

    WAYLAND = "wayland"
    X11 = "x11"
    NONE = "none"  # no display at all

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Desktop:
    """Attributes:
    session: "wayland", "x11" or "none" (no display at all).
    compositor: "sway", "Hyprland", "GNOME", "KDE", ... or "" when unknown.
    x_display: ``$DISPLAY`` ("" when unset; under Wayland it is XWayland's).
    wayland_display: ``$WAYLAND_DISPLAY`` ("" when unset).
    """

    session: Session
    compositor: str
    x_display: str
    wayland_display: str

    @classmethod
    def detect(cls, environ: dict[str, str] | None = None) -> Desktop:
        env = os.environ if environ is None else environ
        wayland, x11 = env.get("WAYLAND_DISPLAY", ""), env.get("DISPLAY", "")
        kind = env.get("XDG_SESSION_TYPE", "")
        if wayland and kind != "x11":
            session = Session.WAYLAND
        elif x11:
            session = Session.X11
        else:
            session = Session.NONE
        if env.get("SWAYSOCK"):
            compositor = "sway"
        elif env.get("HYPRLAND_INSTANCE_SIGNATURE"):
            compositor = "Hyprland"
        else:
            compositor = env.get("XDG_CURRENT_DESKTOP", "").split(":")[0]
        return cls(session, compositor, x11, wayland)

    @property
    def tiling(self) -> bool:
        """A tiling compositor (sway, Hyprland): a new window is placed and focused, and none
        can be minimized."""
        return self.compositor in ("sway", "Hyprland")

    def focused_app(self) -> str:
        """The focused application's id on a Wayland compositor that tells (sway, Hyprland),
        else "" (X11 asks the X server: :meth:`XKeyboard.focused_window`)."""
        return self.focused()[0]

    def focused(self) -> tuple[str, str]:
        """(application id, window title) of the focused window where the compositor tells."""
        try:
            if self.compositor == "sway" and shutil.which("swaymsg"):
                tree = json.loads(
                    subprocess.run(["swaymsg", "-t", "get_tree"], capture_output=True, timeout=1.0).stdout or b"{}"
                )
                return _sway_focused(tree) or ("", "")
            if self.compositor == "Hyprland" and shutil.which("hyprctl"):
                info = json.loads(
                    subprocess.run(["hyprctl", "activewindow", "-j"], capture_output=True, timeout=1.0).stdout or b"{}"
                )
                return str(info.get("class", "")), str(info.get("title", ""))
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
        return "", ""


def _sway_focused(node: dict) -> tuple[str, str] | None:
    if node.get("focused") and node.get("type") in ("con", "floating_con"):
        app = node.get("app_id") or (node.get("window_properties") or {}).get("class") or ""
        return str(app), str(node.get("name") or "")
    for child in node.get("nodes", []) + node.get("floating_nodes", []):
        found = _sway_focused(child)
        if found:
            return found
    return None
