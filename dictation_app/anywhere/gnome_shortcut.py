"""The shortcut on GNOME before 48, whose portal has no GlobalShortcuts: a custom keyboard
shortcut in GNOME's own settings, the very entry a user makes in Settings > Keyboard > Custom
Shortcuts, running ``dictation-app toggle``; GNOME's settings daemon has the shell grab it.

The app's entry is one custom shortcut among the user's (a path of its own in the list; the
others are left as they are), and it stays when the app quits: pressed then, ``toggle`` starts
the app. Read and written with ``gsettings`` (GLib's tool, on every GNOME; no Qt, no PyGObject).
Pressed, GNOME runs the command once (no release): push-to-talk cannot work this way."""

from __future__ import annotations

import ast
import os
import shlex
import shutil
import subprocess
import sys

from dictation_app.anywhere.hotkey import HotkeyError
from dictation_app.anywhere.keys import parse_chord

__all__ = ["bind", "bound", "gnome_accelerator", "is_gnome", "toggle_command", "unbind"]

SCHEMA = "org.gnome.settings-daemon.plugins.media-keys"
ENTRY_SCHEMA = f"{SCHEMA}.custom-keybinding"
ENTRY = f"/{SCHEMA.replace('.', '/')}/custom-keybindings/dictation-app/"
NAME = "Dictation (start or stop)"
_ACCELERATOR_MODIFIERS = {"Control_L": "<Control>", "Shift_L": "<Shift>", "Alt_L": "<Alt>", "Super_L": "<Super>"}
#: the app's own environment a shortcut's command must keep to reach this app's control socket
_KEPT = ("DICTATION_APP_SOCKET",)


def is_gnome(environ: dict[str, str] | None = None) -> bool:
    """GNOME, also as Ubuntu names it (``ubuntu:GNOME``)."""
    env = os.environ if environ is None else environ
    return "GNOME" in env.get("XDG_CURRENT_DESKTOP", "").split(":")


def gnome_accelerator(chord: str) -> str:
    """``Ctrl+Alt+D`` as GNOME writes an accelerator: ``<Control><Alt>d``."""
    modifiers, key = parse_chord(chord)
    return "".join(_ACCELERATOR_MODIFIERS[m] for m in modifiers) + key


def toggle_command(environ: dict[str, str] | None = None) -> str:
    """``dictation-app toggle`` as this installation runs it (the installed command, else this
    Python with the module), keeping a control socket set in the environment."""
    env = os.environ if environ is None else environ
    program = shutil.which("dictation-app", path=env.get("PATH"))
    argv = [program] if program else [sys.executable, "-m", "dictation_app"]
    kept = [f"{k}={env[k]}" for k in _KEPT if env.get(k)]
    return shlex.join((["env", *kept] if kept else []) + [*argv, "toggle"])


def bound() -> tuple[str, str] | None:
    """(accelerator, command) of the app's custom shortcut, or None when it has none."""
    return _bound(_entries())


def _bound(entries: list[str]) -> tuple[str, str] | None:
    if ENTRY not in entries:
        return None
    return _get(f"{ENTRY_SCHEMA}:{ENTRY}", "binding"), _get(f"{ENTRY_SCHEMA}:{ENTRY}", "command")


def bind(chord: str, command: str | None = None) -> bool:
    """Make (or update) the app's custom shortcut: ``chord`` runs ``command`` (default
    :func:`toggle_command`). Returns False when it was already so (nothing written)."""
    accelerator, command = gnome_accelerator(chord), command or toggle_command()
    entries = _entries()
    if _bound(entries) == (accelerator, command):
        return False
    taken = taken_by(accelerator, entries)
    if taken:
        raise HotkeyError(f"{chord} is GNOME's shortcut for {taken} already; choose another in Preferences")
    where = f"{ENTRY_SCHEMA}:{ENTRY}"
    _set(where, "name", _text(NAME))
    _set(where, "command", _text(command))
    _set(where, "binding", _text(accelerator))
    if ENTRY not in entries:  # listed last: the settings daemon reads the entry when listed
        _set(SCHEMA, "custom-keybindings", _list(entries + [ENTRY]))
    return True


