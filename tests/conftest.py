from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def _a_session_per_worker() -> None:
    """Under pytest-xdist (``make test PYTEST_WORKERS=2``), each worker is a user session of its own,
    as two logged-in users are: its own home (Qt's test-mode settings, PulseAudio's cookie) and
    runtime folder (its PulseAudio and virtual microphone, the app's control socket), so one
    worker's app never answers the other's ``toggle`` and neither hears the other's speech."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    import tempfile

    session = Path(tempfile.gettempdir()) / f"dictation-app-tests-{os.getuid()}-{worker}"
    for name in ("home", "runtime"):
        (session / name).mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ.update(HOME=str(session / "home"), XDG_RUNTIME_DIR=str(session / "runtime"))
    for key in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ.pop(key, None)


_a_session_per_worker()


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory):
    """Never touch the user's model cache or data (sessions, history): every test (and CLI
    child) uses fresh ones; a test that looks at its data sets its own folder."""
    cache = tmp_path_factory.mktemp("cache")
    os.environ["DICTATION_APP_CACHE_DIR"] = str(cache)
    os.environ["DICTATION_APP_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    return cache


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def references() -> dict[str, str]:
    with open(DATA / "manifest.tsv", encoding="utf-8") as f:
        return {row["path"]: row["reference_text"] for row in csv.DictReader(f, delimiter="\t")}


@pytest.fixture(scope="session")
def model():
    from dictation_app.engine import ModelStore

    return ModelStore().load("tiny.en")


@pytest.fixture(scope="session")
def transcriber(model):
    from dictation_app.engine import FileTranscriber

    return FileTranscriber(model, "tiny.en")


def run_cli(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run the installed CLI the way a user does, in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "dictation_app", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def assert_clean_error(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "dictation-app: error:" in stderr, stderr


@pytest.fixture(scope="session")
def virtual_mic():
    """PulseAudio with a null sink whose monitor is the default source (scripts/virtual-mic.sh).

    Returns the environment for clients. In CI this must work: a missing PulseAudio fails
    the test instead of skipping it.
    """
    import shutil

    if shutil.which("pulseaudio") is None or shutil.which("paplay") is None:
        if os.environ.get("CI"):
            pytest.fail("PulseAudio is not installed; .ci/run (make test) must install it")
        pytest.skip("PulseAudio not installed (make test installs it)")
    script = Path(__file__).parents[1] / "scripts" / "virtual-mic.sh"
    runtime = subprocess.run(["bash", str(script)], check=True, capture_output=True, text=True).stdout.strip()
    os.environ["XDG_RUNTIME_DIR"] = runtime  # PortAudio in this process finds the server too
    return {**os.environ, "XDG_RUNTIME_DIR": runtime}


def speak(path: Path, env: dict, delay_s: float = 0.0) -> subprocess.Popen:
    """Play a file into the virtual microphone (paplay), optionally after a delay."""
    return subprocess.Popen(["bash", "-c", f"sleep {delay_s}; exec paplay '{path}'"], env=env)


# -- the desktop app ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def model_store():
    """One store for every window, so the model loads once per test session."""
    from dictation_app.engine import ModelStore

    return ModelStore()


@pytest.fixture(scope="session")
def qapp(qapp):
    """pytest-qt's application, running the full collections workers ask for, as the app's own."""
    from dictation_app.ui.collector import collect_on_gui_thread

    collect_on_gui_thread(qapp)
    return qapp


@pytest.fixture(autouse=True)
def collect_between_tests():
    """A full collection a test's worker asked for runs on the main thread before the next test."""
    yield
    from dictation_app import garbage

    garbage.collect_due()


@pytest.fixture
def gui_env(qapp, tmp_path, monkeypatch):
    """Test-mode paths, and a data folder of this test's own (sessions, autosaves)."""
    from PySide6.QtCore import QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    qapp.setOrganizationName("dictation-app-tests")
    qapp.setApplicationName("dictation-app-tests")
    monkeypatch.setenv("DICTATION_APP_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


@pytest.fixture
def said(monkeypatch):
    """What the window has a screen reader say (the real announcement is made as well)."""
    heard: list[str] = []
    from dictation_app.ui import main_window

    real = main_window.announce

    def announce(widget, text, urgent=False):
        heard.append(text)
        real(widget, text, urgent)

    monkeypatch.setattr(main_window, "announce", announce)
    return heard


def make_settings(folder: Path):
    from PySide6.QtCore import QSettings

    from dictation_app.settings.store import Settings

    return Settings(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))


def make_window(qtbot, folder: Path, store, source_factory=None, load=True):
    from PySide6.QtWidgets import QMessageBox

    from dictation_app.transcript.autosave import AutosaveStore
    from dictation_app.ui.app import build_window

    window = build_window(
        store,
        AutosaveStore(folder / "data" / "autosave"),
        settings=make_settings(folder),
        source_factory=source_factory,
    )
    # Unsaved documents are the test's business: closing never opens a dialog here.
    window.docs.ask_unsaved = lambda docs: QMessageBox.StandardButton.Discard
    qtbot.addWidget(window)
    window.show()
    if load:
        window.load_model()
        # ModelReady (which enables Record) is delivered one posted call after the model is set
        qtbot.waitUntil(
            lambda: window.model is not None and bool(window.record_action.isEnabled() or window.no_input),
            timeout=120_000,
        )
    return window


@pytest.fixture
def window(qtbot, gui_env, model_store):
    return make_window(qtbot, gui_env, model_store)


# -- real desktops (X11 and Wayland) for dictation anywhere ---------------------------------

from local_hub import base_folder, local_hub  # noqa: E402,F401  (a local Hugging Face hub)

from desktops import gnome, kde, sway, x11  # noqa: E402,F401  (session fixtures, one of each per worker)

#: The files that take longest (20 s to over a minute in ``make test``'s durations). Under
#: pytest-xdist they are handed out first, so that the two workers end together rather than
#: one running a long file picked up last while the other waits.
SLOW_FILES = [
    "test_anywhere_app.py",
    "test_streaming.py",
    "test_history.py",
    "test_voice_audio.py",
    "test_gnome.py",
    "test_kde.py",
    "test_transcriber.py",
    "test_typing.py",
    "test_capture.py",
    "test_cli.py",
    "test_accessibility.py",
]


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected
def pytest_collection_modifyitems(config, items):
    from package_build import schedule

    if os.environ.get("PYTEST_XDIST_WORKER"):
        rank = {name: i for i, name in enumerate(SLOW_FILES)}
        items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: each file's own order kept
    schedule(config, items)
