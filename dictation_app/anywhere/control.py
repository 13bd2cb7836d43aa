"""The control socket: another ``dictation-app`` process (a desktop key binding) drives the
running one (no Qt).

One Unix stream socket per user, ``$XDG_RUNTIME_DIR/dictation-app/control.sock`` (fallback:
an owner-only folder in the temporary directory that must belong to this user), in a 0700
folder, itself 0600. The server checks each peer's user id (``SO_PEERCRED``) and refuses
any other user. A request is one line of JSON, ``{"command": "toggle"}``, at most
:data:`MAX_REQUEST` bytes; the answer is one line, ``{"ok": true, "state": "listening"}`` or
``{"ok": false, "error": "..."}``. Anything else (too long, not JSON, an unknown command) is
answered with an error and the connection closed; the server goes on.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from dictation_app.errors import DictationError

__all__ = ["COMMANDS", "ControlError", "ControlServer", "MAX_REQUEST", "NotRunning", "send_command", "socket_path"]

#: what the socket accepts: the command and what it does
COMMANDS = {
    "start": "start dictating into the focused application",
    "stop": "stop, committing the last words",
    "toggle": "start, or stop when dictating",
    "cancel": "stop and type nothing more",
    "show": "show the window",
    "mode": "write in mode NAME from now on, the dictation under way too ('auto': the mode your rules choose)",
    "status": "say what the app is doing",
    "quit": "quit the app",
}
MAX_REQUEST = 4096
TIMEOUT_S = 5.0


class ControlError(DictationError):
    """The control socket cannot be made, or the running app answered with an error."""


class NotRunning(ControlError):
    """No app is listening on the control socket."""


def _runtime_folder() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / "dictation-app"
    return Path(tempfile.gettempdir()) / f"dictation-app-{os.getuid()}"


def socket_path() -> Path:
    """Where this user's app listens (``DICTATION_APP_SOCKET`` overrides it, for tests)."""
    override = os.environ.get("DICTATION_APP_SOCKET")
    return Path(override) if override else _runtime_folder() / "control.sock"


def _private_folder(folder: Path) -> None:
    """Make ``folder`` (0700) or check that the existing one is this user's alone: in a shared
    temporary directory another user could have made it first."""
    try:
        folder.mkdir(mode=0o700, parents=False)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ControlError(f"Cannot make the control socket's folder {folder}: {exc.strerror or exc}.") from None
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise ControlError(f"{folder} is not a folder of yours; the control socket will not be put there.")
    os.chmod(folder, 0o700)


def peer_uid(conn: socket.socket) -> int:
    """The user id of the process at the other end of a Unix socket."""
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid


def _reply(conn: socket.socket, answer: dict) -> None:
    try:
        conn.sendall((json.dumps(answer) + "\n").encode("utf-8"))
    except OSError:
        pass  # the client went away


class ControlServer:
    """Listens on the control socket on its own thread.

    Args:
        handle: ``handle(command) -> dict`` for a valid command; it is called through
            ``post`` (the front end's thread) and its dict is the answer (``ok`` is added).
        post: Runs a callable on the front end's thread.
        path: The socket (default: :func:`socket_path`).

    Raises :class:`ControlError` when another instance is listening there already.
    """

    def __init__(
        self,
        handle: Callable[[str], dict],
        post: Callable[[Callable[[], None]], None] = lambda f: f(),
        path: Path | None = None,
    ) -> None:
        self.handle, self.post = handle, post
        self.path = path or socket_path()
        self.refused = 0  # connections from other users
        _private_folder(self.path.parent)
        if self.path.exists() or self.path.is_symlink():
            try:
                send_command("status", self.path, timeout=1.0)
            except NotRunning:
                self.path.unlink()  # left by an app that crashed
            else:
                raise ControlError("Dictation is already running (its control socket answered).")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket file is created 0600, never readable in between
        try:
            self.sock.bind(str(self.path))
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        self.sock.listen(8)
        self._closed = False
        threading.Thread(target=self._accept, name="control-socket", daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(conn,), name="control-client", daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(TIMEOUT_S)
            if peer_uid(conn) != os.getuid():
                self.refused += 1
                _reply(conn, {"ok": False, "error": "refused: this app belongs to another user"})
                return
            try:
                command = self._read_request(conn)
            except ControlError as exc:
                _reply(conn, {"ok": False, "error": str(exc)})
                return
            _reply(conn, self._dispatch(command))

    def _read_request(self, conn: socket.socket) -> str:
        data = b""
        while b"\n" not in data:
            try:
                chunk = conn.recv(1024)
            except (TimeoutError, OSError):
                raise ControlError("request incomplete (no newline in time)") from None
            if not chunk:
                break
            data += chunk
            if len(data) > MAX_REQUEST:
                raise ControlError(f"request too long (over {MAX_REQUEST} bytes)")
        line = data.split(b"\n", 1)[0]
        try:
            request = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ControlError('malformed request: expected one line of JSON such as {"command": "toggle"}') from None
        command = request.get("command") if isinstance(request, dict) else None
        if command not in COMMANDS:
            raise ControlError(f"unknown command {command!r}; known: {', '.join(COMMANDS)}")
        if command == "mode":  # the one command with an argument: handed on as "mode NAME"
            name = request.get("name")
            if not isinstance(name, str) or not name.strip() or len(name) > 100 or not name.isprintable():
                raise ControlError('"mode" needs a mode\'s name: {"command": "mode", "name": "Code"}')
            return f"mode {name.strip()}"
        return command

    def _dispatch(self, command: str) -> dict:
        done = threading.Event()
        answer: dict = {}

        def run() -> None:
            try:
                answer.update(self.handle(command))
                answer.setdefault("ok", True)
            except DictationError as exc:
                answer.update(ok=False, error=str(exc))
            except Exception as exc:  # a bug answers with an error; the server goes on
                answer.update(ok=False, error=f"unexpected {type(exc).__name__}: {exc}")
            finally:
                done.set()

        self.post(run)
        if not done.wait(TIMEOUT_S):
            return {"ok": False, "error": "the app did not answer in time"}
        return answer

    def close(self) -> None:
        self._closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        try:
            self.sock.close()
        finally:
            self.path.unlink(missing_ok=True)


def _listening(path: Path) -> bool:
    """Whether an app takes connections on ``path`` now. One that quits closes its socket with
    the connections not yet accepted: they are reset, unanswered."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def send_command(command: str, path: Path | None = None, timeout: float = TIMEOUT_S, **fields: str) -> dict:
    """Send one command (with ``fields``: ``name`` for "mode") to the running app and return its answer.

    Raises :class:`NotRunning` when nothing listens, :class:`ControlError` when it answers an
    error."""
    path = path or socket_path()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise NotRunning("Dictation is not running.") from None
        except PermissionError:
            raise ControlError(f"Not allowed to use {path}: it belongs to another user.") from None
        data, failure = b"", None
        try:
            sock.sendall((json.dumps({"command": command, **fields}) + "\n").encode("utf-8"))
            while not data.endswith(b"\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError as exc:  # a timeout too
            failure = exc
    if not data and not isinstance(failure, TimeoutError) and not _listening(path):
        raise NotRunning("Dictation is not running: it quit before it answered.")
    if failure is not None:
        raise ControlError(f"The running app did not answer: {failure}.")
    try:
        answer = json.loads(data.decode("utf-8"))
    except ValueError:
        raise ControlError("The running app gave no answer.") from None
    if not answer.get("ok"):
        raise ControlError(f"The running app refused '{command}': {answer.get('error', 'no reason given')}.")
    return answer
