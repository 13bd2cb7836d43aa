"""The RemoteDesktop portal client against a portal that follows the specification
(org.freedesktop.portal.RemoteDesktop, version 2: Request/Response, sessions, restore tokens),
served on a private D-Bus session bus (the real KDE portal is in ``test_kde.py``); this checks
the client's side of the protocol as the specification has it: the calls, their signatures and options, the Response
handling, the restore token, the keys sent, and a user who declines."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
import time

import pytest

from dictation_app.anywhere.keys import keysym_of
from dictation_app.errors import InsertError

from desktops import need, wait_for

BUS, OBJECT = "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop"


class SpecPortal:
    """The portal's side: every call answered as the specification says."""

    def __init__(self, address: str, decline: bool = False, version: int = 2) -> None:
        from jeepney import message_bus
        from jeepney.io.blocking import Proxy, open_dbus_connection

        self.conn = open_dbus_connection(bus=address)
        Proxy(message_bus, self.conn).RequestName(BUS, 0)
        self.decline = decline
        self.version = version  # 1: no restore tokens, every Start asks (GNOME 43)
        self.ended: set[str] = set()
        self.calls: list[tuple[str, tuple]] = []
        self.keys: list[tuple[int, int]] = []
        self.closed = []
        self.session = ""
        self.starts = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                msg = self.conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            except OSError:
                return
            if msg.header.message_type.name == "method_call":
                self._answer(msg)

    def _answer(self, msg) -> None:
        from jeepney import DBusAddress, HeaderFields, new_error, new_method_return, new_signal

        member = msg.header.fields[HeaderFields.member]
        sender = msg.header.fields[HeaderFields.sender].lstrip(":").replace(".", "_")
        self.calls.append((member, msg.body))
        if member == "NotifyKeyboardKeysym":
            session, options, keysym, state = msg.body
            if session in self.ended:
                self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.AccessDenied", "s", ("Invalid session",)))
                return
            self.keys.append((keysym, state))
            self.conn.send(new_method_return(msg))
            return
        if member == "Get" and msg.body == ("org.freedesktop.portal.RemoteDesktop", "version"):
            self.conn.send(new_method_return(msg, "v", (("u", self.version),)))
            return
        if member == "Close":
            self.closed.append(msg.header.fields[HeaderFields.path])
            self.conn.send(new_method_return(msg))
            return
        if member == "Get" and msg.body == ("org.freedesktop.portal.GlobalShortcuts", "version"):
            self.conn.send(new_method_return(msg, "v", (("u", 1),)))
            return
        if member not in ("CreateSession", "SelectDevices", "Start", "BindShortcuts"):
            self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod"))
            return
        options = msg.body[-1]
        request = f"{OBJECT}/request/{sender}/{options['handle_token'][1]}"
        self.conn.send(new_method_return(msg, "o", (request,)))
        results, response = {}, 0
        if member == "CreateSession":
            results = {"session_handle": ("s", f"{OBJECT}/session/{sender}/{options['session_handle_token'][1]}")}
        elif member == "BindShortcuts":
            self.session = msg.body[0]
            ((shortcut_id, details),) = msg.body[1]
            self.preferred = details["preferred_trigger"][1]
            results = {
                "shortcuts": (
                    "a(sa{sv})",
                    [
                        (
                            shortcut_id,
                            {"description": details["description"], "trigger_description": ("s", "Ctrl+Alt+D")},
                        )
                    ],
                )
            }
        elif member == "Start":
            self.starts += 1
            response = 1 if self.decline else 0
            results = {} if self.decline else {"devices": ("u", 1)}
            if self.version >= 2 and not self.decline:
                results["restore_token"] = ("s", f"token-{self.starts}")
        emitter = DBusAddress(request, interface="org.freedesktop.portal.Request")
        self.conn.send(new_signal(emitter, "Response", "ua{sv}", (response, results)))

    def shortcut(self, member: str, shortcut_id: str = "toggle-dictation") -> None:
        """The desktop's side of a key press (Activated) or release (Deactivated)."""
        from jeepney import DBusAddress, new_signal

        emitter = DBusAddress(OBJECT, interface="org.freedesktop.portal.GlobalShortcuts")
        self.conn.send(new_signal(emitter, member, "osta{sv}", (self.session, shortcut_id, 1234, {})))

    def stop(self) -> None:
        self._stop = True
        self.thread.join(2)
        self.conn.close()


@pytest.fixture
def session_bus(tmp_path, monkeypatch):
    """A session bus of the test's own that activates nothing: the desktop's portals installed
    on this machine (test_kde.py) are not started on it."""
    need("dbus-daemon")
    address = f"unix:path={tmp_path / 'bus'}"
    config = tmp_path / "bus.conf"
    config.write_text(
        "<busconfig><type>session</type><auth>EXTERNAL</auth>"
        f"<listen>{address}</listen>"
        '<policy context="default"><allow send_destination="*" eavesdrop="true"/>'
        '<allow eavesdrop="true"/><allow own="*"/></policy></busconfig>'
    )
    daemon = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(lambda: (tmp_path / "bus").exists(), what="dbus-daemon")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    monkeypatch.setenv("DICTATION_APP_DATA_DIR", str(tmp_path / "data"))
    yield address
    daemon.terminate()
    daemon.wait(10)


