"""Typing through the XDG RemoteDesktop portal and the shortcut through the GlobalShortcuts
portal (GNOME, KDE), to their specifications (no Qt).

``org.freedesktop.portal.RemoteDesktop`` on the session bus: CreateSession, SelectDevices
(keyboard; ``persist_mode`` 2, with the restore token of the last session so the desktop
does not ask again), Start (the desktop asks the user once), then NotifyKeyboardKeysym per
key press and release. Each of the first three calls returns a Request object whose
``Response`` signal carries the result; the signal is subscribed to before the call, at the
path the handle token determines, as the specification advises. Where the desktop returns a
restore token (Plasma), one session lives for a dictation and the next one is restored without
asking; the token is kept owner-only in the data folder. Where it returns none (GNOME 43: the
interface's version 1, which asks at every Start), the session is kept for the app's lifetime
(:func:`keyboard_session`), so the user is asked once per run, not once per dictation.

GlobalShortcuts: CreateSession (with the shortcut too, which Plasma 5.27's
backend takes there), BindShortcuts with the preferred trigger where the session came back
without it, then the Activated / Deactivated signals are the key's press and release.

Tested against the real portal frontend and KDE backend on KWin (``tests/test_kde.py``), and
against a portal that follows the specification on a private bus (``tests/test_portal.py``).
Plasma 5.27 types a keysym only if the keyboard layout has it, and asks no question of an
application that is not sandboxed (it shows a notification instead).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from pathlib import Path

from dictation_app.anywhere.keys import keysym_for, keysym_named, parse_chord
from dictation_app.errors import InsertError
from dictation_app.fileio import open_private, private_dir, user_data_dir

__all__ = [
    "GlobalShortcut",
    "RemoteDesktopKeyboard",
    "has_interface",
    "interface_problem",
    "portal_folder",
    "portal_trigger",
]

BUS_NAME = "org.freedesktop.portal.Desktop"
OBJECT = "/org/freedesktop/portal/desktop"
REMOTE_DESKTOP = "org.freedesktop.portal.RemoteDesktop"
KEYBOARD = 1  # device type bitmask
PERSISTENT = 2  # persist_mode: until the user revokes it
ANSWERED_S = 0.5  # a Start that took longer was answered by the user in a dialog
FOCUS_BACK_S = 0.5  # then the dialog closes and the focus goes back to the user's window


def portal_folder() -> Path:
    return user_data_dir() / "portal"


def _token_file() -> Path:
    return portal_folder() / "remote-desktop.token"


class _PortalSession:
    """A connection to the session bus and the Request/Response calls of one portal interface."""

    interface = ""

    def __init__(self, timeout: float, bus: str = "SESSION") -> None:
        try:
            from jeepney import DBusAddress
            from jeepney.io.blocking import open_dbus_connection
        except ImportError as exc:
            raise InsertError(f"The desktop portal needs jeepney ({exc}): pip install jeepney") from None
        try:
            self.conn = open_dbus_connection(bus=bus)
        except (OSError, KeyError, ValueError) as exc:
            raise InsertError(f"No D-Bus session bus for the desktop portal: {exc}.") from None
        self.timeout = timeout
        self.portal = DBusAddress(OBJECT, bus_name=BUS_NAME, interface=self.interface)
        self._sender = self.conn.unique_name.lstrip(":").replace(".", "_")
        self.session = ""

    def _create_session(self, token: str = "", **options) -> dict:
        options["session_handle_token"] = ("s", token or self._token())
        results = self._request("CreateSession", "a{sv}", options)
        self.session = str(results["session_handle"][1])
        return results

    @staticmethod
    def _token() -> str:
        return "dictation_" + secrets.token_hex(6)

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
            reply = self.conn.send_and_get_reply(
                new_method_call(self.portal, method, signature, (*args, options)), timeout=self.timeout
            )
            if reply.header.message_type.name == "error":
                raise InsertError(
                    f"The {self.interface} portal refused {method}: {reply.body[0] if reply.body else ''}"
                )
            try:
                response, results = self.conn.recv_until_filtered(responses, timeout=self.timeout).body
            except TimeoutError:
                raise InsertError(
                    f"The {self.interface} portal did not answer {method} within {self.timeout:.0f} s."
                ) from None
        if response != 0:
            what = "the user declined" if response == 1 else "it was ended"
            raise InsertError(f"The {self.interface} portal's {method} did not succeed ({what}).")
        return results

    def close(self) -> None:
        from jeepney import DBusAddress, new_method_call

        try:
            if self.session:
                session = DBusAddress(self.session, bus_name=BUS_NAME, interface="org.freedesktop.portal.Session")
                self.conn.send_and_get_reply(new_method_call(session, "Close"), timeout=5.0)
        except Exception:  # the session may be gone already; closing must not fail
            pass
        self.conn.close()


class RemoteDesktopKeyboard(_PortalSession):
    """Args:
        timeout: Seconds to wait for each answer (Start waits for the user's consent).
        bus: The session bus's address ("SESSION": this process's own).

    Raises :class:`InsertError` when there is no session bus or portal, or the user declines.
    """

    interface = REMOTE_DESKTOP

    def __init__(self, timeout: float = 60.0, bus: str = "SESSION") -> None:
        super().__init__(timeout, bus)
        try:
            self._create_session()
            options = {"types": ("u", KEYBOARD), "persist_mode": ("u", PERSISTENT)}
            token = _token_file()
            if token.exists():
                options["restore_token"] = ("s", token.read_text(encoding="utf-8").strip())
            self._request("SelectDevices", "oa{sv}", options, self.session)
            asked = time.monotonic()
            started = self._request("Start", "osa{sv}", {}, self.session, "")
            if time.monotonic() - asked > ANSWERED_S:
                # The desktop asked (GNOME's dialog), which answers before its window has gone:
                # the focus is given time to go back to the user's window before any key. (A
                # precaution: the loss first blamed on it, doctor's "na" of "naïve" on GNOME 43,
                # was a paste's text arriving after later keys.)
                time.sleep(FOCUS_BACK_S)
        except InsertError:
            self.close()
            raise
        if not int(started.get("devices", ("u", 0))[1]) & KEYBOARD:
            self.close()
            raise InsertError("The desktop started a remote-desktop session without a keyboard.")
        self.remembered = "restore_token" in started  # the desktop will not ask again
        if self.remembered:
            private_dir(portal_folder())
            with open_private(token, "w", encoding="utf-8") as f:
                f.write(str(started["restore_token"][1]))

    remembered = False
    broken = False

    def type_text(self, text: str) -> None:
        # One call and its reply per key event: sent back to back (the reply awaited after),
        # GNOME 43 lost letters ("thre" for "there") and a Ctrl of Ctrl+V, as if the calls
        # overtook one another on their way. The cost: a release comes a round trip after its
        # press, and where that takes longer than the key-repeat delay (0.5 s, a loaded
        # machine) the application repeats the key.
        for char in text:
            keysym = keysym_for(char)
            self.key(keysym, 1)
            self.key(keysym, 0)

    def press_chord(self, chord: str) -> None:
        """Press and release a chord such as ``Ctrl+V`` (modifiers down first, up last)."""
        mods, key = parse_chord(chord)
        keysyms = [keysym_named(m) for m in mods] + [keysym_named(key)]
        for keysym in keysyms:
            self.key(keysym, 1)
        for keysym in reversed(keysyms):
            self.key(keysym, 0)

    def key(self, keysym: int, state: int) -> None:
        """Press (``state`` 1) or release (0) one key."""
        from jeepney import new_method_call

        call = new_method_call(self.portal, "NotifyKeyboardKeysym", "oa{sv}iu", (self.session, {}, keysym, state))
        try:
            reply = self.conn.send_and_get_reply(call, timeout=self.timeout)
        except (OSError, TimeoutError) as exc:
            self.broken = True
            raise InsertError(f"The RemoteDesktop portal did not take a key: {exc}.") from None
        if reply.header.message_type.name == "error":
            self.broken = True  # the user ended the session (GNOME's "Stop"), or the portal restarted
            raise InsertError(f"The RemoteDesktop portal refused a key: {reply.body[0] if reply.body else ''}")


_kept: dict[str, RemoteDesktopKeyboard] = {}  # by session bus address
_kept_lock = threading.Lock()


def keyboard_session(timeout: float = 60.0) -> RemoteDesktopKeyboard:
    """The portal keyboard for a dictation: the session kept from an earlier one where the
    desktop could not remember the user's consent (and it still works), else a new session
    (which may ask the user). Give it back with :func:`release_keyboard`."""
    bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    with _kept_lock:
        kept = _kept.pop(bus, None)
        if kept is not None and not kept.broken:
            _kept[bus] = kept
            return kept
        if kept is not None:
            kept.close()
        keyboard = RemoteDesktopKeyboard(timeout)
        if not keyboard.remembered:
            _kept[bus] = keyboard
        return keyboard


def release_keyboard(keyboard: RemoteDesktopKeyboard) -> None:
    """The end of a dictation: a kept session stays open (the desktop ends it when the app
    exits and its bus connection closes); another one, or a broken one, is closed."""
    with _kept_lock:
        kept = [bus for bus, k in _kept.items() if k is keyboard]
        if kept and not keyboard.broken:
            return
        for bus in kept:
            del _kept[bus]
    keyboard.close()


GLOBAL_SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
SHORTCUT_ID = "toggle-dictation"
SHORTCUT_SESSION = "dictation_app_shortcut"
REPEAT_GAP_S = 1.5  # Activated again within this while held is the key repeating (KDE: from 0.6 s)
_TRIGGER_MODIFIERS = {
    "ctrl": "CTRL",
    "control": "CTRL",
    "alt": "ALT",
    "shift": "SHIFT",
    "super": "LOGO",
    "meta": "LOGO",
    "win": "LOGO",
}


def portal_trigger(chord: str) -> str:
    """``Ctrl+Alt+D`` as the XDG shortcuts specification writes a trigger: ``CTRL+ALT+d``."""
    *mods, key = [p.strip() for p in chord.split("+") if p.strip()]
    return "+".join(
        [_TRIGGER_MODIFIERS.get(m.lower(), m.upper()) for m in mods] + [key.lower() if len(key) == 1 else key]
    )


_WHO_HAS = {
    REMOTE_DESKTOP: "RemoteDesktop interface (wlroots compositors do not; GNOME and KDE do)",
    GLOBAL_SHORTCUTS: "GlobalShortcuts interface (KDE and GNOME 48+ do)",
}


def interface_problem(interface: str) -> str | None:
    """Why the session bus's desktop portal cannot serve ``interface`` (asked through its
    ``version`` property, which opens no session), or None when it can."""
    try:
        from jeepney import DBusAddress, Properties
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return "jeepney is not installed (pip install jeepney)"
    try:
        with open_dbus_connection(bus="SESSION") as conn:
            address = DBusAddress(OBJECT, bus_name=BUS_NAME, interface=interface)
            reply = conn.send_and_get_reply(Properties(address).get("version"), timeout=3.0)
    except (OSError, KeyError, ValueError, TimeoutError) as exc:
        return f"no D-Bus session bus ({exc})"
    if reply.header.message_type.name == "error":
        return f"this desktop's portal has no {_WHO_HAS.get(interface, interface)}"
    return None


def has_interface(interface: str) -> bool:
    """Whether the session bus's desktop portal offers ``interface``."""
    return interface_problem(interface) is None


