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


def test_the_modes_page_edits_modes_and_rules_and_saves_only_sound_lines(qtbot, gui_env):
    settings = make_settings(gui_env)
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    page = dialog.modes
    names = [page.table.item(row, 0).text() for row in range(page.table.rowCount())]
    assert names == ["Prose", "Casual", "Terminal", "Code"]
    page.custom.setPlainText("Mail: style=sentence, insert=on_finish, after=newline")
    assert page.table.rowCount() == 5 and page.default.findText("Mail") >= 0  # offered at once
    page.rules.setPlainText("thunderbird => Mail\nxterm => Shell")
    dialog.accept()
    assert dialog.result() == 0 and dialog.tabs.currentWidget() is dialog.modes_tab
    assert "Mode rules, line 2: there is no mode called 'Shell'." in page.problems_label.text()
    assert settings.value("modes/custom") == ""  # nothing saved
    page.rules.setPlainText("thunderbird => Mail\nxterm => Terminal")
    page.default.setCurrentText("Casual")
    dialog.accept()
    assert dialog.result() == 1
    modes = app_options(settings.value).modes
    assert modes.choose("thunderbird")[0].insert == "on_finish" and modes.default == "Casual"
    assert modes.choose("l3afpad")[0].name == "Casual"


def test_the_rules_are_tried_on_a_real_window(qtbot, gui_env, x11, tmp_path, monkeypatch):
    """The Modes page's test asks the desktop which window has the focus (here xterm, on X11)."""
    from desktops import xterm

    for key in ("DISPLAY", "WAYLAND_DISPLAY", "SWAYSOCK", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DISPLAY", x11["DISPLAY"])
    term = xterm(x11, tmp_path, title="build log")
    try:
        dialog = PreferencesDialog(make_settings(gui_env))
        qtbot.addWidget(dialog)
        dialog.modes._test_now()
        shown = dialog.modes.test_result.text()
        expected = "build log (application “XTerm”, title “build log”): Terminal mode, by rule “xterm => Terminal”."
        assert shown == expected
    finally:
        term.close()
