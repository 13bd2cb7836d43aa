"""Dictation anywhere, measured on real desktops (Xvfb + openbox, headless sway, KWin, GNOME Shell), tiny.en.

1. Commit to target, per insertion method: a committed phrase (as the live engine commits
   them, a few words) from ``Delivery.send`` to its arrival in a terminal running
   ``cat > FILE`` (xterm on X11, foot on sway), median and p95 over ``--commits`` phrases; on
   KDE Plasma (KWin 5.27) into KWrite and on GNOME (Shell 43) into gnome-text-editor through
   the RemoteDesktop portal (``--only desktops`` alone). KWrite's text is read by saving it over D-Bus
   (a few ms per look, included); gnome-text-editor's through AT-SPI.
2. Shortcut to microphone, per desktop (``--app-desktops x11 sway kde gnome``): Ctrl+Alt+D
   pressed as each desktop takes it (X11: XTest through xdotool, the app's key grab; KDE: keys
   into KWin, the GlobalShortcuts portal; GNOME: keys into GNOME Shell, the app's custom
   shortcut running ``dictation-app toggle``; sway: its binding's command, ``dictation-app
   toggle``, run directly) to the running app's audio stream being open (both clocks are
   CLOCK_MONOTONIC), ``--presses`` times.
3. On-finish mode, per desktop: the shortcut's second press to the whole utterance in the
   target (xterm, foot, KWrite, gnome-text-editor), for a ~5-s and a ~15-s utterance spoken
   through the PulseAudio virtual microphone, against the named anchor: bare faster-whisper's
   ``WhisperModel.transcribe`` of the same audio in this run (beam 5, its defaults).

    .venv/bin/python benchmarks/bench_anywhere.py [--commits 40] [--presses 10] [--repeats 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from desktops import (  # noqa: E402
    KWrite,
    MutterKeys,
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


def arrived(condition, timeout: float = 30.0, what: str = "text", every: float = 0.001) -> float:
    """Poll ``condition`` every ``every`` seconds; the time it became true (perf_counter)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if condition():
            return time.perf_counter()
        time.sleep(every)
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
    """A command as a user gives it (the CLI); ``status`` is asked from this process (a
    process started every 50 ms would take the CPU the app is being timed on)."""
    if command == "status":
        from test_anywhere_app import status

        return status(env)
    out = subprocess.run(
        [sys.executable, "-m", "dictation_app", command, "--json"], env=env, capture_output=True, text=True, timeout=120
    )
    return json.loads(out.stdout)


@dataclass
class Seat:
    """Someone at one desktop: the app's environment there, the target application (its
    ``text()``), and how Ctrl+Alt+D is pressed there (the press's time is taken just before).
    A target read through D-Bus or AT-SPI is looked at every 50 ms: the looking takes CPU from
    the app being timed (every 10 ms, gnome-text-editor and the bus used a quarter of the CPU)."""

    name: str
    env: dict
    target: object
    press: Callable[[], None]
    focus: Callable[[], None] = lambda: None
    every: float = 0.001


def _app_env(desktop: dict, mic: str, home: Path) -> dict:
    (home / "config" / "dictation-app").mkdir(parents=True)
    (home / "config" / "dictation-app" / "dictation-app.conf").write_text(
        "[anywhere]\ninsert=on_finish\nafter=newline\nshortcut=Ctrl+Alt+D\n"
    )
    return {
        **desktop,
        "XDG_RUNTIME_DIR": mic,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "DICTATION_APP_DATA_DIR": str(home / "data"),
        "DICTATION_APP_SOCKET": str(home / "ctl" / "sock"),
    }


@contextlib.contextmanager
def _x11_seat(mic: str, home: Path):
    with running_x11() as x:
        term = xterm(x, home, "target")
        key = lambda: subprocess.run(["xdotool", "key", "ctrl+alt+d"], env=x, check=True)  # noqa: E731
        yield Seat("X11 (openbox), the app's key grab, into xterm", _app_env(x, mic, home), term, key,
                   lambda: activate(x, term.window))  # fmt: skip
        term.close()


@contextlib.contextmanager
def _sway_seat(mic: str, home: Path):
    """sway runs a binding's command as its user; as root the test's sway is ``nobody``, whose
    command could not reach root's app: the binding's command is run here instead."""
    with running_sway() as way:
        term = foot(way, home, "target")
        env = _app_env(way, mic, home)
        key = lambda: subprocess.run([sys.executable, "-m", "dictation_app", "toggle"], env=env, check=True)  # noqa: E731
        focus = lambda: subprocess.run(["swaymsg", '[title="^target$"] focus'], env=way, capture_output=True)  # noqa: E731
        yield Seat("sway, 'dictation-app toggle' (its binding's command), into foot", env, term, key, focus)
        term.close()


@contextlib.contextmanager
def _kde_seat(mic: str, home: Path):
    from test_kde import Keys

    saved = dict(os.environ)
    with running_kde() as kde:
        _on_desktop(kde)
        keys, editor = Keys(), KWrite(kde, home)
        try:
            yield Seat("KDE Plasma 5.27, the GlobalShortcuts portal, into KWrite", _app_env(kde, mic, home), editor,
                       lambda: keys.press("Ctrl+Alt+D"), every=0.05)  # fmt: skip
        finally:
            keys.close()
            editor.close()
            os.environ.clear()
            os.environ.update(saved)


