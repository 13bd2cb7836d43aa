"""Drive the real window like a user and screenshot its main states into docs/screenshots/.

Run by scripts/screenshots.sh, which starts Xvfb and the virtual microphone: it dictates a
passage from tests/data through PulseAudio (paplay into the virtual microphone), drops two
audio files and a non-audio one on the window, exports, and plays a transcript.
"""

import shutil
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from shot import shot as crop_shot  # scripts/shot.py

from dictation_app.ui.app import build_window, create_application

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
OUT = ROOT / "docs" / "screenshots"
WORK = Path(sys.argv[1])  # a scratch folder
app = create_application()
w = build_window()
w.resize(1100, 720)
w.move(0, 0)
w.show()
w.load_model()


def shot(name):
    crop_shot(name, w, WORK, OUT)


state = {"t": time.monotonic(), "step": 0, "player": None}


def step():
    s = state["step"]
    if s == 0 and w.record_action.isEnabled():
        ed = w.docs.dictation_editor
        QTest.keyClicks(ed, "Meeting notes, 26 November. ")
        w.record_action.trigger()
        state["player"] = subprocess.Popen(
            ["bash", "-c", f"sleep 1; paplay {DATA / '1089-134686-0000.flac'}; paplay {DATA / '2416-152139-0000.flac'}"]
        )
        state["step"] = 1
        state["t"] = time.monotonic()
    elif s == 1 and time.monotonic() - state["t"] > 9:
        shot("dictating")
        state["step"] = 2
    elif s == 2 and state["player"].poll() is not None:
        w.record_action.trigger()
        state["step"] = 3
    elif s == 3 and w.dictation is None:
        print("DICTATED:", repr(w.docs.dictation_editor.toPlainText()), flush=True)
        print("REVIEW:", w.docs.dictation_editor.words_for_review(), flush=True)
        tmp = WORK / "in"
        tmp.mkdir(exist_ok=True)
        shutil.copy(DATA / "jfk.flac", tmp / "jfk.flac")
        shutil.copy(DATA / "longform-163-122947.flac", tmp / "lecture.flac")
        (tmp / "notes.mp3").write_text("not audio at all\n" * 10)
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(tmp / n)) for n in ("jfk.flac", "lecture.flac", "notes.mp3")])
        QApplication.sendEvent(
            w,
            QDragEnterEvent(
                QPoint(300, 300),
                Qt.DropAction.CopyAction,
                mime,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            ),
        )
        QApplication.sendEvent(
            w,
            QDropEvent(
                QPointF(300, 300),
                Qt.DropAction.CopyAction,
                mime,
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.NoModifier,
            ),
        )
        state["step"] = 4
        state["t"] = time.monotonic()
    elif s == 4 and time.monotonic() - state["t"] > 3:
        shot("queue")
        state["step"] = 5
    elif s == 5 and all(j.state.name in ("DONE", "FAILED", "CANCELLED") for j in w.files.jobs):
        for j in w.files.jobs:
            print("JOB", j.path.name, j.state.name, j.message, flush=True)
        lecture = next(d for d in w.docs.documents if d.title == "lecture.flac")
        w.docs.setCurrentWidget(lecture.widget)
        ed = lecture.widget
        ed.table.clearSelection()  # play from the start; the playing row is highlighted
        w.export.set_format("srt")
        w.export.save_to(WORK / "lecture.srt")
        ed.play_selected()
        state["step"] = 6
        state["t"] = time.monotonic()
    elif s == 6 and time.monotonic() - state["t"] > 14:
        shot("transcript-export")
        state["step"] = 7
        w.export.set_format("vtt")
        w.export.save_to(WORK / "export.vtt")
        w.export.set_format("docx")
        w.export.save_to(WORK / "export.docx")
        state["t"] = time.monotonic()
    elif s == 7 and time.monotonic() - state["t"] > 2:
        state["step"] = 8
        print("exports:", sorted(p.name for p in WORK.glob("*.*") if not p.name.endswith(".png")), flush=True)
        from PySide6.QtWidgets import QDockWidget

        w.findChild(QDockWidget, "History").raise_()
        QTest.keyClicks(w.history.search, "dinner", delay=80)  # a word said in the dictation
        state["t"] = time.monotonic()
    elif s == 8 and time.monotonic() - state["t"] > 1.5:
        shot("history-search")
        state["step"] = 9
        hits = [r for r in w.history.model.rows if hasattr(r, "entry_id")]
        print("HISTORY SEARCH:", [(e.entry_id, e.kind, e.text[:60]) for e in hits], flush=True)
        w.history.refresh(select=hits[0].entry_id)
        w.history.model_box.setCurrentText("base")
        w.history.retranscribe_selected()
        state["first"] = hits[0].entry_id
    elif s == 9 and w.history.selected() is not None and w.history.selected().model == "base":
        state["step"] = 10
        state["t"] = time.monotonic()
    elif s == 10 and time.monotonic() - state["t"] > 1:
        shot("history-versions")
        state["step"] = 11
        print("VERSIONS:", w.history.preview.toPlainText(), flush=True)
        w.docs.ask_unsaved = lambda docs: None
        w.close()
        app.quit()


t = QTimer()
t.timeout.connect(step)
t.start(100)
QTimer.singleShot(300000, app.quit)
app.exec()
