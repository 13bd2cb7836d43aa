"""Dropping files on the window, the queue, the transcript editor and the export pane."""

import shutil

import srt
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from dictation_app.core.file_queue import JobState
from dictation_app.evaluation import wer

from conftest import DATA, make_window
from media import bad_inputs


def drop(window, paths):
    """What a file manager does: drag-enter (the window must accept), then drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(
        QPoint(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        QPointF(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, event)
    assert event.isAccepted()


def test_drop_good_corrupt_and_non_audio_files(qtbot, window, tmp_path, references):
    good = tmp_path / "jfk.flac"
    shutil.copy(DATA / "jfk.flac", good)
    bad = bad_inputs(tmp_path)
    drop(window, [good, bad["corrupt_flac"], bad["text_named_wav"], bad["truncated_flac"]])
    jobs = window.files.jobs
    assert [j.path.name for j in jobs] == ["jfk.flac", "corrupt.flac", "notes.wav", "truncated.flac"]
    qtbot.waitUntil(lambda: all(j.state in (JobState.DONE, JobState.FAILED) for j in jobs), timeout=120_000)
    states = {j.path.name: (j.state, j.message) for j in jobs}
    assert states["jfk.flac"][0] is JobState.DONE
    assert states["notes.wav"] == (
        JobState.FAILED,
        f"{bad['text_named_wav']}: not an audio or video file FFmpeg can read.",
    )
    assert states["truncated.flac"][0] is JobState.FAILED and "truncated or corrupt" in states["truncated.flac"][1]
    assert states["corrupt.flac"][0] is JobState.FAILED
    assert jobs[0].duration and abs(jobs[0].duration - 11.0) < 0.1
    # The finished file opened as a transcript tab.
    doc = window.docs.current()
    assert doc.kind == "transcript" and doc.title == "jfk.flac"
    assert wer([references["jfk.flac"]], [doc.widget.transcript.text]) < 0.1
    tabs = window.docs.count()
    window.files.reopen(jobs[0])  # Open on a finished row shows its tab, not a second editor
    assert window.docs.count() == tabs and window.docs.current() is doc


def test_a_folder_drop_queues_its_media_and_cancel_retry(qtbot, window, tmp_path):
    folder = tmp_path / "recordings"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(DATA / "1089-134686-0000.flac", folder / "a.flac")
    shutil.copy(DATA / "jfk.flac", folder / "sub" / "b.flac")
    (folder / "readme.txt").write_text("not media")
    drop(window, [folder])
    jobs = window.files.jobs
    assert [j.path.name for j in jobs] == ["a.flac", "b.flac"]
    window.files.cancel(jobs[1])  # still waiting: cancelled at once
    assert jobs[1].state is JobState.CANCELLED
    qtbot.waitUntil(lambda: jobs[0].state is JobState.DONE, timeout=120_000)
    window.files.retry(jobs[1])
    qtbot.waitUntil(lambda: jobs[1].state is JobState.DONE, timeout=120_000)
    assert "ask not" in jobs[1].transcript.text.lower()


def test_edit_a_segment_then_export_and_read_it_back(qtbot, window, transcriber, tmp_path):
    transcript = transcriber.transcribe(DATA / "jfk.flac")
    editor = window.docs.open_transcript(transcript).widget
    table, model = editor.table, editor.model
    index = model.index(0, model.TEXT)
    table.setCurrentIndex(index)
    table.edit(index)
    (line_edit,) = table.viewport().findChildren(QLineEdit)  # the delegate's inline editor
    line_edit.selectAll()
    qtbot.keyClicks(line_edit, "And so my fellow citizens, ask not.")
    qtbot.keyClick(line_edit, Qt.Key.Key_Return)  # the delegate commits on a queued call
    qtbot.waitUntil(lambda: model.transcript.segments[0].text == "And so my fellow citizens, ask not.")

    rows = model.rowCount()
    editor.table.selectRow(0)
    editor.split_selected()
    assert model.rowCount() == rows + 1
    editor.undo_action.trigger()
    assert model.rowCount() == rows
    editor.find_edit.setText("citizens")
    editor.replace_edit.setText("Americans")
    editor.replace_all()
    assert "fellow Americans" in model.transcript.segments[0].text

    window.export.set_format("srt")
    assert "fellow Americans" in window.export.preview.toPlainText()
    out = tmp_path / "exported.srt"
    with qtbot.waitSignal(window.export.saved, timeout=10_000):
        window.export.save_to(out)
    cues = list(srt.parse(out.read_text(encoding="utf-8")))
    assert "fellow Americans" in " ".join(c.content.replace("\n", " ") for c in cues)
    assert window.settings.value("export/format") == "srt"
    assert window.settings.value("export/folder") == str(tmp_path)


def test_closing_a_changed_transcript_asks(qtbot, window, transcriber):
    doc = window.docs.open_transcript(transcriber.transcribe(DATA / "jfk.flac"))
    asked = []
    window.docs.ask_unsaved = lambda docs: asked.append(docs) or QMessageBox.StandardButton.Cancel
    assert not window.docs.close_document(doc)
    assert asked == [[doc]] and doc in window.docs.documents
    window.docs.ask_unsaved = lambda docs: QMessageBox.StandardButton.Discard
    assert window.docs.close_document(doc)
    assert doc not in window.docs.documents


def test_a_model_that_fails_to_load_falls_back_to_the_default(qtbot, gui_env, model_store):
    window = make_window(qtbot, gui_env, model_store, load=False)
    window.settings.set_value("model/name", str(gui_env / "no-such-model"))  # the user picks a bad one
    qtbot.waitUntil(lambda: window.model is not None, timeout=120_000)
    assert window.model_name == "tiny.en"
    assert window.banner.isVisible() and "could not be loaded" in window.banner.text()


def test_closing_while_a_file_transcribes_asks_then_cancels(qtbot, window):
    (job,) = window.files.add([DATA / "longform-163-122947.flac"])
    qtbot.waitUntil(lambda: job.state is JobState.RUNNING, timeout=30_000)
    window.ask_quit_while_busy = lambda: False
    window.close()
    assert window.isVisible() and job.state is JobState.RUNNING  # the user said no
    window.ask_quit_while_busy = lambda: True
    window.close()
    assert not window.isVisible()
    assert job.cancel.is_set() and not window.files.running  # stopped, thread joined


def test_export_to_an_unwritable_place_says_so(qtbot, window, transcriber, tmp_path):
    window.docs.open_transcript(transcriber.transcribe(DATA / "jfk.flac"))
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("x")
    messages = []
    window.export.message.connect(messages.append)
    window.export.save_to(blocker / "out.srt")
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert messages[0].startswith("Export failed: Cannot write to"), messages
    assert window.settings.value("export/folder") != str(blocker)


def test_a_name_typed_with_a_formats_extension_is_saved_in_that_format(tmp_path):
    """Save As with the text filter selected and "talk.srt" typed writes subtitles, not text
    under a .srt name (found using the app: the filter alone decided the format)."""
    from dictation_app.ui.widgets.export_pane import export_target

    assert export_target(tmp_path / "talk.srt", "txt") == (tmp_path / "talk.srt", "srt")
    assert export_target(tmp_path / "talk.DOCX", "txt") == (tmp_path / "talk.DOCX", "docx")
    assert export_target(tmp_path / "talk", "vtt") == (tmp_path / "talk.vtt", "vtt")
    assert export_target(tmp_path / "talk.v2", "json") == (tmp_path / "talk.v2.json", "json")
