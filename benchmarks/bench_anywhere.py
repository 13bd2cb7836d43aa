"""Dictation anywhere, measured on real desktops (Xvfb + openbox, headless sway), 2 cores, tiny.en.

1. Commit to target, per insertion method: a committed phrase (as the live engine commits
   them, a few words) from ``Delivery.send`` to its arrival in a terminal running
   ``cat > FILE`` (xterm on X11, foot on sway), median and p95 over ``--commits`` phrases; on
   KDE Plasma (KWin 5.27) into KWrite and on GNOME (mutter 43) into gnome-text-editor through
   the RemoteDesktop portal (``--only desktops`` alone). KWrite's text is read by saving it over D-Bus
   (a few ms per look, included); gnome-text-editor's through AT-SPI.
2. Shortcut to microphone: Ctrl+Alt+D pressed through XTest (xdotool) to the running app's
   audio stream being open (both clocks are CLOCK_MONOTONIC), ``--presses`` times.
3. On-finish mode: the shortcut's second press to the whole utterance in the terminal, for a
   ~5-s and a ~15-s utterance spoken through the PulseAudio virtual microphone, against the
   named anchor: bare faster-whisper's ``WhisperModel.transcribe`` of the same audio in this
   run (beam 5, its defaults).

    .venv/bin/python benchmarks/bench_anywhere.py [--commits 40] [--presses 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from desktops import (  # noqa: E402
    KWrite,
    activate,
    foot,
    running_gnome,
    running_kde,
    running_sway,
    running_x11,
    wait_for,
    xterm,
)

PHRASES = [
    "He hoped there would be stew",
    " for dinner, turnips and carrots",
    " and bruised potatoes",
    " and fat mutton pieces",
    " to be ladled out in thick,",
    " peppered, flour-fattened sauce.",
]
SPEECH = ROOT / "tests" / "data"
UTTERANCES = {"5 s": SPEECH / "1089-134691-0001.flac", "15 s": SPEECH / "2416-152139-0000.flac"}


def arrived(condition, timeout: float = 30.0, what: str = "text") -> float:
    """Poll ``condition`` every millisecond; the time it became true (perf_counter)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if condition():
            return time.perf_counter()
        time.sleep(0.001)
    raise AssertionError(f"timed out waiting for {what}")


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"median {statistics.median(values) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms (n={len(values)})"


def commit_latency(method_name: str, desktop, term, app: str, commits: int) -> list[float]:
    from dictation_app.anywhere.delivery import Delivery, Target
    from dictation_app.anywhere.methods import methods_for

    arrivals: list[float] = []
    title = getattr(term, "title", app)
    delivery = Delivery(methods_for(desktop, method_name), Target(app, title, getattr(term, "window", 0)))
    expected = ""
    for i in range(commits):
        text = PHRASES[i % len(PHRASES)].strip() + f" {i}\n"
        sent = time.perf_counter()
        delivery.send(text)
        expected += text
        arrivals.append(arrived(lambda expected=expected: term.text() == expected, 10, f"commit {i}") - sent)
    delivery.finish()
    return arrivals


def _report(label: str, method: str, desktop, target, app: str, commits: int) -> None:
    print(f"{label}: {percentiles(commit_latency(method, desktop, target, app, commits))}", flush=True)
    target.close()


def bench_methods(commits: int) -> None:
    from dictation_app.anywhere.desktop import Desktop

    with tempfile.TemporaryDirectory() as folder:
        with running_x11() as env:
            desktop = Desktop.detect(env)
            for name in ("xtest", "x11-paste"):
                _report(
                    f"{name:10s} into xterm", name, desktop, xterm(env, Path(folder), f"x11-{name}"), "XTerm", commits
                )
        with running_sway() as env:
            os.environ.update({k: env[k] for k in ("WAYLAND_DISPLAY", "SWAYSOCK")})
            os.environ.pop("DISPLAY", None)
            desktop = Desktop.detect(env)
            for name in ("virtual-keyboard", "wtype", "wl-paste"):
                _report(
                    f"{name:10s} into foot ", name, desktop, foot(env, Path(folder), f"way-{name}"), "foot", commits
                )


def _on_desktop(env: dict) -> None:
    """This process as a client of that desktop's portal."""
    os.environ.update({k: env[k] for k in ("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_CURRENT_DESKTOP")})
    os.environ.update({"XDG_SESSION_TYPE": "wayland", "XDG_RUNTIME_DIR": env.get("XDG_RUNTIME_DIR", "")})
    for key in ("DISPLAY", "SWAYSOCK"):
        os.environ.pop(key, None)


