"""Each text style, as text: scripted words with timings as Whisper writes them (no audio)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_voice import utterances

from dictation_app.core.styles import Style
from dictation_app.core.voice import VoiceInterpreter
from dictation_app.core.voice_table import VoiceOptions
from dictation_app.engine.events import apply_committed

#: what the tokenizer counts as ordinary words here (the app asks the model's tokenizer)
COMMON = {"the", "build", "is", "see", "you", "at", "five", "hey", "git", "status", "print", "my", "name", "sounds"}
COMMON |= {"good", "and", "list", "files", "if", "x", "value", "are", "there", "i", "then", "push"}


def styled(style: Style, *phrases: str, step: int = 1, **voice) -> str:
    """The text of ``phrases`` (said with a pause after each) in ``style``, fed ``step`` events at a time."""
    options = replace(VoiceOptions(**voice), style=style)
    interpreter = VoiceInterpreter(options, is_common=lambda w: w in COMMON)
    events, out = utterances(*phrases), []
    for i in range(0, len(events), step):
        for event in interpreter.feed(events[i : i + step]):
            apply_committed(out, event)
    for event in interpreter.feed([], final=True):
        apply_committed(out, event)
    return "".join(w.text for w in out).strip()


def test_sentence_is_the_decoder_s_text():
    assert styled(Style.SENTENCE, "Sounds good.", "See you at five.") == "Sounds good. See you at five."


def test_casual_has_no_capital_at_a_sentence_start_and_no_closing_full_stop():
    assert styled(Style.CASUAL, "Sounds good.", "See you at five, Anna.") == "sounds good. see you at five, Anna"
    assert styled(Style.CASUAL, "I see.") == "I see"  # "I" and names keep their capital
    assert styled(Style.CASUAL, "Are you there?") == "are you there?"  # only a full stop goes


def test_casual_keeps_a_full_stop_that_was_said():
    assert styled(Style.CASUAL, "See you at five", "Period.") == "see you at five."


def test_casual_full_stop_comes_back_when_more_is_said():
    """Live, the closing stop is left out while it closes the text, and comes back (as text added,
    nothing erased) when the next sentence follows."""
    assert styled(Style.CASUAL, "Sounds good.", "See you.", step=1) == "sounds good. see you"


def test_literal_is_the_words_as_said():
    assert styled(Style.LITERAL, "Git status.") == "git status"
    assert styled(Style.LITERAL, "List files, Anna's.") == "list files Anna's"
    assert styled(Style.LITERAL, "Git status", "Period.") == "git status."  # a mark said is typed


def test_code_types_spoken_symbols_without_pauses():
    assert styled(Style.CODE, "Print open paren my underscore name close paren.") == "print(my_name)"
    assert styled(Style.CODE, "If x equals value colon") == "if x = value:"
    assert styled(Style.CODE, "Git status dash dash short") == "git status --short"
    assert styled(Style.CODE, "X double equals five") == "x == five"


def test_code_holds_a_word_that_may_begin_a_symbol():
    """ "open" at the end of what was heard waits for the next word."""
    text = styled(Style.CODE, "print open | paren x close paren")
    assert text == "print(x)"


def test_symbols_are_words_outside_the_code_style():
    assert styled(Style.SENTENCE, "My underscore name.") == "My underscore name."


@pytest.mark.parametrize("style", list(Style))
def test_a_mode_is_switched_by_voice(style):
    modes = (("Prose", Style.SENTENCE), ("Casual", Style.CASUAL), ("Terminal", Style.LITERAL), ("Code", Style.CODE))
    name = next(n for n, s in modes if s is style)
    text = styled(Style.SENTENCE, "Sounds good.", f"Switch to {name} mode.", "My underscore name.", modes=modes)
    expected = {
        Style.SENTENCE: "Sounds good. My underscore name.",
        Style.CASUAL: "Sounds good. my underscore name",
        Style.LITERAL: "Sounds good. my underscore name",
        Style.CODE: "Sounds good. my_name",
    }[style]
    assert text == expected


def test_the_readme_s_examples():
    said = ("Git status, then push.", "Comma.")
    assert styled(Style.SENTENCE, *said) == "Git status, then push,"
    assert styled(Style.CASUAL, *said) == "git status, then push,"
    assert styled(Style.LITERAL, *said) == "git status then push,"
    assert styled(Style.CODE, "Print open paren my underscore name close paren.") == "print(my_name)"


def test_the_tentative_tail_is_shown_as_it_will_be_written():
    from dictation_app.engine.events import Partial
    from dictation_app.transcript import Word

    interpreter = VoiceInterpreter(replace(VoiceOptions(), style=Style.LITERAL), is_common=lambda w: w in COMMON)
    (partial,) = interpreter.feed([Partial((Word(0.0, 0.3, " Git"), Word(0.4, 0.8, " status.")))])
    assert partial.text == "git status"


def test_a_mode_picked_while_dictating_writes_the_words_after_it_in_its_style():
    """The tray or ``dictation-app mode code`` while the user dictates: the words already said keep
    their form, those said after are written in the new style (also when the text before is
    rendered again: an utterance heard whole)."""
    interpreter = VoiceInterpreter(VoiceOptions(), is_common=lambda w: w in COMMON)
    events, out = utterances("Sounds good.", "My underscore name."), []
    for event in interpreter.feed(events[:2]):  # "Sounds good." and its pause
        apply_committed(out, event)
    interpreter.switch_style(Style.CODE)
    for event in interpreter.feed(events[2:], final=True):
        apply_committed(out, event)
    assert "".join(w.text for w in out).strip() == "Sounds good. my_name"
    assert interpreter._render(0).out == out  # rendered again from the start: the same text