class GlobalShortcut(_PortalSession):
    """The shortcut on Wayland desktops whose portal offers GlobalShortcuts (KDE, GNOME 48+):
    bound once (the desktop may ask the user to confirm or change the key), then its
    Activated and Deactivated signals are press and release.

    Args:
        chord: The preferred trigger, such as ``"Ctrl+Alt+D"`` (the desktop decides).
        on_press, on_release: Called on the listening thread.

    Raises :class:`~dictation_app.anywhere.hotkey.HotkeyError` when it cannot be bound.
    """

    interface = GLOBAL_SHORTCUTS

    def __init__(self, chord: str, on_press, on_release=None, timeout: float = 60.0) -> None:
        from dictation_app.anywhere.hotkey import HotkeyError

        self.on_press, self.on_release = on_press, on_release or (lambda: None)
        shortcut = (
            SHORTCUT_ID,
            {"description": ("s", "Start or stop dictation"), "preferred_trigger": ("s", portal_trigger(chord))},
        )
        try:
            super().__init__(timeout)
            # Plasma 5.27's portal takes the shortcuts when the session is created (an early
            # draft of the interface) and answers BindShortcuts by opening System Settings;
            # the specification's BindShortcuts is asked only where the session came back
            # without them. Other portals ignore the extra option. The session's token is the
            # same every run: Plasma names its shortcut component after it, and a new name
            # each run would leave the key with the last run's component (bound, never fired).
            created = self._create_session(SHORTCUT_SESSION, shortcuts=("a(sa{sv})", [shortcut]))
            bound = _shortcuts(created)
            if SHORTCUT_ID not in bound:
                bound = _shortcuts(self._request("BindShortcuts", "oa(sa{sv})sa{sv}", {}, self.session, [shortcut], ""))
        except InsertError as exc:
            if getattr(self, "conn", None) is not None:
                super().close()
            raise HotkeyError(str(exc)) from None
        if SHORTCUT_ID not in bound:
            super().close()
            raise HotkeyError("The desktop did not bind the dictation shortcut.")
        described = bound[SHORTCUT_ID].get("trigger_description")
        self.trigger = str(described[1]) if described else chord
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="portal-shortcut", daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        from jeepney import HeaderFields, MatchRule, message_bus
        from jeepney.io.blocking import Proxy

        rule = MatchRule(type="signal", interface=GLOBAL_SHORTCUTS, path=OBJECT)
        Proxy(message_bus, self.conn).AddMatch(rule)
        # A key held down repeats Activated (Plasma, about 25 a second): one press until its
        # release; a desktop that never said Deactivated still gets the next real press.
        down, last = False, 0.0
        with self.conn.filter(rule, bufsize=64) as signals:
            while not self._stop.is_set():
                try:
                    msg = self.conn.recv_until_filtered(signals, timeout=0.2)
                except TimeoutError:
                    continue
                except OSError:
                    return
                session, shortcut = msg.body[0], msg.body[1]
                if session != self.session or shortcut != SHORTCUT_ID:
                    continue
                member = msg.header.fields[HeaderFields.member]
                if member == "Activated":
                    repeat = down and time.monotonic() - last < REPEAT_GAP_S
                    down, last = True, time.monotonic()
                    if not repeat:
                        self.on_press()
                elif member == "Deactivated" and down:
                    down = False
                    self.on_release()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2.0)
        super().close()


def _shortcuts(results: dict) -> dict:
    """The ``shortcuts`` of a portal answer as {id: details}."""
    shortcuts = results.get("shortcuts")
    return dict(shortcuts[1]) if shortcuts else {}
