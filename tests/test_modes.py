"""Modes and the rules that choose them, from the settings' text (no desktop, no audio)."""

from __future__ import annotations

from dictation_app.core.modes import BUILT_IN, DEFAULT_RULES, Mode, parse_modes
from dictation_app.core.options import InsertMode, app_options, defaults_with, with_mode
from dictation_app.core.styles import Style
from dictation_app.core.voice import apply_style


def test_the_rules_a_user_starts_with_know_terminals_editors_and_chats():
    table, problems = parse_modes("", DEFAULT_RULES, "Prose")
    assert problems == []
    chosen = {app: table.choose(app)[0].name for app in ("XTerm", "foot", "gnome-terminal-server", "konsole")}
    assert set(chosen.values()) == {"Terminal"}
    assert table.choose("code")[0].name == "Code" and table.choose("jetbrains-pycharm")[0].name == "Code"
    assert table.choose("Slack")[0].name == "Casual"
    mode, rule = table.choose("l3afpad", "note.txt")
    assert (mode.name, rule) == ("Prose", None)  # no rule: the default


def test_first_match_wins_and_a_title_narrows_a_rule():
    rules = "firefox title:*Slack* => Casual\nfirefox => Prose\n* title:*.py* => Code"
    table, problems = parse_modes("", rules, "Prose")
    assert problems == []
    assert table.choose("firefox", "general | Slack — Mozilla Firefox")[0].name == "Casual"
    assert table.choose("firefox", "Inbox — Mozilla Firefox")[0].name == "Prose"
    assert table.choose("l3afpad", "main.py")[0].name == "Code"


def test_a_user_s_own_mode_and_every_problem_named():
    custom = "Mail: style=sentence, insert=on_finish, after=newline\nTerminal: style=literal, commands=off\nBad line"
    custom += "\nMulti: model=/models/My-Base, language=auto"
    table, problems = parse_modes(custom, "thunderbird => Mail\nxterm => Nowhere\nno arrow", "Mail")
    assert table.get("mail") == Mode("Mail", Style.SENTENCE, insert="on_finish", after="newline")
    assert table.get("Terminal").commands is False  # the user's Terminal takes the built-in's place
    assert len(table.modes) == len(BUILT_IN) + 2
    assert table.get("multi").model == "/models/My-Base"  # a folder keeps its case
    assert table.choose("thunderbird")[0].name == "Mail" and table.default == "Mail"
    assert problems == [
        "Modes, line 3: write it as 'Name: style=casual, after=nothing' ('Bad line').",
        "Mode rules, line 2: there is no mode called 'Nowhere'.",
        "Mode rules, line 3: write it as 'application => mode' ('no arrow').",
    ]
    _, problems = parse_modes("X: style=loud", "", "Missing")
    assert problems == [
        "Modes, line 1: style is one of sentence, casual, literal, code.",
        "The default mode 'Missing' does not exist; Prose is used.",
    ]


def test_a_mode_sets_what_it_names_and_the_preferences_the_rest():
    options = app_options(defaults_with({"anywhere/after": "newline", "voice/vocabulary": "Quillan"}))
    mail = with_mode(options, Mode("Mail", insert="on_finish", vocabulary=False, model="base", language="de"))
    assert mail.model_name == "base" and with_mode(options, Mode("Plain")).model_name == options.model_name
    assert mail.anywhere.insert == InsertMode.ON_FINISH and mail.anywhere.trailer == "\n"
    assert mail.voice.vocabulary == () and mail.streaming.vocabulary == ""
    assert mail.streaming.language == mail.transcribe.language == "de"
    terminal = with_mode(options, options.modes.get("terminal"))
    assert terminal.voice.style is Style.LITERAL and terminal.voice.vocabulary == ("Quillan",)
    assert terminal.streaming.short_prompt == options.streaming.short_prompt  # what the decoder hears is the same
    assert terminal.mode.name == "Terminal"


def test_every_dictation_can_be_switched_by_voice():
    options = app_options(defaults_with({}))
    assert [c.name for c in options.voice.table if c.action == "style"] == [
        "switch to prose mode",
        "switch to casual mode",
        "switch to terminal mode",
        "switch to code mode",
    ]
    assert "Switch" not in options.voice.decoder_hint


def test_a_recording_heard_whole_is_written_in_the_mode_s_style():
    """On-finish typing: the file path's text, in the style (its words are not commands)."""
    common = {"git", "status", "and", "then", "push", "comma"}.__contains__
    text = "Git status and then push. Comma."
    assert apply_style(text, Style.SENTENCE, common) == text
    assert apply_style(text, Style.LITERAL, common) == "git status and then push comma"
    assert apply_style(text, Style.CASUAL, common) == "git status and then push. comma"
