"""Nothing leaves the machine unasked: with the bundled model, ``transcribe``, ``listen`` and the
window (with its control socket) open no network connection at all, only local sockets
(PulseAudio, D-Bus, X11, the control socket). Checked with ``strace -f -e trace=connect``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from conftest import DATA
from desktops import need, wait_for

CONNECT = re.compile(r"connect\(\d+, \{sa_family=(\w+)(?:, sun_path=(?:@?\"([^\"]*)\"))?")


def _traced(argv: list[str], out: Path, env: dict, **kwargs) -> subprocess.Popen:
    need("strace")
    return subprocess.Popen(
        ["strace", "-f", "-qq", "-e", "trace=connect", "-o", str(out), *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **kwargs,
    )


def _connections(out: Path) -> list[tuple[str, str]]:
    return [m.groups() for m in CONNECT.finditer(out.read_text())]


def _only_local(connections: list[tuple[str, str]]) -> None:
    remote = [c for c in connections if c[0] not in ("AF_UNIX", "AF_LOCAL", "AF_NETLINK")]
    assert remote == [], f"network connections: {remote}"


def test_transcribe_opens_no_connection(tmp_path):
    out = tmp_path / "strace.txt"
    _traced([sys.executable, "-m", "dictation_app", "transcribe", str(DATA / "jfk.flac")], out, None).wait(300)
    assert _connections(out) == []


def test_listen_talks_only_to_the_sound_server(virtual_mic, tmp_path):
    out = tmp_path / "strace.txt"
    env = {**virtual_mic, "DICTATION_APP_DATA_DIR": str(tmp_path / "data")}
    _traced([sys.executable, "-m", "dictation_app", "listen", "--seconds", "3"], out, env).wait(300)
    connections = _connections(out)
    _only_local(connections)
    assert any("pulse" in (path or "") for _, path in connections)  # it did record


def test_the_window_talks_only_to_local_sockets(virtual_mic, tmp_path):
    out = tmp_path / "strace.txt"
    sock = tmp_path / "ctl" / "control.sock"
    env = {
        **virtual_mic,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
        "DICTATION_APP_DATA_DIR": str(tmp_path / "data"),
        "DICTATION_APP_SOCKET": str(sock),
    }
    app = _traced([sys.executable, "-m", "dictation_app", "gui"], out, env)

    def status() -> dict:
        result = subprocess.run(
            [sys.executable, "-m", "dictation_app", "status", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return json.loads(result.stdout)

    try:
        wait_for(lambda: status().get("state") == "idle", 120, "the model")  # loaded, microphones listed
        time.sleep(1.0)
    finally:
        subprocess.run([sys.executable, "-m", "dictation_app", "quit"], env=env, capture_output=True, timeout=60)
        app.wait(timeout=60)
    _only_local(_connections(out))
    assert not sock.exists()


def test_a_download_happens_only_for_a_model_asked_by_name_and_is_announced_first(tmp_path):
    from dictation_app.engine.models import ModelStore

    store = ModelStore(tmp_path)
    assert not store.needs_download("tiny.en") and not store.needs_download("base")
    assert not store.needs_download(str(tmp_path)) and store.needs_download("small")
    out = tmp_path / "strace.txt"
    env = {**os.environ, "DICTATION_APP_CACHE_DIR": str(tmp_path / "cache"), "HF_ENDPOINT": "http://127.0.0.1:9"}
    need("strace")
    result = subprocess.run(
        [
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=connect",
            "-o",
            str(out),
            sys.executable,
            "-m",
            "dictation_app",
            "transcribe",
            "--model",
            "small",
            str(DATA / "jfk.flac"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    announced = result.stderr.index("downloading model 'small' from the Hugging Face hub")
    assert announced < result.stderr.index("Cannot download model 'small'")
    # the only address it tried is the hub's (a closed local port stands in for it here)
    inet = [line for line in out.read_text().splitlines() if "sa_family=AF_INET" in line]
    assert inet and all("htons(9)" in line and "127.0.0.1" in line for line in inet), inet