@contextlib.contextmanager
def _gnome_seat(mic: str, home: Path):
    from test_gnome import ALT, CONTROL, LETTER_D, TextEditor, user_at

    with running_gnome(Path(mic)) as gnome, user_at(gnome):  # GNOME asks once; the user allows
        hands, editor = MutterKeys(gnome), TextEditor(gnome, home)
        try:
            yield Seat("GNOME 43, the app's custom shortcut, into gnome-text-editor", _app_env(gnome, mic, home),
                       editor, lambda: hands.chord(CONTROL, ALT, LETTER_D), every=0.05)  # fmt: skip
        finally:
            hands.close()
            editor.close()


SEATS = {"x11": _x11_seat, "sway": _sway_seat, "kde": _kde_seat, "gnome": _gnome_seat}


def bench_app(presses: int, repeats: int, desktops: list[str]) -> None:
    """Per desktop: the shortcut to the microphone open, and on finish the second press to the
    whole utterance in the target (against bare faster-whisper's transcribe of it)."""
    mic = _virtual_mic()
    bare = _bare_transcribe(repeats)
    for name in desktops:
        with tempfile.TemporaryDirectory() as folder, SEATS[name](mic, Path(folder)) as seat:
            app = subprocess.Popen(
                [sys.executable, "-m", "dictation_app", "gui", "--background"],
                env=seat.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for(lambda: _ctl(seat.env, "status").get("state") == "idle", 120, "the model")
                _first_press(seat)
                opened = []
                for _ in range(presses):
                    seat.focus()
                    pressed = time.perf_counter()
                    seat.press()
                    status = _until(seat, True, after=pressed)
                    opened.append(status["timings"]["microphone_at"] - pressed)
                    _ctl(seat.env, "cancel")
                    wait_for(lambda: not _ctl(seat.env, "status")["dictating"], 30, "the stop")
                print(f"{seat.name}: shortcut to microphone open: {percentiles(opened)}", flush=True)
                _on_finish(seat, repeats, bare)
            finally:
                _ctl(seat.env, "quit")
                app.wait(timeout=60)


def _until(seat: Seat, dictating: bool, after: float, timeout: float = 15.0) -> dict:
    def reached():
        s = _ctl(seat.env, "status")
        opened = s["timings"].get("microphone_at", 0) > after
        return s if s.get("dictating") == dictating and (opened or not dictating) else None

    return wait_for(reached, timeout, "dictating" if dictating else "stopped")


def _first_press(seat: Seat) -> None:
    """Until a press starts dictation (GNOME grabs a new custom shortcut a moment after it was
    made; GNOME asks before the first typing), then cancelled: not measured."""
    for _ in range(3):
        seat.focus()
        started = time.perf_counter()
        seat.press()
        try:
            _until(seat, True, after=started)
        except AssertionError:
            continue
        _ctl(seat.env, "cancel")
        wait_for(lambda: not _ctl(seat.env, "status")["dictating"], 30, "the stop")
        time.sleep(1.0)  # GNOME's question answered and gone
        return
    raise AssertionError(f"{seat.name}: the shortcut never started dictation")


def _bare_transcribe(repeats: int) -> dict[str, float]:
    from dictation_app.audio.decode import load_audio
    from dictation_app.engine import ModelStore

    model = ModelStore().load("tiny.en")
    medians = {}
    for label, path in UTTERANCES.items():
        samples, times = load_audio(path).samples, []
        for _ in range(repeats):
            started = time.perf_counter()
            segments, _ = model.transcribe(samples, language="en")
            "".join(s.text for s in segments)
            times.append(time.perf_counter() - started)
        medians[label] = statistics.median(times)
    return medians


def _on_finish(seat: Seat, repeats: int, bare: dict[str, float]) -> None:
    for label, path in UTTERANCES.items():
        release, sent = [], []
        for _ in range(repeats):
            before = seat.target.text()
            seat.focus()
            started = time.perf_counter()
            seat.press()
            _until(seat, True, after=started)
            subprocess.run(["paplay", str(path)], env=seat.env, check=True)
            time.sleep(0.3)
            seat.focus()
            pressed = time.perf_counter()
            seat.press()
            grown = lambda before=before: (t := seat.target.text()) != before and t.endswith("\n")  # noqa: E731
            release.append(arrived(grown, 60, every=seat.every) - pressed)
            done = wait_for(lambda: (s := _ctl(seat.env, "status")) and not s["dictating"] and s, 30, "the stop")
            sent.append(done["timings"]["last_delivered"] - pressed)  # the app's last key (the same clock)
        print(
            f"{seat.name}: on finish, {label} utterance: release to the last key sent {percentiles(sent)}, "
            f"to the text seen in the target {percentiles(release)}; bare faster-whisper transcribe "
            f"{bare[label]:.2f} s (ratio of the last key {statistics.median(sent) / bare[label]:.2f})",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=40)
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=["methods", "desktops", "app"], help="one part only")
    parser.add_argument("--app-desktops", nargs="+", choices=list(SEATS), default=list(SEATS), metavar="DESKTOP")
    args = parser.parse_args()
    if args.only in (None, "methods"):
        bench_methods(args.commits)
    if args.only in (None, "desktops"):
        bench_portals(args.commits)
    if args.only in (None, "app"):
        bench_app(args.presses, args.repeats, args.app_desktops)


if __name__ == "__main__":
    main()
