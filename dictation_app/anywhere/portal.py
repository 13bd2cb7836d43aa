"""Typing through the XDG RemoteDesktop portal (GNOME, KDE), to its specification (no Qt).

``org.freedesktop.portal.RemoteDesktop`` on the session bus: CreateSession, SelectDevices
(keyboard; ``persist_mode`` 2, with the restore token of the last session so the desktop
does not ask again), Start (the desktop asks the user once), then NotifyKeyboardKeysym per
key press and release. Each of the first three calls returns a Request object whose
``Response`` signal carries the result; the signal is subscribed to before the call, at the
path the handle token determines, as the specification advises. One session lives for a
dictation; the next one is restored without asking. The restore token is kept owner-only in the data folder; a marker beside it
records that the portal has typed here once (``doctor`` says "not yet seen working on this
desktop" until then).

Written to the specification and tested against a portal that follows it on a private bus
(``tests/test_portal.py``); no GNOME or KDE session runs where this was written.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from dictation_app.anywhere.x11 import InsertError, keysym_of
from dictation_app.fileio import open_private, private_dir, user_data_dir

__all__ = ["RemoteDesktopKeyboard", "portal_folder", "seen_working"]

BUS_NAME = "org.freedesktop.portal.Desktop"
OBJECT = "/org/freedesktop/portal/desktop"
REMOTE_DESKTOP = "org.freedesktop.portal.RemoteDesktop"
KEYBOARD = 1  # device type bitmask
PERSISTENT = 2  # persist_mode: until the user revokes it
_SPECIAL = {"\n": 0xFF0D, "\t": 0xFF09, "\b": 0xFF08}


def portal_folder() -> Path:
    return user_data_dir() / "portal"


def seen_working() -> bool:
    return (portal_folder() / "remote-desktop-works").exists()


class RemoteDesktopKeyboard:
    """Args:
        timeout: Seconds to wait for each answer (Start waits for the user's consent).

    Raises :class:`InsertError` when there is no session bus or portal, or the user declines.
    """

    def __init__(self, timeout: float = 60.0) -> None:
        try:
            from jeepney import DBusAddress
            from jeepney.io.blocking import open_dbus_connection
        except ImportError as exc:
            raise InsertError(f"The RemoteDesktop portal needs jeepney ({exc}): pip install jeepney") from None
        try:
            self.conn = open_dbus_connection(bus="SESSION")
        except (OSError, KeyError, ValueError) as exc:
            raise InsertError(f"No D-Bus session bus for the RemoteDesktop portal: {exc}.") from None
        self.timeout = timeout
        self.portal = DBusAddress(OBJECT, bus_name=BUS_NAME, interface=REMOTE_DESKTOP)
        self._sender = self.conn.unique_name.lstrip(":").replace(".", "_")
        try:
            results = self._request("CreateSession", "a{sv}", {"session_handle_token": ("s", self._token())})
            self.session = str(results["session_handle"][1])
            options = {"types": ("u", KEYBOARD), "persist_mode": ("u", PERSISTENT)}
            token = self._token_file()
            if token.exists():
                options["restore_token"] = ("s", token.read_text(encoding="utf-8").strip())
            self._request("SelectDevices", "oa{sv}", options, self.session)
            started = self._request("Start", "osa{sv}", {}, self.session, "")
        except InsertError:
            self.conn.close()
            raise
        if not int(started.get("devices", ("u", 0))[1]) & KEYBOARD:
            self.close()
            raise InsertError("The desktop started a remote-desktop session without a keyboard.")
        if "restore_token" in started:
            private_dir(portal_folder())
            with open_private(token, "w", encoding="utf-8") as f:
                f.write(str(started["restore_token"][1]))

    @staticmethod
    def _token() -> str:
        return "dictation_" + secrets.token_hex(6)

    @staticmethod
    def _token_file() -> Path:
        return portal_folder() / "remote-desktop.token"

    def _request(self, method: str, signature: str, options: dict, *args) -> dict:
        """Call a portal method that answers through a Request's Response signal."""
        from jeepney import MatchRule, message_bus, new_method_call
        from jeepney.io.blocking import Proxy

        token = self._token()
        options = {**options, "handle_token": ("s", token)}
        path = f"{OBJECT}/request/{self._sender}/{token}"
        rule = MatchRule(type="signal", interface="org.freedesktop.portal.Request", member="Response", path=path)
        Proxy(message_bus, self.conn).AddMatch(rule)
        with self.conn.filter(rule) as responses:
            reply = self.conn.send_and_get_reply(new_method_call(self.portal, method, signature, (*args, options)),
                                                 timeout=self.timeout)
            if reply.header.message_type.name == "error":
                raise InsertError(f"The RemoteDesktop portal refused {method}: {reply.body[0] if reply.body else ''}")
            try:
                response, results = self.conn.recv_until_filtered(responses, timeout=self.timeout).body
            except TimeoutError:
                raise InsertError(f"The RemoteDesktop portal did not answer {method} within "
                                  f"{self.timeout:.0f} s.") from None
        if response != 0:
            what = "the user declined" if response == 1 else "it was ended"
            raise InsertError(f"The RemoteDesktop portal's {method} did not succeed ({what}).")
        return results

    def type_text(self, text: str) -> None:
        from jeepney import new_method_call

        for char in text:
            keysym = _SPECIAL.get(char) or keysym_of(char)
            for state in (1, 0):
                call = new_method_call(self.portal, "NotifyKeyboardKeysym", "oa{sv}iu", (self.session, {}, keysym, state))
                reply = self.conn.send_and_get_reply(call, timeout=self.timeout)
                if reply.header.message_type.name == "error":
                    raise InsertError(f"The RemoteDesktop portal refused a key: {reply.body[0] if reply.body else ''}")
        marker = portal_folder() / "remote-desktop-works"
        if not marker.exists():
            private_dir(portal_folder())
            open_private(marker, "w").close()

    def close(self) -> None:
        from jeepney import DBusAddress, new_method_call

        try:
            session = DBusAddress(self.session, bus_name=BUS_NAME, interface="org.freedesktop.portal.Session")
            self.conn.send_and_get_reply(new_method_call(session, "Close"), timeout=5.0)
        except Exception:  # the session may be gone already; closing must not fail
            pass
        self.conn.close()
