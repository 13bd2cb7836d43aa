"""Dictate into the real window by voice (espeak-ng phrases through the virtual microphone,
commands among them) and screenshot the editor and Preferences > Voice into docs/screenshots/.

Run by `scripts/screenshots.sh scripts/screenshots-voice.py` (Xvfb, the virtual microphone, a fresh user)."""

import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from shot import shot as crop_shot  # scripts/shot.py

from dictation_app.ui.app import build_window, create_application

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from speech_synth import synthesize  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
WORK = Path(sys.argv[1])
PHRASES = [
    "Hi Maria",
    "comma",
    "new paragraph",
    "the slides are attached",
    "period",
    "call me tomorrow",
    "scratch that",
    "I will send the notes on Friday",
    "period",
    "stop listening",
]
speech = synthesize(PHRASES, WORK / "said.wav")
app = create_application()
w = build_window()
w.resize(1100, 720)
w.move(0, 0)
w.show()
w.load_model()


def shot(name, widget):
    crop_shot(name, widget, WORK, OUT)


state = {"step": 0, "t": time.monotonic()}


def step():
    s = state["step"]
    if s == 0 and w.record_action.isEnabled():
        w.record_action.trigger()
        state["player"] = subprocess.Popen(["bash", "-c", f"sleep 1; paplay {speech}"])
        state["step"] = 1
    elif s == 1 and state["player"].poll() is not None and w.dictation is None:
        print("DICTATED:", repr(w.docs.dictation_editor.toPlainText()), flush=True)
        shot("voice-dictation", w)
        from dictation_app.ui.widgets.preferences import PreferencesDialog

        dialog = state["dialog"] = PreferencesDialog(w.settings, w)
        dialog.voice.editors["voice/vocabulary"].setPlainText("Kubernetes\nNguyen\nPySide")
        dialog.voice.editors["voice/replacements"].setPlainText(
            "my email address => maria@example.com\nmy email address => other"
        )
        dialog.tabs.setCurrentWidget(dialog.voice)
        dialog.resize(760, 720)
        dialog.move(40, 0)
        dialog.show()
        dialog.accept()  # refused: the duplicate is named, nothing is saved
        state["step"] = 2
        state["t"] = time.monotonic()
    elif s == 2 and time.monotonic() - state["t"] > 1.5:
        shot("preferences-voice", state["dialog"])
        print("PROBLEMS:", state["dialog"].voice.problems_label.text(), flush=True)
        state["dialog"].reject()
        w.docs.ask_unsaved = lambda docs: None
        w.close()
        app.quit()


t = QTimer()
t.timeout.connect(step)
t.start(100)
QTimer.singleShot(180000, app.quit)
app.exec()
