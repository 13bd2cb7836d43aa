"""The app's own notification (``anywhere/notice.py``) through a real freedesktop notification
server: dunst on the test X display with a session bus of its own. GNOME Shell's own server
(org.gtk.Notifications) is exercised in ``test_gnome.py``."""

from __future__ import annotations

import subprocess

import pytest

from dictation_app.anywhere.notice import DesktopNotice

from desktops import EMPTY_BUS, _end_group, _session_bus, need, wait_for


@pytest.fixture
def dunst(x11, tmp_path, monkeypatch):
    need("dunst", "dunstctl", "dbus-daemon")
    env = {**x11, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    bus, address = _session_bus(env)
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    server = subprocess.Popen(["dunst"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    try:
        wait_for(lambda: _displayed(env) == 0, 20, "dunst on the bus")
        yield env
    finally:
        server.terminate()
        server.wait(timeout=10)
        _end_group(bus)


def _displayed(env: dict) -> int | None:
    done = subprocess.run(["dunstctl", "count", "displayed"], env=env, capture_output=True, text=True, timeout=5)
    return int(done.stdout) if done.returncode == 0 and done.stdout.strip().isdigit() else None


def test_shown_replaced_and_withdrawn(dunst):
    notice = DesktopNotice()
    notice.show("Dictation: microphone on", "Words go into xterm.")
    notice.wait()
    kind, number = notice.shown
    assert kind == "fdo" and number > 0
    assert _displayed(dunst) == 1
    notice.show("Dictation: microphone on", "Words go into the focused window.")
    notice.wait()
    assert notice.shown == ("fdo", number) and _displayed(dunst) == 1  # replaced, not a second one
    notice.close()
    notice.wait()
    assert notice.shown is None
    wait_for(lambda: _displayed(dunst) == 0, 5, "the notification withdrawn")


def test_without_a_server_nothing_is_shown_and_nothing_fails(x11, tmp_path, monkeypatch):
    (tmp_path / "bus.conf").write_text(EMPTY_BUS)  # no services: none to start on demand either
    bus, address = _session_bus({**x11, "HOME": str(tmp_path)}, tmp_path / "bus.conf")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    try:
        notice = DesktopNotice()
        notice.show("Dictation: microphone on", "Words go into xterm.")
        notice.wait()
        assert notice.shown is None
        notice.close()
        notice.wait()
    finally:
        _end_group(bus)
