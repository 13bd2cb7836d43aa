"""Dictating into the editor: live words at the cursor while the user types elsewhere."""

import re
from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from dictation_app.audio.sources import FileSource
from dictation_app.engine.events import Revision
from dictation_app.evaluation import wer
from dictation_app.transcript import Word
from dictation_app.ui.widgets.dictation_editor import DictationEditor

from conftest import DATA, make_window

SPEECH = DATA / "1089-134686-0000.flac"


def _words(text: str) -> Counter:
    return Counter(w.strip(".,!?;:").lower() for w in text.split())


def test_dictation_goes_in_at_the_cursor_while_the_user_types(qtbot, gui_env, model_store, references):
    window = make_window(qtbot, gui_env, model_store, source_factory=lambda: FileSource(SPEECH, realtime=True))
    editor = window.docs.dictation_editor
    qtbot.keyClicks(editor, "Notes: ")
    commits = []
    qtbot.waitUntil(window.record_action.isEnabled, timeout=60_000)
    window.record_action.trigger()
    assert window.dictation is not None, (
        window.model,
        window.no_input,
        window.state_label.text(),
        window.banner.text(),
        window.record_action.isEnabled(),
    )
    window.dictation.worker.committed.connect(lambda words: commits.append("".join(w.text for w in words)))
    qtbot.waitUntil(lambda: len(commits) >= 1, timeout=60_000)
    assert editor.toPlainText().startswith("Notes: ")

    # The user goes to the top and types a title while dictation goes on.
    qtbot.keyClick(editor, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "Title line ")
    assert window.state_label.text() in ("listening", "hearing speech", "decoding")
    qtbot.waitUntil(lambda: window.dictation is None, timeout=120_000)

    text = editor.toPlainText()
    assert text.startswith("Title line ")  # typed text intact, nothing inside it
    assert "Notes: " in text
    dictated = " ".join(commits)
    assert wer([references[SPEECH.name]], [dictated]) < 0.15, dictated
    # Every committed word is in the document once, and nothing else was added.
    assert _words(text) == _words("Title line Notes: " + dictated)
    assert editor.tentative_text == ""
    latency = re.fullmatch(r"commit latency (\d+\.\d) s", window.latency_label.text())
    assert latency and 0.0 < float(latency.group(1)) < 10.0

    session = window.docs.dictation.session
    assert session and (gui_env / "data" / "sessions").exists()
    window.open_dictation_transcript()  # its recording opens as a timestamped transcript
    qtbot.waitUntil(lambda: window.docs.count() == 2, timeout=30_000)
    transcript = window.docs.current().widget.transcript
    assert transcript.segments and transcript.segments[0].end > transcript.segments[0].start


def test_tentative_tail_is_not_in_the_document_or_undo(qtbot):
    editor = DictationEditor()
    qtbot.addWidget(editor)
    editor.setPlainText("Typed. ")
    editor.moveCursor(QTextCursor.MoveOperation.End)

    def words(*texts, p=0.9):
        return tuple(Word(0, 0, t, p) for t in texts)

    editor.set_tentative(words(" maybe", " this"))
    assert editor.toPlainText() == "Typed. " and editor.document().availableUndoSteps() == 0
    assert editor.tentative_text == "maybe this"
    editor.add_committed(words(" Hello", " world."))
    editor.add_committed(words(" Second", " chunk.", p=0.2))
    assert editor.toPlainText() == "Typed. Hello world. Second chunk."
    assert editor.words_for_review() == ["Second", "chunk."]
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, " typed")  # typing right after a marked word does not extend the mark
    assert editor.words_for_review() == ["Second", "chunk."]
    editor.undo()  # the typing is its own undo step
    assert editor.toPlainText() == "Typed. Hello world. Second chunk."
    editor.undo()  # one commit at a time
    assert editor.toPlainText() == "Typed. Hello world."
    editor.redo()
    assert editor.toPlainText().endswith("Second chunk.")


