"""Preferences, Voice: the command table, the user's commands, vocabulary and replacements;
a bad entry is shown and nothing is saved; good ones reach the dictation and file options."""

from __future__ import annotations

from dictation_app.core.options import app_options
from dictation_app.core.voice_table import COMMANDS
from dictation_app.ui.widgets.preferences import PreferencesDialog

from conftest import make_settings


def test_the_voice_page_shows_every_command(qtbot, gui_env):
    dialog = PreferencesDialog(make_settings(gui_env))
    qtbot.addWidget(dialog)
    table = dialog.voice.table
    shown = " ".join(table.item(row, 0).text() for row in range(table.rowCount()))
    for command in COMMANDS:
        for phrase in command.phrases:
            assert f"“{phrase}”" in shown
    assert "literal" in shown


def test_a_bad_entry_is_shown_and_nothing_is_saved(qtbot, gui_env):
    settings = make_settings(gui_env)
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    dialog.editors["dictation/pause_s"].setValue(1.5)
    dialog.voice.editors["voice/replacements"].setPlainText("my email => anna@example.com\nmy email => other")
    dialog.voice.editors["voice/custom_commands"].setPlainText("comma => ;")
    dialog.accept()
    assert dialog.result() == 0 and dialog.tabs.currentWidget() is dialog.voice_tab
    shown = dialog.voice.problems_label.text()
    assert "Replacements, line 2: 'my email' is already a replacement." in shown
    assert "Commands, line 1: 'comma' is already a built-in command." in shown
    assert settings.value("voice/replacements") == "" and settings.value("dictation/pause_s") == 1.0  # nothing


def test_good_entries_reach_the_options(qtbot, gui_env):
    settings = make_settings(gui_env)
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    dialog.voice.editors["voice/replacements"].setPlainText("my email => anna@example.com")
    dialog.voice.editors["voice/custom_commands"].setPlainText("next line => new line")
    dialog.voice.editors["voice/vocabulary"].setPlainText("\n".join(f"Term{n}" for n in range(500)))
    assert "The first" in dialog.voice.vocabulary_note.text() and "of 500" in dialog.voice.vocabulary_note.text()
    dialog.voice.replace_in_files.setChecked(True)
    dialog.accept()
    assert dialog.result() == 1
    options = app_options(settings.value)
    assert options.voice.replacements == ((("my", "email"), "anna@example.com"),)
    assert [c.name for c in options.voice.extra_commands] == ["next line"]
    assert len(options.voice.vocabulary) == 500 and options.voice.replace_in_files
    assert options.streaming.vocabulary.startswith("Term0, Term1") and len(options.streaming.vocabulary) <= 240
    assert not options.streaming.hotwords  # the vocabulary is not given to every decode
    assert "Comma." in options.streaming.short_prompt
