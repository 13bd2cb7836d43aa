"""A desktop notification of the app's own, over D-Bus (no Qt): where neither a tray icon nor
the overlay can show that the microphone is open (GNOME on Wayland: no tray, and a window
there cannot refuse the focus), one notification says so while dictation runs, and where the
words go; it is withdrawn when dictation ends.

The freedesktop notification server first (GNOME Shell, Plasma, mako, dunst); where none
answers, GNOME Shell's own (org.gtk.Notifications, which knows apps by their installed
``dictation-app.desktop``). Sent on a thread of its own, in order (shown, replaced, withdrawn):
a notification server may be slow or absent, and the GUI never waits. Without one nothing is
shown and nothing fails."""

from __future__ import annotations

import queue
import threading

__all__ = ["DesktopNotice"]

FDO = ("org.freedesktop.Notifications", "/org/freedesktop/Notifications", "org.freedesktop.Notifications")
GTK = ("org.gtk.Notifications", "/org/gtk/Notifications", "org.gtk.Notifications")
APP_ID = "dictation-app"  # its .desktop file's name
TIMEOUT_S = 5.0


class DesktopNotice:
    """One notification, shown (or replaced) with :meth:`show` and withdrawn with :meth:`close`."""

    def __init__(self, app_name: str = "Dictation", icon: str = "audio-input-microphone") -> None:
        self.app_name, self.icon = app_name, icon
        self.shown: tuple[str, int] | None = None  # ("fdo", its id) or ("gtk", 0) while shown
        self._jobs: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None

    def show(self, summary: str, body: str = "") -> None:
        self._put(("show", summary, body))

    def close(self) -> None:
        self._put(("close", "", ""))

    def wait(self, timeout: float = 5.0) -> None:
        """Until what was asked so far is done."""
        done = threading.Event()
        self._put(("done", done, ""))
        done.wait(timeout)

    def _put(self, job: tuple) -> None:
        self._jobs.put(job)
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="notice", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        conn = None
        try:
            while True:
                try:
                    kind, first, body = self._jobs.get(timeout=30.0)
                except queue.Empty:
                    return  # idle: the thread ends; the next job starts another
                if kind == "done":
                    first.set()
                    continue
                if kind == "close" and self.shown is None:
                    continue
                if conn is None and (conn := _connect()) is None:
                    continue  # no session bus: nowhere to show it
                if kind == "show":
                    self.shown = self._show(conn, first, body)
                else:
                    self._close(conn)
        finally:
            if conn is not None:
                conn.close()

    def _show(self, conn, summary: str, body: str) -> tuple[str, int] | None:
        replaces = self.shown[1] if self.shown and self.shown[0] == "fdo" else 0
        hints = {"transient": ("b", True), "urgency": ("y", 1), "desktop-entry": ("s", APP_ID)}
        reply = _call(
            conn, FDO, "Notify", "susssasa{sv}i", (self.app_name, replaces, self.icon, summary, body, [], hints, -1)
        )
        if reply is not None:
            return "fdo", int(reply[0])
        notification = {"title": ("s", summary), "body": ("s", body), "priority": ("s", "normal")}
        if _call(conn, GTK, "AddNotification", "ssa{sv}", (APP_ID, "microphone", notification)) is not None:
            return "gtk", 0
        return None

    def _close(self, conn) -> None:
        kind, number = self.shown
        if kind == "fdo":
            _call(conn, FDO, "CloseNotification", "u", (number,))
        else:
            _call(conn, GTK, "RemoveNotification", "ss", (APP_ID, "microphone"))
        self.shown = None


def _connect():
    try:
        from jeepney.io.blocking import open_dbus_connection

        return open_dbus_connection(bus="SESSION")
    except (ImportError, OSError, KeyError, ValueError):
        return None


def _call(conn, service: tuple[str, str, str], method: str, signature: str, body: tuple):
    """The reply's body, or None when the call failed (no such server, an error, no answer)."""
    from jeepney import DBusAddress, new_method_call

    name, path, interface = service
    call = new_method_call(DBusAddress(path, bus_name=name, interface=interface), method, signature, body)
    try:
        reply = conn.send_and_get_reply(call, timeout=TIMEOUT_S)
    except (OSError, TimeoutError):
        return None
    return reply.body if reply.header.message_type.name == "method_return" else None
