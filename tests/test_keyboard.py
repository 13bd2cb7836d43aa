"""The window by keyboard alone: every menu item has a mnemonic, every pane a key, unsure words
are found with F8 and said, and a spoken edit that cannot be made is said, not dropped."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from dictation_app.engine.events import Revision
from dictation_app.transcript import Word
from dictation_app.ui.tray import Tray

from conftest import make_window


@pytest.fixture
def window(qtbot, gui_env, model_store):
    window = make_window(qtbot, gui_env, model_store, load=False)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def key(qtbot, window, name: str) -> None:
    """Press a key sequence ("Ctrl+3", "Shift+F8") where the focus is, as a user does."""
    from PySide6.QtGui import QKeySequence

    combo = QKeySequence(name)[0]
    qtbot.keyClick(QApplication.focusWidget() or window, combo.key(), combo.keyboardModifiers())


def words(*pairs: tuple[str, float]) -> tuple[Word, ...]:
    return tuple(Word(i, i + 0.5, text, p) for i, (text, p) in enumerate(pairs))


def test_every_menu_item_has_a_mnemonic_and_every_pane_a_key(qtbot, window):
    missing = [
        action.text()
        for menu in window.menuBar().actions()
        for action in [menu, *menu.menu().actions()]
        if not action.isSeparator() and "&" not in action.text()
    ]
    tray = Tray()
    missing += [a.text() for a in tray.menu.actions() if not a.isSeparator() and "&" not in a.text()]
    assert missing == []
    for sequence, where in (
        ("Ctrl+3", window.history.search),
        ("Ctrl+2", window.queue.view),
        ("Ctrl+4", window.export.format_box),
        ("Ctrl+1", window.docs.dictation_editor),
    ):
        key(qtbot, window, sequence)
        assert QApplication.focusWidget() is where, sequence


def test_f8_selects_each_unsure_word_and_says_which(qtbot, window, said):
    editor = window.docs.dictation_editor
    key(qtbot, window, "F8")
    assert said[-1] == "No unsure words"
    editor.add_committed(words((" Ask", 0.9), (" Krillin", 0.3), (" about", 0.9), (" Roniki.", 0.2)))
    editor.moveCursor(editor.textCursor().MoveOperation.Start)
    key(qtbot, window, "F8")
    assert editor.textCursor().selectedText() == "Krillin" and said[-1] == "Unsure word 1 of 2: Krillin"
    key(qtbot, window, "F8")
    assert editor.textCursor().selectedText() == "Roniki." and said[-1] == "Unsure word 2 of 2: Roniki."
    key(qtbot, window, "F8")  # round to the first
    assert said[-1] == "Unsure word 1 of 2: Krillin"
    key(qtbot, window, "Shift+F8")  # and back, round to the last
    assert said[-1] == "Unsure word 2 of 2: Roniki."
    assert window.statusBar().currentMessage() == said[-1]
    qtbot.keyClicks(editor, "Ronicky.")  # typed over the selection: no longer unsure
    key(qtbot, window, "F8")
    assert said[-1] == "Unsure word 1 of 1: Krillin"


def test_a_spoken_edit_on_words_the_user_changed_is_said_not_dropped(qtbot, window, said):
    editor = window.docs.dictation_editor
    editor.add_committed(words((" Send", 0.9), (" the", 0.9), (" draft.", 0.9)))
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " Now")  # the user's own words
    editor.moveCursor(editor.textCursor().MoveOperation.Start)
    editor.textCursor().insertText("Please ")  # the dictated words are still there, moved
    window._revise(Revision((), count=3, commits=1, command="scratch that"))
    assert "draft" not in editor.toPlainText() and said == []  # moved by the user's text, still as dictated: done
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    editor.add_committed(words((" Call", 0.9), (" Anna.", 0.9)))
    qtbot.waitUntil(lambda: "Anna" in editor.toPlainText())  # once the user paused typing
    cursor = editor.textCursor()
    cursor.setPosition(editor.toPlainText().index("Anna") + 3)
    cursor.setPosition(cursor.position() + 1, cursor.MoveMode.KeepAnchor)
    cursor.insertText("e")  # "Anna" became "Anne" by hand
    window._revise(Revision((), count=2, commits=1, command="scratch that"))
    assert editor.toPlainText().endswith("Call Anne.")
    assert said[-1] == "'scratch that' was not done: the words it changes were edited. What is there stays."
    assert window.statusBar().currentMessage() == said[-1]


def test_tab_goes_round_every_control_and_out_of_the_editor(qtbot, window):
    """No focus trap: Tab from the dictation editor visits the window's controls (the toolbar's
    boxes, the queue, the export options) and comes back round to it."""
    key(qtbot, window, "Ctrl+1")
    start = QApplication.focusWidget()
    visited = []
    for _ in range(80):
        key(qtbot, window, "Tab")
        if QApplication.focusWidget() is start:
            break
        visited.append(QApplication.focusWidget())
    assert QApplication.focusWidget() is start, [type(w).__name__ for w in visited]
    controls = (window.device_box, window.model_box, window.language_box, window.queue.view, window.export.format_box)
    missed = [c.accessibleName() for c in controls if not any(c is w or c.isAncestorOf(w) for w in visited)]
    assert missed == []