def test_a_revised_utterance_is_one_undoable_replacement(qtbot):
    editor = DictationEditor()
    qtbot.addWidget(editor)
    editor.setPlainText("Typed. ")
    editor.moveCursor(QTextCursor.MoveOperation.End)

    def words(*texts):
        return tuple(Word(0, 0, t, 0.9) for t in texts)

    editor.add_committed(words(" First."))
    editor.add_committed(words(" he", " hope"))
    editor.add_committed(words(" it", " rains"))
    editor.revise(Revision(words(" He", " hoped", " it", " rains."), count=4))
    assert editor.toPlainText() == "Typed. First. He hoped it rains."
    assert editor.textCursor().position() == len(editor.toPlainText())  # the cursor stays after it
    editor.add_committed(words(" Next"))
    assert editor.toPlainText() == "Typed. First. He hoped it rains. Next"
    editor.undo()
    editor.undo()  # the revision is one step: the live words come back
    assert editor.toPlainText() == "Typed. First. he hope it rains"

    # Words the user changed are theirs: the revision leaves them alone.
    editor.setPlainText("")
    editor.add_committed(words(" he", " hope"))
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.insertText("Note:")  # before the dictated words, not inside them: still revisable
    editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.revise(Revision(words(" He", " hoped."), count=2))
    assert editor.toPlainText() == "Note: He hoped."
    editor.add_committed(words(" so", " it"))
    cursor.setPosition(len("Note: He hoped. s"))
    cursor.insertText("!")  # inside the commit
    editor.revise(Revision(words(" So", " it."), count=2))
    assert editor.toPlainText() == "Note: He hoped. s!o it"


def test_each_dictation_is_spaced_from_the_text_before_it(qtbot):
    """A dictation's first word comes with no space (the voice stage strips it): after the last
    dictation's words it gets one, as it does after the user's "Notes:"; revised, it keeps it."""
    editor = DictationEditor()
    qtbot.addWidget(editor)

    def words(*texts):
        return tuple(Word(0, 0, t, 0.9) for t in texts)

    editor.add_committed(words("wait", " no", " longer"))
    editor.end_dictation()
    assert editor.toPlainText() == "wait no longer"  # nothing before it: no space
    editor.set_tentative(words("For", " a"))
    assert editor.tentative_text == " For a"  # the grey words show where they will go
    editor.add_committed(words("For", " a"))
    editor.add_committed(words("-", "full"))  # within a dictation, words go as they come
    editor.revise(Revision(words("For", " a", " full"), count=4))
    editor.end_dictation()
    assert editor.toPlainText() == "wait no longer For a full"
    editor.undo()
    assert editor.toPlainText() == "wait no longer For a-full"

    editor.setPlainText("Notes:")
    editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.add_committed(words("He", " hoped"))
    editor.end_dictation()
    assert editor.toPlainText() == "Notes: He hoped"
    editor.insertPlainText(" (")
    editor.add_committed(words("one", "."))  # after an opening bracket: no space; a mark goes right on
    assert editor.toPlainText() == "Notes: He hoped (one."


def test_a_revision_of_commits_still_waiting_for_the_typist(qtbot):
    editor = DictationEditor()
    qtbot.addWidget(editor)
    editor.show()
    qtbot.keyClicks(editor, "hel")
    editor.add_committed((Word(0, 1, " spoke", 0.9),))
    editor.revise(Revision((Word(0, 1, " spoken.", 0.9),), count=1))
    assert editor.toPlainText() == "hel" and "spoken." in editor.tentative_text
    qtbot.keyClicks(editor, "lo ")
    qtbot.waitUntil(lambda: "spoken" in editor.toPlainText(), timeout=5_000)
    assert editor.toPlainText() == "hello spoken."


def test_commits_wait_while_the_user_is_typing(qtbot):
    editor = DictationEditor()
    qtbot.addWidget(editor)
    editor.show()
    qtbot.keyClicks(editor, "hel")
    editor.add_committed((Word(0, 1, " spoken", 0.9),))
    assert editor.toPlainText() == "hel"  # not inside the word being typed
    assert "spoken" in editor.tentative_text  # shown, still pending
    qtbot.keyClicks(editor, "lo ")
    qtbot.waitUntil(lambda: "spoken" in editor.toPlainText(), timeout=5_000)
    assert editor.toPlainText() == "hello spoken"


