"""The window's History pane: dictations and dropped files appear, search as you type, open,
copy, re-transcribe beside the first version, delete with its recording."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from dictation_app.audio.sources import FileSource
from dictation_app.core.history import Entry

from conftest import DATA, make_window


def _entries(pane) -> list[Entry]:
    return [r for r in pane.model.rows if isinstance(r, Entry)]


def _select(qtbot, pane, entry_id: int) -> None:
    pane.refresh(select=entry_id)
    qtbot.waitUntil(lambda: pane.selected() is not None and pane.selected().entry_id == entry_id)


def test_dictation_and_a_dropped_file_are_listed_searched_opened_copied(qtbot, gui_env, model_store):
    window = make_window(qtbot, gui_env, model_store, source_factory=lambda: FileSource(DATA / "jfk.flac"))
    pane = window.history
    assert _entries(pane) == [] and "Select one" not in pane.status.text()
    window.toggle_recording()
    qtbot.waitUntil(
        lambda: window.dictation is None and _entries(pane) and _entries(pane)[0].state == "done", timeout=60_000
    )
    window.add_paths([DATA / "1089-134691-0001.flac"])
    qtbot.waitUntil(lambda: len(_entries(pane)) == 2, timeout=60_000)
    newest, dictated = _entries(pane)
    assert newest.kind == "file" and newest.title == "1089-134691-0001.flac"
    assert dictated.kind == "dictation" and dictated.destination == "editor" and "country" in dictated.text.lower()
    assert pane.model.rows[0] is not None and not isinstance(pane.model.rows[0], Entry)  # the day's header

    qtbot.keyClicks(pane.search, "coun")  # as typed: a prefix, after the typing pause
    qtbot.waitUntil(lambda: [e.entry_id for e in _entries(pane)] == [dictated.entry_id])
    qtbot.keyClicks(pane.search, "tryside")
    qtbot.waitUntil(lambda: _entries(pane) == [] and "Nothing found" in pane.status.text())
    pane.search.clear()
    qtbot.waitUntil(lambda: len(_entries(pane)) == 2)

    _select(qtbot, pane, dictated.entry_id)
    assert dictated.text in pane.preview.toPlainText()
    pane.copy_selected()
    assert QGuiApplication.clipboard().text() == dictated.text
    tabs = window.docs.count()
    pane.open_selected()
    qtbot.waitUntil(lambda: window.docs.count() == tabs + 1)
    opened = window.docs.current()
    assert opened.kind == "transcript" and opened.widget.transcript.segments[0].words  # timestamped, editable


def test_re_transcribe_keeps_both_versions_and_delete_removes_the_recording(qtbot, gui_env, model_store, references):
    window = make_window(qtbot, gui_env, model_store, source_factory=lambda: FileSource(DATA / "jfk.flac"))
    pane = window.history
    window.toggle_recording()
    qtbot.waitUntil(
        lambda: window.dictation is None and _entries(pane) and _entries(pane)[0].state == "done", timeout=60_000
    )
    (first,) = _entries(pane)
    _select(qtbot, pane, first.entry_id)
    pane.model_box.setCurrentText("base")
    pane.retranscribe_selected()
    qtbot.waitUntil(lambda: len(_entries(pane)) == 2, timeout=120_000)
    qtbot.waitUntil(lambda: pane.selected() is not None and pane.selected().model == "base")
    preview = pane.preview.toPlainText()
    assert preview.index(first.text) < preview.index(pane.selected().text)  # the first version, then the new one
    assert f"version of #{first.entry_id}" in preview

    asked = []
    pane.ask_delete = lambda entry, versions: asked.append(versions) or True
    folder = Path(first.transcript)
    assert folder.is_dir()
    pane.delete_selected()
    qtbot.waitUntil(lambda: _entries(pane) == [], timeout=10_000)
    assert asked == [2] and not folder.exists()


def test_insert_types_an_entry_into_the_application_with_the_focus(qtbot, gui_env, model_store, x11, tmp_path):
    """Insert, through the dictation-anywhere layer, into a real xterm on X11 (Xvfb, openbox)."""
    from dictation_app.anywhere.desktop import Desktop
    from dictation_app.ui.anywhere import AnywhereController
    from dictation_app.ui.history_insert import HistoryInserter

    from desktops import xterm

    window = make_window(qtbot, gui_env, model_store, load=False)
    controller = AnywhereController(window, Desktop.detect(x11), listen=False)
    inserter = HistoryInserter(controller)
    term = xterm(x11, tmp_path)
    try:
        inserter.deliver("Kept in the history, typed again.")
        qtbot.waitUntil(lambda: "Inserted into target" in window.statusBar().currentMessage(), timeout=15_000)
        subprocess.run(["xdotool", "key", "Return"], env=x11, check=True)  # the terminal reads a line at a time
        assert term.wait_text("Kept in the history, typed again.\n") == "Kept in the history, typed again.\n"
    finally:
        term.close()
    controller.desktop = Desktop.detect({"PATH": "/usr/bin:/bin"})  # no desktop session at all
    inserter.deliver("nowhere to go")
    assert "No other application has the focus" in window.banner.text()
