"""Settings survive a restart; documents survive a crash."""

import os
import signal
import subprocess
import sys
import textwrap

from dictation_app.settings import SETTINGS
from dictation_app.transcript.autosave import AutosaveStore
from dictation_app.ui.widgets.preferences import PreferencesDialog

from conftest import DATA, make_settings, make_window


def test_settings_survive_a_restart(qtbot, gui_env, model_store):
    first = make_window(qtbot, gui_env, model_store, load=False)
    first.language_box.setCurrentText("fr")
    first.language_box.activated.emit(first.language_box.currentIndex())
    dialog = PreferencesDialog(first.settings, first)
    dialog.editors["dictation/vad_threshold"].setValue(0.35)
    dialog.editors["decoding/hotwords"].setText("Macháček LocalAgreement")
    dialog.editors["model/compute_type"].setCurrentText("float32")
    dialog.accept()
    first.export.set_format("vtt")
    first.close()
    first.settings.sync()

    settings = make_settings(gui_env)  # a new process would read the same file
    assert settings.value("decoding/language") == "fr"
    assert settings.value("dictation/vad_threshold") == 0.35
    assert settings.value("decoding/hotwords") == "Macháček LocalAgreement"
    assert settings.value("model/compute_type") == "float32"
    assert settings.value("export/format") == "vtt"
    second = make_window(qtbot, gui_env, model_store, load=False)
    assert second.language_box.currentText() == "fr"
    assert second.export.format_name == "vtt"
    options = second.options().streaming
    assert options.language == "fr" and options.vad.threshold == 0.35 and options.hotwords == "Macháček LocalAgreement"


def test_every_setting_has_a_valid_default_and_rejects_junk():
    for setting in SETTINGS:
        assert setting.coerce(None) == setting.default
        assert isinstance(setting.default, setting.type)
        if setting.choices:
            assert setting.default in setting.choices and setting.coerce("junk") == setting.default
    threshold = next(s for s in SETTINGS if s.key == "dictation/vad_threshold")
    assert threshold.coerce("0.4") == 0.4 and threshold.coerce("7") == threshold.default


CRASHING_APP = textwrap.dedent("""
    import os, sys
    from PySide6.QtCore import QTimer
    from dictation_app.transcript.autosave import AutosaveStore
    from dictation_app.ui.app import create_application, build_window
    from dictation_app.engine import FileTranscriber, ModelStore

    app = create_application()
    store = ModelStore()
    window = build_window(store, AutosaveStore(sys.argv[1]))
    window.show()
    window.docs.dictation_editor.insertPlainText("Dictated before the crash.")
    transcript = FileTranscriber(store.load("tiny.en"), "tiny.en").transcribe(sys.argv[2])
    editor = window.docs.open_transcript(transcript).widget
    editor.model.setData(editor.model.index(0, 2), "Edited before the crash.")
    def saved():  # both written whole (a write in flight is a hidden .part file beside them)
        if len([name for name in os.listdir(sys.argv[1]) if name.endswith(".json")]) == 2:
            print("AUTOSAVED", flush=True)
            os.kill(os.getpid(), 9)  # a crash: no closeEvent, no cleanup
    timer = QTimer(); timer.timeout.connect(saved); timer.start(100)
    app.exec()
""")


def test_restore_after_a_crash(qtbot, gui_env, model_store):
    autosave = gui_env / "data" / "autosave"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(gui_env)}
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_APP, str(autosave), str(DATA / "jfk.flac")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert crashed.returncode == -signal.SIGKILL and "AUTOSAVED" in crashed.stdout, crashed.stderr
    assert len(AutosaveStore(autosave).left_over()) == 2

    window = make_window(qtbot, gui_env, model_store, load=False)
    offered = []
    window.offer_restore(ask=lambda docs: offered.append(docs) or True)
    assert sorted(d.kind for d in offered[0]) == ["dictation", "transcript"]
    assert window.docs.dictation_editor.toPlainText() == "Dictated before the crash."
    transcript = window.docs.documents[1].widget.transcript
    assert transcript.segments[0].text == "Edited before the crash."
    assert "ask what you can do for your country" in transcript.text
    # Restored documents stay protected until closed deliberately...
    qtbot.waitUntil(lambda: len(list(autosave.glob("*.json"))) == 2, timeout=10_000)
    window.close()  # ...and a deliberate close (Discard) removes them.
    assert list(autosave.glob("*.json")) == []