def test_the_window_tray_and_overlay_say_the_microphone_is_open_before_it_opens(qtbot, gui_env, model_store):
    from dictation_app.anywhere.desktop import Desktop
    from dictation_app.ui.anywhere import AnywhereController
    from dictation_app.ui.tray import Tray

    signs_at_open = []

    class Watched(FileSource):  # what each sign said when the dictation opened its input
        def start(self):
            signs_at_open.append((window.mic_sign.open, controller.overlay.mic.open, controller.tray.icon.toolTip()))
            super().start()

    window = make_window(qtbot, gui_env, model_store, source_factory=lambda: Watched(DATA / "jfk.flac", realtime=True))
    controller = AnywhereController(window, Desktop.detect({}), listen=False)
    controller.tray = controller.tray or Tray(controller)  # offscreen has no tray area: the icon all the same
    controller._show_idle()
    assert window.mic_sign.isHidden() and controller.overlay.mic.text() == "Mic off"
    assert controller.tray.icon.toolTip() == "Dictation: idle"
    window.record_action.trigger()
    qtbot.waitUntil(lambda: bool(signs_at_open), timeout=30_000)
    assert signs_at_open == [(True, True, "Dictation: microphone on")]
    assert not window.mic_sign.isHidden() and "Mic on" in window.mic_sign.text()
    assert "Mic on" in controller.overlay.mic.text() and controller.overlay.isVisible()
    window.record_action.trigger()
    qtbot.waitUntil(lambda: window.dictation is None, timeout=60_000)
    assert window.mic_sign.isHidden() and not window.mic_sign.open
    assert controller.overlay.mic.text() == "Mic off" and controller.tray.icon.toolTip() == "Dictation: idle"
    controller.shutdown()
    window.set_close_to_tray(lambda: False)  # the tray made here is not one to live in


def test_the_tray_offers_the_modes_and_a_mode_picked_there_goes_over_the_rules(qtbot, gui_env, model_store):
    from dictation_app.anywhere.delivery import Target
    from dictation_app.anywhere.desktop import Desktop
    from dictation_app.ui.anywhere import AnywhereController
    from dictation_app.ui.tray import Tray

    window = make_window(qtbot, gui_env, model_store, load=False)
    controller = AnywhereController(window, Desktop.detect({}), listen=False)
    controller.tray = controller.tray or Tray(controller)  # offscreen has no tray area: the menu all the same
    controller.tray.writing_mode_chosen.connect(controller.pick_mode)
    controller._offer_modes()
    actions = controller.tray.writing_actions
    assert list(actions) == ["", "Prose", "Casual", "Terminal", "Code"] and actions[""].isChecked()
    modes = window.options().modes
    assert controller.mode_for(Target("XTerm", "bash"), modes).name == "Terminal"  # by the rules
    actions["Code"].trigger()
    assert controller.mode_for(Target("XTerm", "bash"), modes).name == "Code"
    assert window.statusBar().currentMessage() == "Dictations are written in Code mode."
    actions[""].trigger()
    assert controller.mode_for(Target("l3afpad", "note.txt"), modes).name == "Prose"
    window.settings.set_value("modes/custom", "Mail: style=sentence, insert=on_finish")
    assert "Mail" in controller.tray.writing_actions  # a mode the user adds is offered at once
    controller.shutdown()
    window.set_close_to_tray(lambda: False)


def test_no_microphone_gives_a_message_not_a_crash(tmp_path):
    import os
    import subprocess
    import sys

    script = (
        "from PySide6.QtCore import QTimer\n"
        "from dictation_app.ui.app import create_application, build_window\n"
        "app = create_application()\n"
        "w = build_window(); w.show(); w.load_model()\n"
        "def poll():\n"
        "    if w.model is None or w.dictation is not None:\n"
        "        return\n"
        "    if w.record_action.isEnabled() and not w.banner.isVisible():\n"
        "        w.record_action.trigger()  # the system lists a device: trying it fails\n"
        "    elif w.banner.isVisible():\n"
        "        print('BANNER:', w.banner.text()); print('QUEUE:', w.files.ready)\n"
        "        app.quit()\n"
        "t = QTimer(); t.timeout.connect(poll); t.start(100)\n"
        "QTimer.singleShot(90000, app.quit)\n"
        "app.exec()\n"
    )
    empty = tmp_path / "xdg"
    empty.mkdir(mode=0o700)
    env = {
        **os.environ,
        "XDG_RUNTIME_DIR": str(empty),
        "QT_QPA_PLATFORM": "offscreen",
        "DICTATION_APP_DATA_DIR": str(tmp_path / "data"),
        "HOME": str(tmp_path),
    }
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=180)
    assert "Traceback" not in result.stderr, result.stderr
    banner = next(line for line in result.stdout.splitlines() if line.startswith("BANNER:"))
    assert "microphone" in banner.lower(), result.stdout + result.stderr
    assert "QUEUE: True" in result.stdout  # file transcription still works
    assert not (tmp_path / "data" / "sessions").exists()  # no empty session left behind