def bench_portals(commits: int) -> None:
    from test_gnome import TextEditor, user_at

    from dictation_app.anywhere.desktop import Desktop

    saved = dict(os.environ)
    runtime = Path(_virtual_mic())
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DICTATION_APP_DATA_DIR"] = str(Path(folder) / "data")
        with running_kde() as env:
            _on_desktop(env)
            for name in ("portal", "portal-paste"):
                editor = KWrite(env, Path(folder), f"kde-{name}")
                _report(f"KDE   {name:12s} into KWrite", name, Desktop.detect(), editor, "kwrite", commits)
        os.environ.clear()
        os.environ.update(saved)
        os.environ["DICTATION_APP_DATA_DIR"] = str(Path(folder) / "data")
        with running_gnome(runtime) as env, user_at(env):  # GNOME asks once; the user allows
            _on_desktop(env)
            for name in ("portal", "portal-paste"):
                target = Path(folder) / f"gnome-{name}"
                target.mkdir()
                editor = TextEditor(env, target)
                _report(
                    f"GNOME {name:12s} into gnome-text-editor",
                    name,
                    Desktop.detect(),
                    editor,
                    "gnome-text-editor",
                    commits,
                )
    os.environ.clear()
    os.environ.update(saved)


def _virtual_mic() -> str:
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "virtual-mic.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()


def _ctl(env: dict, command: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "dictation_app", command, "--json"], env=env, capture_output=True, text=True, timeout=120
    )
    return json.loads(out.stdout)


def bench_app(presses: int, repeats: int) -> None:
    mic = _virtual_mic()
    with tempfile.TemporaryDirectory() as folder, running_x11() as x:
        home = Path(folder)
        (home / "config" / "dictation-app").mkdir(parents=True)
        (home / "config" / "dictation-app" / "dictation-app.conf").write_text(
            "[anywhere]\ninsert=on_finish\nafter=newline\nshortcut=Ctrl+Alt+D\n"
        )
        env = {
            **x,
            "XDG_RUNTIME_DIR": mic,
            "HOME": folder,
            "XDG_CONFIG_HOME": str(home / "config"),
            "DICTATION_APP_DATA_DIR": str(home / "data"),
            "DICTATION_APP_SOCKET": str(home / "ctl" / "sock"),
        }
        app = subprocess.Popen(
            [sys.executable, "-m", "dictation_app", "gui", "--background"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(lambda: _ctl(env, "status").get("state") == "idle", 120, "the model")
            term = xterm(x, home, "target")
            key = lambda: subprocess.run(["xdotool", "key", "ctrl+alt+d"], env=x, check=True)  # noqa: E731
            opened = []
            for _ in range(presses):
                activate(x, term.window)
                pressed = time.perf_counter()
                key()
                status = wait_for(
                    lambda: (s := _ctl(env, "status"))["dictating"] and "microphone_at" in s["timings"] and s,
                    10,
                    "the microphone",
                )
                opened.append(status["timings"]["microphone_at"] - pressed)
                _ctl(env, "cancel")
                wait_for(lambda: not _ctl(env, "status")["dictating"], 30, "the stop")
            print(f"shortcut to microphone open: {percentiles(opened)}", flush=True)
            _on_finish(env, x, term, key, repeats)
        finally:
            _ctl(env, "quit")
            app.wait(timeout=60)


def _on_finish(env: dict, x: dict, term, key, repeats: int) -> None:
    from dictation_app.audio.decode import load_audio
    from dictation_app.engine import ModelStore

    model = ModelStore().load("tiny.en")
    for label, path in UTTERANCES.items():
        samples = load_audio(path).samples
        bare = []
        for _ in range(repeats):
            started = time.perf_counter()
            segments, _ = model.transcribe(samples, language="en")
            "".join(s.text for s in segments)
            bare.append(time.perf_counter() - started)
        release = []
        for _ in range(repeats):
            before = term.text()
            activate(x, term.window)
            key()
            wait_for(lambda: _ctl(env, "status")["dictating"], 10, "dictation")
            subprocess.run(["paplay", str(path)], env=env, check=True)
            time.sleep(0.3)
            pressed = time.perf_counter()
            key()
            release.append(
                arrived(lambda before=before: term.text() != before and term.text().endswith("\n"), 30) - pressed
            )
        print(
            f"on finish, {label} utterance ({len(samples) / 16000:.1f} s): release to text "
            f"{percentiles(release)}; bare faster-whisper transcribe {statistics.median(bare):.2f} s "
            f"(ratio {statistics.median(release) / statistics.median(bare):.2f})",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=40)
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=["methods", "desktops", "app"], help="one part only")
    args = parser.parse_args()
    if args.only in (None, "methods"):
        bench_methods(args.commits)
    if args.only in (None, "desktops"):
        bench_portals(args.commits)
    if args.only in (None, "app"):
        bench_app(args.presses, args.repeats)


if __name__ == "__main__":
    main()
