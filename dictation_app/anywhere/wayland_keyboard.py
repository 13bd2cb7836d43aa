"""Typing on wlroots compositors (sway, Hyprland, river, ...) through the virtual-keyboard
protocol (``zwp_virtual_keyboard_manager_v1``), spoken directly over the Wayland socket (no Qt,
no library).

wtype does the same per run, but sleeps 2 ms after every key event and makes a new keyboard
each time (a 30-character commit took 150 ms here, and a client that binds the new keyboard
late loses the first key). Here one keyboard lives for a dictation; its keymap holds every
character typed so far, one keycode each, and is uploaded again only when a new character
appears. After each piece of text a ``wl_display.sync`` round trip confirms that the
compositor has taken every key event.
"""

from __future__ import annotations

import array
import os
import socket
import struct
import tempfile
import threading
from pathlib import Path

from dictation_app.anywhere.keys import keysym_for
from dictation_app.errors import InsertError

__all__ = ["WaylandKeyboard"]

_DISPLAY_ID, _REGISTRY_ID = 1, 2


def _string(text: str) -> bytes:
    data = text.encode("utf-8") + b"\0"
    return struct.pack("<I", len(data)) + data + b"\0" * (-len(data) % 4)


class WaylandKeyboard:
    """Args:
        display: ``$WAYLAND_DISPLAY`` (a name in ``$XDG_RUNTIME_DIR``, or an absolute path).

    Raises :class:`InsertError` when there is no compositor or it has no virtual keyboards.
    """

    def __init__(self, display: str | None = None) -> None:
        name = display or os.environ.get("WAYLAND_DISPLAY") or "wayland-0"
        path = Path(name) if name.startswith("/") else Path(os.environ.get("XDG_RUNTIME_DIR", "")) / name
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(2.0)
        try:
            self.sock.connect(str(path))
        except OSError as exc:
            self.sock.close()
            raise InsertError(f"Cannot connect to the Wayland compositor at {path}: {exc.strerror or exc}.") from None
        self._lock = threading.Lock()
        self._next_id = 3
        self._buffer = b""
        self._globals: dict[str, tuple[int, int]] = {}  # interface -> (name, version)
        self._send(_DISPLAY_ID, 1, struct.pack("<I", _REGISTRY_ID))  # wl_display.get_registry
        self._roundtrip()
        missing = [i for i in ("wl_seat", "zwp_virtual_keyboard_manager_v1") if i not in self._globals]
        if missing:
            self.sock.close()
            raise InsertError(
                "This compositor offers no virtual keyboard (zwp_virtual_keyboard_manager_v1); "
                "GNOME and KDE do not: there the app types through their RemoteDesktop portal."
            )
        seat = self._bind("wl_seat", 1)
        manager = self._bind("zwp_virtual_keyboard_manager_v1", 1)
        self.keyboard = self._new_id()
        self._send(manager, 0, struct.pack("<II", seat, self.keyboard))  # create_virtual_keyboard
        self._keysyms: list[int] = []
        self._keycodes: dict[int, int] = {}

    # -- the wire -------------------------------------------------------------------------

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def _send(self, obj: int, opcode: int, args: bytes = b"", fd: int | None = None) -> None:
        message = struct.pack("<II", obj, (8 + len(args)) << 16 | opcode) + args
        if fd is None:
            self.sock.sendall(message)
        else:
            self.sock.sendmsg([message], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])

    def _bind(self, interface: str, version: int) -> int:
        name, offered = self._globals[interface]
        new = self._new_id()
        args = struct.pack("<I", name) + _string(interface) + struct.pack("<II", min(version, offered), new)
        self._send(_REGISTRY_ID, 0, args)  # wl_registry.bind
        return new

    def _roundtrip(self) -> None:
        """wl_display.sync, reading events until its callback is done; raises on a protocol error."""
        callback = self._new_id()
        self._send(_DISPLAY_ID, 0, struct.pack("<I", callback))
        while True:
            obj, opcode, body = self._read_event()
            if obj == callback and opcode == 0:
                return
            if obj == _DISPLAY_ID and opcode == 0:  # wl_display.error
                code, length = struct.unpack_from("<II", body, 4)
                message = body[12 : 12 + length - 1].decode("utf-8", "replace")
                raise InsertError(f"The Wayland compositor refused the virtual keyboard: {message} (code {code}).")
            if obj == _REGISTRY_ID and opcode == 0:  # wl_registry.global
                name, length = struct.unpack_from("<II", body)
                interface = body[8 : 8 + length - 1].decode()
                (version,) = struct.unpack_from("<I", body, 8 + length + (-length % 4))
                self._globals[interface] = (name, version)

    def _read_event(self) -> tuple[int, int, bytes]:
        while len(self._buffer) < 8 or len(self._buffer) < (struct.unpack_from("<I", self._buffer, 4)[0] >> 16):
            try:
                chunk = self.sock.recv(65536)
            except (TimeoutError, OSError) as exc:
                raise InsertError(f"The Wayland compositor did not answer: {exc}.") from None
            if not chunk:
                raise InsertError("The Wayland compositor closed the connection.")
            self._buffer += chunk
        obj, size_opcode = struct.unpack_from("<II", self._buffer)
        size = size_opcode >> 16
        body, self._buffer = self._buffer[8:size], self._buffer[size:]
        return obj, size_opcode & 0xFFFF, body

    # -- typing ---------------------------------------------------------------------------

    def _upload_keymap(self) -> None:
        lines = ["xkb_keymap {", 'xkb_keycodes "dictation" {', "minimum = 8;", f"maximum = {len(self._keysyms) + 8};"]
        lines += [f"<K{i}> = {i + 8};" for i in range(len(self._keysyms))]
        lines += ["};", 'xkb_types "dictation" {};', 'xkb_compatibility "dictation" {};', 'xkb_symbols "dictation" {']
        lines += [f"key <K{i}> {{[ 0x{sym:08x} ]}};" for i, sym in enumerate(self._keysyms)]
        lines += ["};", "};", ""]
        data = "\n".join(lines).encode("ascii") + b"\0"
        with tempfile.TemporaryFile() as f:  # the compositor maps it: a file, not a pipe
            f.write(data)
            f.flush()
            self._send(self.keyboard, 0, struct.pack("<II", 1, len(data)), fd=f.fileno())  # keymap, XKB_V1
            self._roundtrip()

    def type_text(self, text: str) -> None:
        """Type ``text`` into the focused window; returns once the compositor has every key."""
        with self._lock:
            new = [s for s in dict.fromkeys(keysym_for(c) for c in text) if s not in self._keycodes]
            if new:
                for sym in new:
                    self._keycodes[sym] = len(self._keysyms)
                    self._keysyms.append(sym)
                self._upload_keymap()
            for char in text:
                key = self._keycodes[keysym_for(char)]
                for state in (1, 0):  # wl_keyboard key state: pressed, released
                    self._send(self.keyboard, 1, struct.pack("<III", 0, key, state))  # key(time, key, state)
            self._roundtrip()

    def close(self) -> None:
        with self._lock:
            try:
                self._send(self.keyboard, 3)  # destroy
                self._roundtrip()
            except (InsertError, OSError):
                pass
            self.sock.close()
