"""``dictation-app --self-test``: the window opens, the default model loads, a bundled sample
transcribes through the window's own queue, and the text is checked. Exit 0 or say what failed.

Runs offscreen when there is no display, and with throwaway settings and data folders, so it
never touches the user's documents.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "assets" / "selftest.flac"
EXPECTED = "ask not what your country can do for you"
TIMEOUT_S = 300


def _say(message: str) -> None:
    print(f"self-test: {message}", flush=True)


def run() -> int:
    """The self-test, in a scratch folder of its own (data, settings, autosaves), removed after."""
    scratch = Path(tempfile.mkdtemp(prefix="dictation-app-selftest-"))
    try:
        return _run(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run(scratch: Path) -> int:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["DICTATION_APP_DATA_DIR"] = str(scratch / "data")

    from PySide6.QtCore import QSettings, QTimer

    from dictation_app.core.file_queue import JobState
    from dictation_app.engine.models import ModelStore
    from dictation_app.settings.store import Settings
    from dictation_app.transcript.autosave import AutosaveStore
    from dictation_app.ui.app import build_window, create_application

    app = create_application([sys.argv[0]])
    settings = Settings(QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat))
    window = build_window(ModelStore(), AutosaveStore(scratch / "autosave"), settings=settings)
    window.docs.ask_unsaved = lambda docs: None  # discard: nothing here is the user's
    window.show()
    _say(f"window opened ({app.platformName()})")
    started = time.monotonic()
    result = {"code": None, "job": None}

    def fail(message: str) -> None:
        _say(f"FAILED: {message}")
        result["code"] = 1
        app.quit()

    def poll() -> None:
        if time.monotonic() - started > TIMEOUT_S:
            return fail(f"no result within {TIMEOUT_S} s (state: {window.state_label.text()})")
        if window.state_label.text() == "no model":
            return fail(window.banner.text())
        if result["job"] is None:
            if window.model is not None:
                _say(f"model {window.model_name} loaded in {time.monotonic() - started:.1f} s")
                _say(f"dictation: {window.no_input or 'a microphone is available'}")
                (result["job"],) = window.files.add([SAMPLE])
            return
        job = result["job"]
        if job.state is JobState.FAILED:
            return fail(f"transcribing the sample: {job.message}")
        if job.state is JobState.DONE:
            text = job.transcript.text
            if EXPECTED not in text.lower().replace(",", ""):
                return fail(f"unexpected text: {text!r}")
            _say(f"transcribed the sample: {text!r}")
            result["code"] = 0
            app.quit()

    timer = QTimer(interval=100)
    timer.timeout.connect(poll)
    timer.start()
    QTimer.singleShot(0, window.load_model)
    app.exec()
    window.close()
    settings.sync()  # now, not when Qt is torn down after the scratch folder is removed
    if result["code"] == 0:
        _say("OK")
    return 1 if result["code"] is None else result["code"]
