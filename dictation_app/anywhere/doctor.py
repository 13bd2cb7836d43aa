"""``dictation-app doctor``: what this desktop offers for dictating into other applications, and
a live check that each way of typing really puts ``naïve café — 25 °C, Zürich`` into a text
field of its own (no Qt here: the field runs in a child process)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from dictation_app.anywhere.desktop import Desktop, Session
from dictation_app.anywhere.methods import Method, methods_for
from dictation_app.errors import InsertError
from dictation_app.system import app_command

__all__ = ["CHECK_TEXT", "Report", "diagnose", "live_check"]

CHECK_TEXT = "naïve café — 25 °C, Zürich"


@dataclass
class Report:
    desktop: Desktop
    lines: list[str] = field(default_factory=list)
    can_insert: bool = False

    def add(self, verdict: str, what: str, detail: str = "") -> None:
        self.lines.append(f"{verdict:<5} {what}" + (f": {detail}" if detail else ""))

    def text(self) -> str:
        return "\n".join(self.lines)


def live_check(method: Method, timeout: float = 10.0) -> str | None:
    """Insert :data:`CHECK_TEXT` with ``method`` into a field of its own; None when it came back
    exactly, else what went wrong."""
    out = Path(tempfile.mkdtemp(prefix="dictation-app-doctor-")) / "field.txt"
    env = dict(os.environ)
    if env.get("QT_QPA_PLATFORM") in ("offscreen", "minimal"):
        del env["QT_QPA_PLATFORM"]  # the field must be a window on this desktop to get keys
    child = subprocess.Popen(
        app_command("doctor", "--probe-field", str(out)),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = child.stdout.readline().strip()
        if ready != "ready":
            err = child.stderr.read().strip().splitlines()
            return f"the test field did not open ({err[-1] if err else 'no window'})"
        try:
            method.insert(CHECK_TEXT, "dictation-app")
        except InsertError as exc:
            return str(exc)
        got = _settled_text(out, timeout)
        return None if got == CHECK_TEXT else f"the field received {got!r}"
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        out.unlink(missing_ok=True)
        out.parent.rmdir()


def _settled_text(out: Path, timeout: float) -> str:
    """What the field holds once it has the check text, or has not changed for a second."""
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        got = out.read_text(encoding="utf-8") if out.exists() else ""
        if got == CHECK_TEXT:
            return got
        if got != last:
            last, since = got, time.monotonic()
        elif time.monotonic() - since > 1.0:
            break
        time.sleep(0.02)
    return last or ""


def diagnose(live: bool = True, desktop: Desktop | None = None) -> Report:
    desktop = desktop or Desktop.detect()
    report = Report(desktop)
    if desktop.session == Session.NONE:
        report.add(
            "FAIL",
            "display",
            "none (DISPLAY and WAYLAND_DISPLAY are unset): dictation into other "
            "applications needs a desktop session; 'dictation-app listen' and the window's editor still work",
        )
        return report
    where = desktop.compositor or "desktop not named in XDG_CURRENT_DESKTOP"
    report.add("info", "session", f"{desktop.session} ({where})")
    _shortcut_lines(report, desktop)
    for method in methods_for(desktop):
        problem = method.problem()
        if problem:
            report.add("FAIL", f"{method.name} ({method.kind})", problem)
            continue
        if not live:
            report.add("ok", f"{method.name} ({method.kind})", "present (not checked live)")
            report.can_insert = True
            continue
        try:
            method.prepare()  # the desktop's question, where it asks, before the field has the focus
        except InsertError as exc:
            report.add("FAIL", f"{method.name} ({method.kind})", str(exc))
            method.close()
            continue
        failure = live_check(method)
        method.close()
        if failure:
            report.add("FAIL", f"{method.name} ({method.kind})", failure)
        else:
            report.add("ok", f"{method.name} ({method.kind})", f"inserted {CHECK_TEXT!r} and read it back intact")
            report.can_insert = True
    report.add(
        "ok" if report.can_insert else "FAIL",
        "verdict",
        "dictation can type into other applications here"
        if report.can_insert
        else "no way to type into other applications works here; words stay in the window and the journal",
    )
    return report


def _shortcut_lines(report: Report, desktop: Desktop) -> None:
    if desktop.session == Session.X11:
        report.add(
            "ok",
            "global shortcut",
            "X11 key grab (set it in Preferences; default Ctrl+Alt+D), "
            "or bind 'dictation-app toggle' in your desktop's keyboard settings",
        )
        return
    from dictation_app.anywhere.portal import GLOBAL_SHORTCUTS, has_interface

    if has_interface(GLOBAL_SHORTCUTS):
        report.add(
            "ok",
            "global shortcut",
            "the GlobalShortcuts portal: the app binds its shortcut there (the desktop may ask once, "
            "or list it in its shortcut settings to change); or bind 'dictation-app toggle' in the keyboard settings",
        )
        return
    from dictation_app.anywhere import gnome_shortcut

    if gnome_shortcut.is_gnome():
        report.add(*_gnome_shortcut_line())
        return
    binding = {
        "sway": "bindsym $mod+d exec dictation-app toggle  (in ~/.config/sway/config)",
        "Hyprland": "bind = SUPER, D, exec, dictation-app toggle  (in hyprland.conf)",
    }
    how = binding.get(
        desktop.compositor, "your desktop's keyboard settings: a custom shortcut running 'dictation-app toggle'"
    )
    report.add(
        "info",
        "global shortcut",
        f"Wayland has no key grabs and this desktop's portal has no GlobalShortcuts; bind it in {how}",
    )


def _gnome_shortcut_line() -> tuple[str, str, str]:
    from dictation_app.anywhere import gnome_shortcut
    from dictation_app.anywhere.hotkey import HotkeyError

    try:
        bound = gnome_shortcut.bound()
    except HotkeyError as exc:
        return "FAIL", "global shortcut", str(exc)
    if bound is None:
        return (
            "info",
            "global shortcut",
            "GNOME's portal has no GlobalShortcuts (before GNOME 48): the app makes a custom shortcut in "
            "GNOME's settings for Preferences' shortcut when it starts (none now; or make one in "
            "Settings > Keyboard > Custom Shortcuts running 'dictation-app toggle')",
        )
    accelerator, command = bound
    return (
        "ok",
        "global shortcut",
        f"GNOME custom shortcut {accelerator} runs {command!r} (Settings > Keyboard > Custom Shortcuts; "
        "it starts and stops dictation: GNOME tells no key release, so no push-to-talk)",
    )