def test_a_session_types_each_key_and_keeps_the_restore_token(session_bus, tmp_path):
    from dictation_app.anywhere.desktop import Desktop
    from dictation_app.anywhere.methods import PortalTyping

    portal = SpecPortal(session_bus)
    method = PortalTyping(Desktop.detect({"WAYLAND_DISPLAY": "wayland-0"}))
    try:
        assert method.problem() is None
        method.insert("naive e\n")  # characters outside ASCII are pasted (test_kde.py)
        calls = [(m, b) for m, b in portal.calls if m != "Get"]
        assert [m for m, _ in calls[:3]] == ["CreateSession", "SelectDevices", "Start"]
        select = calls[1][1]
        assert select[1]["types"] == ("u", 1) and select[1]["persist_mode"] == ("u", 2)
        assert "restore_token" not in select[1]  # the first time the desktop asks the user
        expected = [keysym_of(c) if c != "\n" else 0xFF0D for c in "naive e\n"]
        assert portal.keys == [(k, s) for k in expected for s in (1, 0)]
        token = tmp_path / "data" / "portal" / "remote-desktop.token"
        assert token.read_text() == "token-1"
        assert stat.S_IMODE(os.stat(token).st_mode) == 0o600
        method.close()
        assert len(portal.closed) == 1 and portal.closed[0].startswith(f"{OBJECT}/session/")
        # The next run restores the session: the desktop does not ask again.
        again = PortalTyping(Desktop.detect({"WAYLAND_DISPLAY": "wayland-0"}))
        again.insert("x")
        assert [b for m, b in portal.calls if m == "SelectDevices"][-1][1]["restore_token"] == ("s", "token-1")
        again.close()
    finally:
        portal.stop()


def test_where_the_desktop_cannot_remember_one_session_serves_every_dictation(session_bus):
    """RemoteDesktop version 1 (GNOME 43) gives no restore token and asks at every Start: the
    session is kept from one dictation to the next, so the user is asked once per run; if the
    user ends it (GNOME's "Stop"), the next dictation asks again."""
    from dictation_app.anywhere.desktop import Desktop
    from dictation_app.anywhere.methods import PortalTyping

    portal = SpecPortal(session_bus, version=1)
    desktop = Desktop.detect({"WAYLAND_DISPLAY": "wayland-0"})
    try:
        for word in ("one ", "two "):  # two dictations
            method = PortalTyping(desktop)
            method.insert(word)
            method.close()
        assert portal.starts == 1 and portal.closed == []
        assert [k for k, s in portal.keys if s] == [keysym_of(c) for c in "one two "]
        portal.ended.add(next(b[0] for m, b in portal.calls if m == "SelectDevices"))  # the user's "Stop"
        method = PortalTyping(desktop)
        with pytest.raises(InsertError, match="refused a key: Invalid session"):
            method.insert("three")
        method.close()
        method = PortalTyping(desktop)
        method.insert("four")
        assert portal.starts == 2 and [k for k, s in portal.keys if s][-4:] == [keysym_of(c) for c in "four"]
        method.close()
    finally:
        portal.stop()


def test_a_dictation_the_user_declined_asks_once_and_holds_the_words(session_bus):
    """Declined as the dictation starts: the words are held with the reason, and the portal's
    paste (the chain's last method) does not ask a second time."""
    from dictation_app.anywhere.delivery import Delivery, Held, Target
    from dictation_app.anywhere.desktop import Desktop
    from dictation_app.anywhere.methods import methods_for

    portal = SpecPortal(session_bus, decline=True, version=1)
    events = []
    desktop = Desktop.detect({"WAYLAND_DISPLAY": "wayland-0", "XDG_CURRENT_DESKTOP": "GNOME"})
    try:
        delivery = Delivery(methods_for(desktop), Target("gedit"), events.append)
        delivery.send("hello there")
        delivery.finish()
        assert portal.starts == 1 and portal.keys == []
        assert delivery.held_text == "hello there"
        (held,) = [e for e in events if isinstance(e, Held)]
        assert "the user declined" in held.reason, held.reason
    finally:
        portal.stop()


def test_a_user_who_declines_gets_a_clear_message(session_bus):
    from dictation_app.anywhere.portal import RemoteDesktopKeyboard

    portal = SpecPortal(session_bus, decline=True)
    try:
        with pytest.raises(InsertError, match=r"Start did not succeed \(the user declined\)"):
            RemoteDesktopKeyboard(timeout=10)
        assert portal.keys == []
    finally:
        portal.stop()


def test_no_portal_on_the_bus(session_bus):
    from dictation_app.anywhere.desktop import Desktop
    from dictation_app.anywhere.methods import PortalTyping

    problem = PortalTyping(Desktop.detect({"WAYLAND_DISPLAY": "wayland-0"})).problem()
    assert "no RemoteDesktop interface" in problem


def test_the_global_shortcut_is_bound_and_its_signals_are_press_and_release(session_bus):
    from dictation_app.anywhere.portal import GLOBAL_SHORTCUTS, GlobalShortcut, has_interface

    portal = SpecPortal(session_bus)
    presses, releases = [], []
    try:
        assert has_interface(GLOBAL_SHORTCUTS)
        hotkey = GlobalShortcut("Ctrl+Alt+D", lambda: presses.append(1), lambda: releases.append(1), timeout=10)
        assert portal.preferred == "CTRL+ALT+d" and hotkey.trigger == "Ctrl+Alt+D"
        time.sleep(0.3)  # its match rule is in place
        portal.shortcut("Activated", "someone-elses-shortcut")
        portal.shortcut("Activated")
        portal.shortcut("Activated")  # the key held: the desktop repeats it
        wait_for(lambda: presses, what="the press")
        assert not releases
        portal.shortcut("Deactivated")
        wait_for(lambda: releases, what="the release")
        assert presses == [1]  # the other application's shortcut was not ours
        hotkey.close()
        assert portal.closed == [portal.session]
    finally:
        portal.stop()


def test_no_global_shortcuts_portal_is_no_shortcut(session_bus):
    from dictation_app.anywhere.portal import GLOBAL_SHORTCUTS, has_interface

    assert not has_interface(GLOBAL_SHORTCUTS)