def test_the_shortcut_pressed_again_while_the_model_loads_calls_the_start_off(qtbot, gui_env, model_store):
    """A start waits for the model (launched by ``dictation-app start``, the app starts
    dictating once it is loaded); pressed again meanwhile, nothing starts once it is."""
    from dictation_app.anywhere.desktop import Desktop
    from dictation_app.ui.anywhere import AnywhereController, RemoteState

    window = make_window(qtbot, gui_env, model_store, load=False)
    controller = AnywhereController(window, Desktop.detect({}), listen=False)
    controller.toggle()
    assert controller.state == RemoteState.WAITING_FOR_MODEL
    controller.toggle()
    assert controller.state == RemoteState.IDLE
    window.load_model()
    qtbot.waitUntil(lambda: window.model is not None, timeout=120_000)
    qtbot.wait(200)
    assert window.dictation is None and controller.state == RemoteState.IDLE
    controller.shutdown()


class _Gated(FileSource):
    """A file in audio time that stops at ``at_s`` (as a microphone with nothing yet) until
    :attr:`go` is set: everything before it has gone through the engine and the stages when
    :attr:`reached` is set."""

    def __init__(self, path, at_s: float) -> None:
        import threading

        super().__init__(path)
        self.at = int(at_s * 16_000)
        self.reached, self.go = threading.Event(), threading.Event()

    def read(self, timeout=None):
        import numpy as np

        if self.position >= self.at and not self.go.is_set():
            self.reached.set()
            self.go.wait(timeout if timeout is not None else 0.1)
            return np.zeros(0, np.float32)
        return super().read(timeout)


def test_a_mode_picked_while_dictating_into_xterm_writes_the_words_after_it(qtbot, gui_env, model_store, x11, tmp_path):
    """``dictation-app mode code`` (or the tray) while words go into xterm in Prose: those
    committed keep their form, the words after are written in the code style; xterm gets what
    the editor shows. Driven in audio time: the source waits at 2.5 s until the mode is picked."""
    from dictation_app.anywhere.delivery import Target
    from dictation_app.anywhere.desktop import Desktop
    from dictation_app.ui.anywhere import AnywhereController

    from desktops import xterm

    term = xterm(x11, tmp_path, title="shell")
    source = _Gated(DATA / "1089-134691-0001.flac", at_s=2.5)  # "For a full hour he had paced up and down, ..."
    window = make_window(qtbot, gui_env, model_store, source_factory=lambda: source)
    window.settings.set_value("modes/rules", "")  # xterm gets Prose, the default
    window.settings.set_value("anywhere/after", "newline")  # the terminal's `cat` hands on whole lines
    controller = AnywhereController(window, Desktop.detect({"DISPLAY": x11["DISPLAY"]}), listen=False)
    try:
        controller._next_target = Target("XTerm", "shell", term.window)
        controller._begin()
        assert controller.status()["writing_mode"] == "Prose"
        assert source.reached.wait(60)
        controller.handle("mode Code")
        assert controller.status()["writing_mode"] == "Code" and "Code mode" in controller.overlay.target.text()
        source.go.set()
        qtbot.waitUntil(lambda: window.dictation is None, timeout=60_000)
        text = window.docs.dictation_editor.toPlainText().strip()
        assert text.startswith("For ") and text.endswith(" longer"), text  # committed before, and after
        assert not set(",.") & set(" ".join(text.split()[-4:])), text  # the decoder's marks are gone after it
        assert wer(["for a full hour he had paced up and down waiting but he could wait no longer"], [text]) < 0.1
        assert term.wait_text(text + "\n", 30) == text + "\n"
    finally:
        controller.shutdown()
        window.set_close_to_tray(lambda: False)
        term.close()
