"""The app's GNOME custom shortcut, written and read by the real ``gsettings`` with GNOME's real
schema (GLib's keyfile backend: no session bus needed; on a desktop dconf stores the same keys).
GNOME Shell running it is in ``test_gnome.py``."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from dictation_app.anywhere import gnome_shortcut
from dictation_app.anywhere.gnome_shortcut import ENTRY, SCHEMA, bind, bound, gnome_accelerator, toggle_command, unbind
from dictation_app.anywhere.hotkey import HotkeyError

USERS = "/org/gnome/settings-daemon/plugins/media-keys/custom-keybindings/custom0/"


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """GNOME's settings of a user who already made a custom shortcut of their own."""
    if shutil.which("gsettings") is None or "media-keys" not in _run("list-schemas"):
        pytest.skip("gsettings or GNOME's settings-daemon schemas are not installed (make test installs them)")
    monkeypatch.setenv("GSETTINGS_BACKEND", "keyfile")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    _run("set", SCHEMA, "custom-keybindings", f"['{USERS}']")
    _run("set", f"{SCHEMA}.custom-keybinding:{USERS}", "command", "'gnome-terminal'")
    return tmp_path


def _run(*args: str) -> str:
    return subprocess.run(["gsettings", *args], capture_output=True, text=True, check=True, timeout=10).stdout.strip()


def test_the_apps_shortcut_joins_the_users_own_and_leaves_them_alone(settings):
    command = "env 'DICTATION_APP_SOCKET=/run/a b/it\\'s.sock' /usr/bin/dictation-app toggle"
    assert bound() is None
    assert bind("Ctrl+Alt+D", command) is True
    assert bound() == ("<Control><Alt>d", command)  # read back as written, quotes and all
    assert _run("get", SCHEMA, "custom-keybindings") == f"['{USERS}', '{ENTRY}']"
    assert bind("Ctrl+Alt+D", command) is False  # already so: nothing written
    assert bind("Ctrl+Alt+Shift+F12", command) is True
    assert bound() == ("<Control><Alt><Shift>F12", command)
    assert _run("get", SCHEMA, "custom-keybindings") == f"['{USERS}', '{ENTRY}']"  # listed once
    assert unbind() is True and bound() is None
    assert _run("get", SCHEMA, "custom-keybindings") == f"['{USERS}']"
    assert _run("get", f"{SCHEMA}.custom-keybinding:{USERS}", "command") == "'gnome-terminal'"
    assert unbind() is False


def test_the_command_reaches_this_app(tmp_path):
    program = tmp_path / "bin" / "dictation-app"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    env = {"PATH": str(program.parent), "DICTATION_APP_SOCKET": "/tmp/x/control.sock"}
    assert toggle_command(env) == f"env DICTATION_APP_SOCKET=/tmp/x/control.sock {program} toggle"
    assert toggle_command({"PATH": str(tmp_path / "none")}).endswith(" -m dictation_app toggle")


def test_accelerators_as_gnome_writes_them():
    assert gnome_accelerator("Ctrl+Alt+D") == "<Control><Alt>d"
    assert gnome_accelerator("Super+Shift+F9") == "<Super><Shift>F9"
    with pytest.raises(ValueError, match="unknown modifier"):
        gnome_accelerator("Hyper+D")


def test_without_gsettings_the_message_says_what_to_do(monkeypatch):
    monkeypatch.setattr(gnome_shortcut.shutil, "which", lambda name, path=None: None)
    with pytest.raises(HotkeyError, match="Settings > Keyboard > Custom Shortcuts"):
        bind("Ctrl+Alt+D", "dictation-app toggle")


def test_a_refused_write_says_what_to_do(settings, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(settings / "not-a-folder"))
    (settings / "not-a-folder").write_text("a file where a folder should be")
    with pytest.raises(HotkeyError, match=r"cannot make GNOME's custom shortcut \(.+\); bind"):
        bind("Ctrl+Alt+D", "dictation-app toggle")


def test_a_key_gnome_uses_already_is_not_taken(settings):
    _run("set", f"{SCHEMA}.custom-keybinding:{USERS}", "binding", "'<Primary><Shift>t'")
    _run("set", f"{SCHEMA}.custom-keybinding:{USERS}", "name", "'Terminal'")
    with pytest.raises(HotkeyError, match="Ctrl\\+Shift\\+T is GNOME's shortcut for the custom shortcut 'Terminal'"):
        bind("Ctrl+Shift+T", "dictation-app toggle")
    with pytest.raises(HotkeyError, match="Alt\\+F4 is GNOME's shortcut for 'close' already"):
        bind("Alt+F4", "dictation-app toggle")  # GNOME's default for closing a window
    assert bound() is None
    assert bind("Ctrl+Alt+D", "dictation-app toggle")
