"""The control socket: owner-only, the peer's user checked, bounded and validated requests."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys

import pytest

from dictation_app.anywhere.control import (
    COMMANDS,
    MAX_REQUEST,
    ControlError,
    ControlServer,
    NotRunning,
    send_command,
    socket_path,
)


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.delenv("DICTATION_APP_SOCKET", raising=False)
    calls = []
    srv = ControlServer(lambda command: calls.append(command) or {"state": "idle", "seen": len(calls)})
    srv.calls = calls
    yield srv
    srv.close()


def _raw(path, data: bytes) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(path))
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before all of it was sent
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return json.loads(answer)


def test_commands_are_answered_and_the_socket_is_owner_only(server, tmp_path):
    assert server.path == tmp_path / "dictation-app" / "control.sock" == socket_path()
    assert stat.S_IMODE(os.stat(server.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(server.path.parent).st_mode) == 0o700
    for command in COMMANDS:
        fields = {"name": "Code"} if command == "mode" else {}
        assert send_command(command, **fields) == {"state": "idle", "seen": len(server.calls), "ok": True}
    assert server.calls == [c if c != "mode" else "mode Code" for c in COMMANDS]
    with pytest.raises(ControlError, match='"mode" needs a mode'):
        send_command("mode")
    with pytest.raises(ControlError, match='"mode" needs a mode'):
        send_command("mode", name="x" * 101)


def _raising(exc):
    def handle(command):
        raise exc

    return handle


def test_bad_requests_get_an_error_and_the_server_goes_on(server):
    assert _raw(server.path, b"not json\n") == {
        "ok": False,
        "error": 'malformed request: expected one line of JSON such as {"command": "toggle"}',
    }
    assert "unknown command 'rm -rf'" in _raw(server.path, b'{"command": "rm -rf"}\n')["error"]
    assert "unknown command" in _raw(server.path, b'["toggle"]\n')["error"]
    huge = _raw(server.path, b"x" * (10 * 1024 * 1024))  # 10 MB without a newline
    assert huge == {"ok": False, "error": f"request too long (over {MAX_REQUEST} bytes)"}
    server.handle = _raising(ControlError("No audio input device."))  # the app's own refusal
    with pytest.raises(ControlError, match="refused 'start': No audio input device"):
        send_command("start")
    server.handle = _raising(KeyError("bug"))  # a bug in the app answers, it does not kill the server
    with pytest.raises(ControlError, match="unexpected KeyError"):
        send_command("start")
    server.handle = lambda command: {"state": "idle"}
    assert send_command("status")["ok"] is True
    assert server.calls == []  # none of the bad requests reached the app


def test_a_second_instance_is_refused_and_a_stale_socket_replaced(server, tmp_path):
    with pytest.raises(ControlError, match="already running"):
        ControlServer(lambda command: {})
    server.close()
    # An app that was killed leaves its socket file behind with nobody listening.
    crash = "import socket, sys, os; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); os._exit(9)"
    subprocess.run([sys.executable, "-c", crash, str(server.path)], timeout=30)
    assert server.path.exists()
    with pytest.raises(NotRunning):
        send_command("status")
    again = ControlServer(lambda command: {"state": "idle"})
    try:
        assert send_command("status")["state"] == "idle"
    finally:
        again.close()


def test_a_command_that_meets_the_app_quitting_is_told_it_is_not_running(tmp_path):
    """An app that quits closes its socket with the connections it has not accepted yet; a
    ``status`` polled at that moment was reset unanswered and said "did not answer" (a
    two-worker run's test, polling until the app had quit, failed on it). With nothing
    listening any more, that is "not running"; an app still listening that resets is not."""
    import select
    import threading

    path = tmp_path / "control.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(1)
    outcome: list[Exception] = []

    def ask() -> None:
        try:
            send_command("status", path, timeout=10.0)
        except ControlError as exc:
            outcome.append(exc)

    asking = threading.Thread(target=ask)
    asking.start()
    assert select.select([listener], [], [], 10.0)[0]  # the request waits to be accepted
    listener.close()  # the app quits
    asking.join(10.0)
    assert len(outcome) == 1 and isinstance(outcome[0], NotRunning), outcome

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # an app that is still there...
    path.unlink()
    listener.bind(str(path))
    listener.listen(2)
    asking = threading.Thread(target=ask)
    asking.start()
    assert select.select([listener], [], [], 10.0)[0]
    conn, _ = listener.accept()
    conn.close()  # ...and hangs up unanswered: an error, not "not running"
    asking.join(10.0)
    listener.close()
    assert len(outcome) == 2 and type(outcome[1]) is ControlError, outcome


def test_the_folder_must_be_the_users_own(tmp_path, monkeypatch):
    if os.getuid() != 0:
        pytest.skip("needs root to make a folder another user owns")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    (tmp_path / "dictation-app").mkdir()
    os.chown(tmp_path / "dictation-app", 65534, 65534)  # made first by another user
    with pytest.raises(ControlError, match="is not a folder of yours"):
        ControlServer(lambda command: {})


_CLIENT = """
import json, socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    sock.connect(sys.argv[1])
except OSError as exc:
    print("connect failed:", type(exc).__name__); sys.exit(0)
try:
    sock.sendall(b'{"command": "start"}\\n')
except OSError:
    pass  # refused before it read anything: the answer is waiting all the same
print(sock.recv(4096).decode().strip())
"""


def test_another_local_user_can_neither_connect_nor_start_the_microphone(server, tmp_path):
    if os.getuid() != 0:
        pytest.skip("needs root to run a client as another user (nobody)")

    def as_nobody(path) -> str:
        # the system's python: the test's own may live under /root, which nobody cannot enter
        return subprocess.run(
            ["/usr/bin/python3", "-c", _CLIENT, str(path)],
            user=65534,
            group=65534,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()

    # The folder is 0700: another user cannot even reach the socket.
    assert as_nobody(server.path) == "connect failed: PermissionError"
    # Were the folder and the socket opened up by mistake, the server still refuses them.
    for folder in (tmp_path, *tmp_path.parents):
        if folder.stat().st_mode & 0o005 != 0o005:
            os.chmod(folder, folder.stat().st_mode | 0o005)  # pytest's own folders are root-only
    os.chmod(server.path.parent, 0o755)
    os.chmod(server.path, 0o666)
    answer = json.loads(as_nobody(server.path))
    assert answer == {"ok": False, "error": "refused: this app belongs to another user"}
    assert server.refused == 1
    assert server.calls == []  # the microphone was never started


def test_control_commands_when_the_app_is_not_running(tmp_path):
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    status = subprocess.run(
        [sys.executable, "-m", "dictation_app", "status"], env=env, capture_output=True, text=True, timeout=60
    )
    assert (status.returncode, status.stdout.strip()) == (0, "not running")
    stop = subprocess.run(
        [sys.executable, "-m", "dictation_app", "stop"], env=env, capture_output=True, text=True, timeout=60
    )
    assert stop.returncode == 1 and "Dictation is not running" in stop.stderr and "Traceback" not in stop.stderr
    toggle = subprocess.run(
        [sys.executable, "-m", "dictation_app", "toggle"], env=env, capture_output=True, text=True, timeout=60
    )
    assert toggle.returncode == 1 and "no display to start it on" in toggle.stderr
