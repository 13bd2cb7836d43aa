"""Dictation anywhere, end to end, as a user does it: the app in its own process, speech
through the PulseAudio virtual microphone, and the words arriving in a terminal nobody here
wrote, on X11 (xterm; started by ``dictation-app toggle``, then by the global shortcut) and
on Wayland (foot under sway, typed with wtype)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dictation_app.evaluation import normalize, wer

from conftest import speak
from desktops import activate, foot, wait_for, xterm

pytestmark = pytest.mark.slow
SPEECH = "1089-134691-0001.flac"  # 5.4 s: "For a full hour he had paced up and down..."


def _env(base: dict, mic: dict, folder: Path, settings: str, modes: str = "rules=\n") -> dict:
    """The app's environment, its settings file with ``settings`` in ``[anywhere]`` and ``modes``
    in ``[modes]`` (by default no rules: every application gets Prose, the decoder's sentences)."""
    if "shortcut=" not in settings:
        settings += "shortcut=\n"
    config = folder / "config" / "dictation-app"
    config.mkdir(parents=True)
    text = f"[anywhere]\nafter=newline\n{settings}[modes]\n{modes}"  # no shortcut unless given
    (config / "dictation-app.conf").write_text(text)
    env = {
        **base,
        "XDG_RUNTIME_DIR": mic["XDG_RUNTIME_DIR"],
        "HOME": str(folder),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "DICTATION_APP_DATA_DIR": str(folder / "data"),
        "DICTATION_APP_SOCKET": str(folder / "control" / "control.sock"),
    }
    return env


def start_app(env: dict) -> subprocess.Popen:
    """The app in the background, as the desktop's autostart runs it; its stderr is kept in
    ``app-stderr.txt`` beside its data (:func:`app_stderr`)."""
    log = Path(env["HOME"]) / "app-stderr.txt"
    with open(log, "w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "dictation_app", "gui", "--background"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def app_stderr(env: dict) -> str:
    return (Path(env["HOME"]) / "app-stderr.txt").read_text(encoding="utf-8", errors="replace")


def ctl(env: dict, command: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "dictation_app", command, "--json"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def status(env: dict) -> dict:
    """The running app's status, asked on its control socket from this process (commands go
    through the CLI, as a user's do; polling that way would start a process every time)."""
    from dictation_app.anywhere.control import NotRunning, send_command

    try:
        return {"running": True, **send_command("status", Path(env["DICTATION_APP_SOCKET"]), timeout=10.0)}
    except NotRunning:
        return {"running": False}


def wait_status(env: dict, predicate, timeout: float = 120.0, what: str = "the app") -> dict:
    return wait_for(lambda: (s := status(env))["running"] and predicate(s) and s, timeout, what)


def _session(env: dict) -> Path:
    (folder,) = (Path(env["DICTATION_APP_DATA_DIR"]) / "sessions").iterdir()
    return folder


def _journal_text(folder: Path, revised: bool = True) -> str:
    """The words as the engine's revisions left them (what live typing leaves in the target,
    correcting what it typed), or as first committed."""
    if revised:
        from dictation_app.audio.recorder import load_session

        return "".join(w.text for segment in load_session(folder).segments for w in segment.words).strip()
    lines = [json.loads(line) for line in (folder / "transcript.jsonl").read_text(encoding="utf-8").splitlines()]
    return "".join(w[2] for line in lines if isinstance(line, list) for w in line).strip()


def _dictate(env: dict, term, begin, end, speech: str = SPEECH) -> str:
    begin()
    # Speech starts once the microphone is open, as a user starts once the overlay shows it
    # listening: the first open after the app started takes a second or two.
    status = wait_status(env, lambda s: s["dictating"] and "microphone_at" in s["timings"], what="the microphone")
    assert status["target"] == term.title
    speak(Path(__file__).parent / "data" / speech, env).wait(timeout=180)
    time.sleep(1.0)
    end()
    wait_status(env, lambda s: not s["dictating"] and "last_delivered" in s["timings"], 60, "the words")
    return wait_for(lambda: (t := term.text()).endswith("\n") and t, 30, "the line in the terminal")


def test_toggle_starts_the_app_and_words_are_typed_into_xterm(virtual_mic, x11, references, tmp_path):
    """With the rules a user starts with, xterm gets Terminal mode: the words as said, without the
    decoder's capitals and marks (the overlay and ``status`` say which mode)."""
    term = xterm(x11, tmp_path)
    env = _env(x11, virtual_mic, tmp_path, "insert=live\n", modes="")
    try:
        typed = _dictate(env, term, lambda: ctl(env, "toggle"), lambda: ctl(env, "toggle"))
        journal = _journal_text(_session(env))
        assert status(env)["writing_mode"] == "Terminal"
        assert normalize(typed) == normalize(journal)  # every word once, in order, as the editor has them
        assert typed.endswith("\n") and not any(mark in typed for mark in ".,?!"), typed
        assert wer([references[SPEECH]], [typed]) < 0.15, typed
        assert status(env)["timings"]["method"] == "xtest"
    finally:
        ctl(env, "quit")
        term.close()
    wait_for(lambda: not status(env)["running"], 30, "quit")


def test_shortcut_dictation_on_finish_types_the_offline_text(virtual_mic, x11, references, tmp_path):
    """Real time through the app; the on-finish text against the live text on a long passage is
    compared in audio time (``test_typing.py``). The press that stops is held until the text is
    ready to go: nothing is typed until its release (under Ctrl+Alt the letters would be
    shortcuts). ``dictation-app mode terminal`` picks the mode over the rules (which give Prose
    here): the recording heard whole is written in it."""
    env = _env(x11, virtual_mic, tmp_path, "insert=on_finish\nshortcut=Ctrl+Alt+D\n")
    app = start_app(env)
    term = None
    try:
        wait_status(env, lambda s: s["state"] == "idle", what="the model")
        mode = [sys.executable, "-m", "dictation_app", "mode"]
        wrong = subprocess.run([*mode, "Loud"], env=env, capture_output=True, text=True, timeout=60)
        assert wrong.returncode == 1 and "There is no mode called 'Loud'" in wrong.stderr, wrong.stderr
        picked = subprocess.run([*mode, "terminal"], env=env, capture_output=True, text=True, timeout=60)
        assert picked.stdout == "Dictations are written in Terminal mode.\n", picked.stderr
        term = xterm(x11, tmp_path)
        activate(x11, term.window)
        chord = lambda how: subprocess.run(["xdotool", how, "ctrl+alt+d"], env=x11, check=True)  # noqa: E731

        def stop_holding_the_chord() -> None:
            chord("keydown")
            wait_for(lambda: (_session(env) / "final.txt").exists(), 60, "the recording heard whole")
            time.sleep(0.5)
            assert term.text() == ""  # the text waits for the chord's release
            chord("keyup")

        typed = _dictate(env, term, lambda: chord("key"), stop_holding_the_chord)
        folder = _session(env)
        final = (folder / "final.txt").read_text(encoding="utf-8")
        assert typed == final
        assert status(env)["writing_mode"] == "Terminal" and typed == typed.lower(), typed
        assert not set(".,?!") & set(typed), typed
        assert wer([references[SPEECH]], [typed]) < 0.15, typed
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
        assert oct((folder / "final.txt").stat().st_mode & 0o777) == "0o600"
    finally:
        ctl(env, "quit")
        app.wait(timeout=60)
        if term is not None:
            term.close()
    assert "Traceback" not in app_stderr(env)


def test_push_to_talk_types_nothing_while_the_chord_is_held(virtual_mic, x11, references, tmp_path):
    """Holding Ctrl+Alt+D, live words wait (typed then, they would carry Ctrl+Alt); they go in
    on release, in order, once each."""
    env = _env(x11, virtual_mic, tmp_path, "insert=live\nshortcut=Ctrl+Alt+D\nshortcut_mode=push_to_talk\n")
    app = start_app(env)
    term = None
    try:
        wait_status(env, lambda s: s["state"] == "idle", what="the model")
        term = xterm(x11, tmp_path)
        down = lambda: subprocess.run(["xdotool", "keydown", "ctrl+alt+d"], env=x11, check=True)  # noqa: E731
        up = lambda: subprocess.run(["xdotool", "keyup", "ctrl+alt+d"], env=x11, check=True)  # noqa: E731

        def release() -> None:
            assert term.text() == ""  # nothing typed while the keys were down
            up()

        typed = _dictate(env, term, down, release)
        assert typed == _journal_text(_session(env)) + "\n"
        assert wer([references[SPEECH]], [typed]) < 0.15, typed
    finally:
        ctl(env, "quit")
        app.wait(timeout=60)
        if term is not None:
            term.close()


def test_escape_cancels_and_nothing_is_typed(virtual_mic, x11, tmp_path):
    """Also: a mode that names a model has it loaded before its dictation starts (here the app
    starts on tiny.en, and xterm's mode asks for base)."""
    term = xterm(x11, tmp_path)
    env = _env(x11, virtual_mic, tmp_path, "insert=on_finish\n", "rules=xterm => Multi\ncustom=Multi: model=base\n")
    try:
        ctl(env, "start")
        status = wait_status(env, lambda s: s["dictating"], what="dictation to start")
        assert (status["model"], status["writing_mode"]) == ("base", "Multi")
        speak(Path(__file__).parent / "data" / SPEECH, env).wait(timeout=60)
        subprocess.run(["xdotool", "key", "Escape"], env=x11, check=True)
        wait_status(env, lambda s: not s["dictating"], 30, "the cancel")
        time.sleep(1.0)
        assert term.text() == ""  # nothing typed: cancelled, not stopped
        assert (_session(env) / "audio.wav").stat().st_size > 100_000  # and nothing lost: the recording is kept
        assert not (_session(env) / "final.txt").exists()
        wait_status(env, lambda s: s["model"] == "tiny.en", 30, "the Preferences' model back")
    finally:
        ctl(env, "quit")
        term.close()


@pytest.mark.parametrize("platform", ["offscreen", "wayland"])  # wayland: the app's own windows on sway too
def test_words_are_typed_into_a_wayland_terminal(virtual_mic, sway, references, tmp_path, platform):
    base = {**sway, "QT_QPA_PLATFORM": platform}
    env = _env(base, virtual_mic, tmp_path, "insert=live\n")
    if platform == "wayland":  # the app running with its window, then the terminal opened and focused
        subprocess.Popen(
            [sys.executable, "-m", "dictation_app", "gui"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_status(env, lambda s: s["model"], what="the model")
    term = foot(sway, tmp_path)
    try:
        typed = _dictate(env, term, lambda: ctl(env, "start"), lambda: ctl(env, "stop"))
        assert typed == _journal_text(_session(env)) + "\n"
        assert wer([references[SPEECH]], [typed]) < 0.15, typed
        assert status(env)["timings"]["method"] == "virtual-keyboard"
    finally:
        ctl(env, "quit")
        term.close()


def test_start_launches_the_app_and_the_first_dictation_goes_where_the_focus_was(
    virtual_mic, sway, references, tmp_path
):
    """On sway a new window is focused, and the app has no tray to hide in (its window would
    have taken the words). Launched by ``dictation-app start``, the app reads the target before
    anything of its own exists and shows no window, so the first dictation goes into the
    terminal that had the focus; ``dictation-app show`` shows the window."""
    env = _env({**sway, "QT_QPA_PLATFORM": "wayland"}, virtual_mic, tmp_path, "insert=live\n")
    term = foot(sway, tmp_path)
    try:
        typed = _dictate(env, term, lambda: ctl(env, "start"), lambda: ctl(env, "stop"))
        assert typed == _journal_text(_session(env)) + "\n"
        assert wer([references[SPEECH]], [typed]) < 0.15, typed
        assert _sway_windows(sway) == [(term.title, True)]  # the terminal, focused, alone
        ctl(env, "show")
        wait_for(lambda: ("Dictation", True) in _sway_windows(sway), 30, "the app's window, shown")
    finally:
        ctl(env, "quit")
        term.close()


def _sway_windows(env: dict) -> list[tuple[str, bool]]:
    """(title, focused) of every window on sway."""
    tree = json.loads(subprocess.run(["swaymsg", "-t", "get_tree"], env=env, capture_output=True, timeout=10).stdout)
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if node.get("type") == "con" and node.get("pid"):
            found.append((node.get("name") or "", bool(node.get("focused"))))
        stack.extend(node.get("nodes", []) + node.get("floating_nodes", []))
    return found


def test_the_control_socket_of_the_running_app_is_owner_only(virtual_mic, x11, tmp_path):
    env = _env(x11, virtual_mic, tmp_path, "")
    app = start_app(env)
    try:
        wait_status(env, lambda s: True, what="the socket")
        path = Path(env["DICTATION_APP_SOCKET"])
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
        second = subprocess.run(
            [sys.executable, "-m", "dictation_app", "gui"], env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 0 and "already running" in second.stderr  # one instance per user
    finally:
        ctl(env, "quit")
        app.wait(timeout=60)
    assert not os.path.exists(env["DICTATION_APP_SOCKET"])