def taken_by(accelerator: str, entries: list[str]) -> str | None:
    """What GNOME does with ``accelerator`` already (a window-manager, shell or media key, or
    another of the custom shortcuts ``entries``), named; None when it is free."""
    wanted = _normal(accelerator)
    for schema in _BUILT_IN:
        for line in _gsettings("list-recursively", schema).splitlines():
            _, key, value = (line.split(" ", 2) + ["", ""])[:3]
            if any(_normal(a) == wanted for a in _strings(value) if a):
                return f"'{key}'"
    for entry in entries:
        if entry != ENTRY and _normal(_get(f"{ENTRY_SCHEMA}:{entry}", "binding")) == wanted:
            return f"the custom shortcut '{_get(f'{ENTRY_SCHEMA}:{entry}', 'name')}'"
    return None


_BUILT_IN = ("org.gnome.desktop.wm.keybindings", "org.gnome.shell.keybindings", SCHEMA)


def _normal(accelerator: str) -> tuple[frozenset[str], str]:
    """An accelerator compared as GTK does: modifiers in any order and case, <Primary> and
    <Ctrl> being <Control>; a letter key in either case."""
    modifiers, rest = set(), accelerator.strip()
    while rest.startswith("<") and ">" in rest:
        name, rest = rest[1 : rest.index(">")].lower(), rest[rest.index(">") + 1 :]
        modifiers.add({"primary": "control", "ctrl": "control"}.get(name, name))
    return frozenset(modifiers), rest.lower()


def unbind() -> bool:
    """Take the app's custom shortcut out of the list (the user's own stay). Returns False when
    there was none."""
    entries = _entries()
    if ENTRY not in entries:
        return False
    _set(SCHEMA, "custom-keybindings", _list([e for e in entries if e != ENTRY]))
    for key in ("name", "command", "binding"):
        _gsettings("reset", f"{ENTRY_SCHEMA}:{ENTRY}", key)
    return True


def _entries() -> list[str]:
    return _strings(_gsettings("get", SCHEMA, "custom-keybindings") or "[]")


def _get(where: str, key: str) -> str:
    value = _gsettings("get", where, key)
    return _strings(value)[0] if value[:1] in ("'", '"') else value


def _set(where: str, key: str, value: str) -> None:
    _gsettings("set", where, key, value)


def _gsettings(*args: str) -> str:
    if shutil.which("gsettings") is None:
        raise HotkeyError(
            "cannot make GNOME's custom shortcut: 'gsettings' is not installed (package libglib2.0-bin); "
            "bind 'dictation-app toggle' in Settings > Keyboard > Custom Shortcuts"
        )
    try:
        done = subprocess.run(["gsettings", *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HotkeyError(f"cannot make GNOME's custom shortcut: gsettings: {exc}") from exc
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit status {done.returncode}"
        raise HotkeyError(
            f"cannot make GNOME's custom shortcut ({said}); "
            "bind 'dictation-app toggle' in Settings > Keyboard > Custom Shortcuts"
        )
    return done.stdout.strip()


def _text(value: str) -> str:
    """A string in GVariant text form (what gsettings reads)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _list(values: list[str]) -> str:
    return "[" + ", ".join(_text(v) for v in values) + "]"


def _strings(text: str) -> list[str]:
    """The strings of a GVariant text (``'a'``, ``['a', "b's"]`` or ``@as []``; gsettings
    writes strings as Python does); none for other values."""
    try:
        value = ast.literal_eval(text.removeprefix("@as "))
    except (ValueError, SyntaxError):
        return []  # not strings (a number, a boolean)
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [v for v in values if isinstance(v, str)]
