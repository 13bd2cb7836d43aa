"""Dictation anywhere on a real GNOME: GNOME Shell 43 (headless, a virtual monitor) with
gnome-settings-daemon's media keys, the real xdg-desktop-portal frontend and its GNOME backend,
gnome-text-editor as the target, and the app in its own process with speech through the
PulseAudio virtual microphone.

GNOME asks before an application may type: its "Remote desktop" dialog (the backend's GTK 4
window) is answered by keys pressed into mutter (the shell's own remote-desktop input, the
test's hands), the way a keyboard user with a screen reader answers it: the accessibility tree
(``atspi.py``) says where the focus is, Tab moves it to the "Allow remote interaction" switch,
Space, then to "Share" (or "Cancel"), Return. Never around the portal.

GNOME 43's RemoteDesktop is version 1 (no restore token: it asks at every session) and it has no
GlobalShortcuts portal: the app makes its shortcut a custom shortcut in GNOME's settings running
``dictation-app toggle``, which the media-keys daemon has the shell grab and run."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dictation_app.anywhere.desktop import Desktop
from dictation_app.anywhere.doctor import CHECK_TEXT
from dictation_app.anywhere.methods import PortalPaste, PortalTyping
from dictation_app.errors import InsertError
from dictation_app.evaluation import wer

from atspi import Accessibility
from conftest import speak
from desktops import BusCalls, MutterKeys, StuckForks, client_of, gnome_screenshot, shortcut_grabbed, wait_for
from test_anywhere_app import SPEECH, _env, _journal_text, ctl, status, wait_status

pytestmark = pytest.mark.slow

SECOND_SPEECH = "1089-134686-0000.flac"
BACKSPACE, CONTROL, ALT, LETTER_A, LETTER_D, LETTER_X = 0xFF08, 0xFFE3, 0xFFE9, 0x61, 0x64, 0x78
TAB, SPACE, RETURN = 0xFF09, 0x20, 0xFF0D


@pytest.fixture
def on_gnome(gnome, tmp_path, monkeypatch) -> Desktop:
    """This process on the GNOME session (the portal's client), with a data folder of its own."""
    return client_of(gnome, monkeypatch, tmp_path / "driver")


class User:
    """Someone at the GNOME desktop who answers each "Remote desktop" question as it comes, by
    keyboard (keys pressed into mutter), told by the accessibility tree where the focus is, as a
    screen reader tells its user: Tab to the "Allow remote interaction" switch, Space, Tab to
    Share, Return (or Tab to Cancel, Return)."""

    DIALOG_APP = "xdg-desktop-portal-gnome"

    def __init__(self, env: dict, allow: bool = True) -> None:
        self.a11y = Accessibility(env["DBUS_SESSION_BUS_ADDRESS"])
        self.hands = MutterKeys(env)
        self.allow = allow
        self.answered = 0
        self.problems: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="user", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        seen: set[str] = set()
        while not self._stop.is_set():
            try:
                switch = self.a11y.find("switch", "Allow remote interaction", 0.5, self.DIALOG_APP)
            except AssertionError:
                continue  # no question asked now
            except Exception as exc:  # the tree changing under the walk
                self.problems.append(repr(exc))
                continue
            if switch.path in seen:
                time.sleep(0.2)  # the dialog answered is going away
                continue
            seen.add(switch.path)
            try:
                if self.allow:
                    self._tab_to("switch", "Allow remote interaction")
                    self.hands.tap(SPACE)
                    wait_for(lambda s=switch: "checked" in self.a11y.states(s), 5, "the switch on")
                self._tab_to("button", "Share" if self.allow else "Cancel")
                self.hands.tap(RETURN)
                self.answered += 1
            except (AssertionError, LookupError) as exc:
                self.problems.append(repr(exc))

    def _tab_to(self, role: str, name: str) -> None:
        for _ in range(8):
            node = self.a11y.focused(self.DIALOG_APP)
            if node is not None and node.role == role and (node.name == name or node.name.endswith(" " + name)):
                return
            self.hands.tap(TAB)
        raise AssertionError(f"Tab never reached the {role} {name!r}; the focus is on {node}")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        self.hands.close()
        self.a11y.close()


@contextlib.contextmanager
def user_at(env: dict, allow: bool = True):
    user = User(env, allow)
    try:
        yield user
    finally:
        user.stop()


class TextEditor:
    """gnome-text-editor (GTK 4) with a file of its own and a home of its own (it reopens the
    documents of its last session otherwise); its text read through the accessibility tree, as
    a screen reader reads it (no keys: a key pressed to read would land among the app's)."""

    def __init__(self, env: dict, folder: Path) -> None:
        self.file = folder / "target.txt"
        self.file.write_text("", encoding="utf-8")
        home = folder / "editor-home"
        own = {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state")}
        self.process = subprocess.Popen(
            ["gnome-text-editor", "--standalone", str(self.file)],
            env={**env, **own},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.a11y = Accessibility(env["DBUS_SESSION_BUS_ADDRESS"])
        self.view = self.a11y.find("text box", "EditorSourceView", 30, "gnome-text-editor")
        self.hands = MutterKeys(env)
        # Ready when a key typed into mutter lands in it (its window mapped and focused).
        wait_for(self._probe, timeout=30, what="gnome-text-editor's window")
        self.hands.chord(CONTROL, LETTER_A)  # the probe's keys (one or more) selected and erased
        self.hands.tap(BACKSPACE)
        wait_for(lambda: self.text() == "", timeout=10, what="the probe erased")

    def _probe(self) -> bool:
        self.hands.tap(LETTER_X)
        return self.text().startswith("x")

    def text(self) -> str:
        return self.a11y.text(self.view)

    def wait_text(self, expected: str, timeout: float = 10.0) -> str:
        try:
            return wait_for(lambda: (t := self.text()) == expected and t, timeout, repr(expected))
        except AssertionError:
            return self.text()

    def close(self) -> None:
        self.hands.close()
        self.a11y.close()
        self.process.kill()
        self.process.wait(timeout=10)


def test_doctor_on_gnome_asks_once(gnome, tmp_path):
    env = {**gnome, "DICTATION_APP_DATA_DIR": str(tmp_path)}
    with user_at(gnome) as user:
        result = subprocess.run(
            [sys.executable, "-m", "dictation_app", "doctor"], env=env, capture_output=True, text=True, timeout=120
        )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "session: wayland (GNOME)" in out
    assert f"ok    portal (typing): inserted {CHECK_TEXT!r} and read it back intact" in out
    assert f"ok    portal-paste (paste): inserted {CHECK_TEXT!r}" in out
    assert "global shortcut: GNOME's portal has no GlobalShortcuts (before GNOME 48)" in out
    assert user.answered == 1, (out, user.problems)  # one question for both checks


def test_the_user_allows_typing_and_words_go_into_gnome_text_editor(on_gnome, gnome, tmp_path):
    editor = TextEditor(gnome, tmp_path)
    try:
        with user_at(gnome) as user:
            method = PortalTyping(on_gnome)
            method.insert(f"hello gnome, {CHECK_TEXT} through the portal")  # GNOME asks first
            method.erase(len("the portal"))
            method.insert("mutter")
            method.close()
        expected = f"hello gnome, {CHECK_TEXT} through mutter"
        assert editor.wait_text(expected) == expected
        assert user.answered == 1, user.problems
    finally:
        editor.close()


def test_portal_paste_puts_the_old_clipboard_back(on_gnome, gnome, tmp_path):
    editor = TextEditor(gnome, tmp_path)
    try:
        subprocess.run(["wl-copy", "what the user copied"], env=gnome, check=True, timeout=5)
        with user_at(gnome):
            method = PortalPaste(on_gnome)
            method.insert("dictated, naïvely")
            method.close()
        assert editor.wait_text("dictated, naïvely") == "dictated, naïvely"
        held = subprocess.run(["wl-paste", "--no-newline"], env=gnome, capture_output=True, text=True, timeout=5)
        assert held.stdout == "what the user copied"
    finally:
        editor.close()


def test_a_declined_question_is_one_clear_message(on_gnome, gnome):
    from dictation_app.anywhere.portal import RemoteDesktopKeyboard

    with user_at(gnome, allow=False) as user, pytest.raises(InsertError, match=r"\(the user declined\)"):
        RemoteDesktopKeyboard(timeout=30)
    assert user.answered == 1, user.problems


def _pressed(hands: MutterKeys, env: dict, dictating: bool, opened: float = 0.0) -> dict:
    """Ctrl+Alt+D pressed into GNOME Shell until the app is (not) dictating; the status then.
    Pressed again only after a long wait without effect (a press that did run ``toggle`` must
    not be pressed again); the test waits for the shell's grab first (:func:`shortcut_grabbed`)."""
    for _ in range(3):
        hands.chord(CONTROL, ALT, LETTER_D)
        with contextlib.suppress(AssertionError):
            return wait_status(
                env,
                lambda s: s["dictating"] == dictating and s["timings"].get("microphone_at", 0) > opened,
                15,
                "the shortcut's effect",
            )
    raise AssertionError(f"Ctrl+Alt+D never {'started' if dictating else 'stopped'} dictation; the app {status(env)}")


def _words_settled(editor: TextEditor, sessions: Path, before: str, quiet: float = 1.5, timeout: float = 30.0) -> None:
    """Until the editor has shown the words the journal has so far for ``quiet`` seconds, as a
    user sees them in before pressing the shortcut that stops. Pressed while the app types, the
    shortcut's Ctrl+Alt would be held under the app's letters: Ctrl+Alt+A and the like, which
    gnome-text-editor obeys (a CI run lost the last words; locally the whole text went). The app
    cannot tell the user's modifiers on Wayland; DEVELOPERS.md names the risk."""
    deadline, since, last = time.monotonic() + timeout, time.monotonic(), None
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError, IndexError):  # the journal being written
            now = editor.text(), _journal_text(sorted(sessions.iterdir())[-1])
            if now != last:
                since, last = time.monotonic(), now
            elif now[0] == before + now[1] and time.monotonic() - since >= quiet:
                return
        time.sleep(0.1)  # on: the assertion after the stop says what the editor has


def test_toggle_launches_the_app_then_its_gnome_shortcut_dictates_into_gnome_text_editor(
    virtual_mic, gnome, references, tmp_path
):
    """GNOME 43 has no GlobalShortcuts portal: the app makes Preferences' shortcut (Ctrl+Alt+D)
    a custom shortcut in GNOME's settings running ``dictation-app toggle``, as a user would in
    Settings. The first dictation is started by ``dictation-app toggle`` launching the app (it
    reads the focused editor before anything of its own appears) and stopped by the shortcut
    pressed into GNOME Shell; the second is started and stopped by the shortcut. GNOME asks at
    the first dictation only (the app keeps the session), and the words of each are in the
    editor as the app's journal has them. With no tray and no overlay on GNOME, a notification
    of the app's says the microphone is on and where the words go, while it is (this headless
    shell has no freedesktop notification server: GNOME Shell's own takes it). A screenshot is
    taken while dictating (``gnome-dictating.png``)."""
    editor = TextEditor(gnome, tmp_path)
    env = _env(gnome, virtual_mic, tmp_path, "insert=live\nshortcut=Ctrl+Alt+D\n")
    grabs = BusCalls(gnome, "org.gnome.Shell", "GrabAccelerator", "GrabAccelerators")
    notices = BusCalls(gnome, "org.gtk.Notifications", "AddNotification", "RemoveNotification")
    hands = MutterKeys(gnome)
    sessions = Path(env["DICTATION_APP_DATA_DIR"]) / "sessions"
    typed, opened = "", 0.0
    try:
        with user_at(gnome) as user:
            for speech in (SPEECH, SECOND_SPEECH):
                if not typed:
                    ctl(env, "toggle")  # launches the app, dictating
                    started = wait_status(env, lambda s: s["dictating"] and "microphone_at" in s["timings"])
                    shortcut_grabbed(grabs)  # made by the app as it started
                    binding, command = _shortcut(gnome)
                    assert binding == "<Control><Alt>d" and command.endswith(" toggle"), (binding, command)
                else:
                    started = _pressed(hands, env, True, opened)
                opened = started["timings"]["microphone_at"]
                app_id, _, shown = notices.wait("AddNotification").body  # no tray, no overlay: a notification
                assert app_id == "dictation-app", app_id
                assert (shown["title"][1], shown["body"][1]) == (
                    "Dictation: microphone on",
                    "Words go into the focused window.",
                )
                speak(Path(__file__).parent / "data" / speech, env).wait(timeout=180)
                if not typed:
                    gnome_screenshot(gnome, tmp_path / "gnome-dictating.png")
                _words_settled(editor, sessions, typed)
                _pressed(hands, env, False, opened - 1)
                notices.wait("RemoveNotification")  # withdrawn when dictation ends

                def arrived(before=typed) -> str | None:
                    journal = _journal_text(sorted(sessions.iterdir())[-1])
                    return journal if editor.text() == before + journal + "\n" else None

                try:
                    journal = wait_for(arrived, 60, "the words as the journal has them")
                except AssertionError:
                    said = [_journal_text(folder) for folder in sorted(sessions.iterdir())]
                    raise AssertionError(
                        f"the editor has {editor.text()!r}; the journals {said}; the app {status(env)}"
                    ) from None
                assert wer([references[speech]], [journal]) < 0.15, journal
                typed += journal + "\n"
        assert user.answered == 1, user.problems  # asked once for both dictations
    finally:
        grabs.close()
        notices.close()
        hands.close()
        ctl(env, "quit")
        editor.close()
    wait_for(lambda: not status(env)["running"], 30, "quit")


def _shortcut(env: dict) -> tuple[str, str] | None:
    """The app's custom shortcut as GNOME's settings hold it (read as GNOME reads them)."""
    from dictation_app.anywhere import gnome_shortcut

    with pytest.MonkeyPatch.context() as patch:
        for key in ("DBUS_SESSION_BUS_ADDRESS", "XDG_CONFIG_HOME"):
            patch.setenv(key, env[key])
        return gnome_shortcut.bound()


def test_a_fork_that_never_reaches_exec_is_ended():
    """The session's guard against GNOME Shell 43's ibus-daemon spawn that blocks before exec
    (``desktops.StuckForks``): a child still running its parent's program is ended once it has
    been seen for a while; a child that runs another program is left alone."""
    script = (
        "import os, subprocess, time\n"
        "pid = os.fork()\n"
        "if pid == 0:\n    time.sleep(60)\n    os._exit(0)\n"
        "other = subprocess.Popen(['sleep', '60'])\n"
        "print(pid, other.pid, flush=True)\n"
        "os.waitpid(pid, 0)\n"
        "print('ended', other.poll(), flush=True)\n"
        "other.kill()\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        stuck, _ = map(int, parent.stdout.readline().split())
        forks = StuckForks(parent, after_s=0.3)
        wait_for(lambda: forks.end() or forks.ended, 10, "the stuck fork ended")
        assert forks.ended == [stuck]
        assert parent.stdout.readline().split() == ["ended", "None"]  # the other child still runs
    finally:
        parent.kill()
        parent.wait(timeout=10)
