"""Spoken commands, replacements and vocabulary on scripted words with timings (no audio)."""

from __future__ import annotations

import pytest

from dictation_app.core.voice import CommandHeard, VoiceInterpreter
from dictation_app.core.voice_table import COMMANDS, VoiceOptions, parse_voice
from dictation_app.engine.events import Commit, Partial, Revision, UtteranceEnd, apply_committed
from dictation_app.transcript import Word


def utterances(*phrases: str, gap: float = 0.05, pause: float = 1.2, start: float = 0.5):
    """Engine events for phrases said with a pause between them: one Commit of each phrase's
    words (as Whisper writes them: leading spaces, its own capitals and punctuation) and an
    UtteranceEnd. A phrase written "a b | c d" is one utterance with a 0.5-s silence at '|'."""
    events, t = [], start
    for phrase in phrases:
        words = []
        for part_no, part in enumerate(phrase.split("|")):
            if part_no:
                t += 0.5
            for text in part.split():
                words.append(Word(t, t + 0.3, " " + text, 0.9))
                t += 0.3 + gap
        events += [Commit(tuple(words)), UtteranceEnd(t)]
        t += pause
    return events


def interpret(events, options: VoiceOptions | None = None, step: int = 1):
    """Feed ``events`` ``step`` at a time; the final text and the interpreter."""
    voice = VoiceInterpreter(options or VoiceOptions())
    text: list[Word] = []
    for i in range(0, len(events), step):
        for event in voice.feed(events[i : i + step]):
            apply_committed(text, event)
    for event in voice.feed([], final=True):
        apply_committed(text, event)
    return "".join(w.text for w in text).strip(), voice


def test_the_letter_example():
    text, voice = interpret(
        utterances(
            "Dear Anna.",
            "Comma.",
            "New paragraph.",
            "Thanks for the notes.",
            "Period.",
            "This is wrong.",
            "Scratch that.",
            "See you soon.",
            "Period.",
        )
    )
    assert text == "Dear Anna,\n\nThanks for the notes. See you soon."
    assert voice.fired == ["comma", "new paragraph", "period", "scratch that", "period"]


@pytest.mark.parametrize("step", [1, 3])
def test_each_command_is_heard_once_after_its_edit(step):
    """What a screen reader announces: each command once, when its edit has gone out."""
    events = utterances("Dear Anna.", "Comma.", "New paragraph.", "In that period of history.", "Scratch that.")
    voice = VoiceInterpreter(VoiceOptions())
    out = [e for i in range(0, len(events), step) for e in voice.feed(events[i : i + step])]
    out += voice.feed([], final=True)
    heard = [e.name for e in out if isinstance(e, CommandHeard)]
    assert heard == ["comma", "new paragraph", "scratch that"]
    edits = [i for i, e in enumerate(out) if isinstance(e, (Commit, Revision))]
    assert all(any(j < i for j in edits) for i, e in enumerate(out) if isinstance(e, CommandHeard))


@pytest.mark.parametrize(
    "spoken, expected",
    [
        (["hello there", "new line", "how are you"], "hello there\nHow are you"),
        (["is it done", "question mark", "yes"], "is it done? Yes"),
        (["wow", "exclamation mark"], "wow!"),
        (["wow", "exclamation point"], "wow!"),
        (["the list", "colon", "apples"], "the list: apples"),
        (["first", "semicolon", "second"], "first; second"),
        (["end of it", "full stop"], "end of it."),
        (["she said", "open quote", "yes", "close quote"], 'she said "yes"'),
        (["see the note", "open paren", "below", "close paren"], "see the note (below)"),
        (["one", "two", "undo that"], "one"),
        (["one", "scratch that", "scratch that", "two"], "two"),
        (["keep this", "drop this", "delete that"], "keep this"),
        (["keep this", "drop this", "scratch that", "undo that"], "keep this drop this"),
        (["a", "comma", "undo that", "b"], "a b"),
        (["literal period"], "period"),
        (["a", "comma", "comma", "b"], "a, b"),  # heard twice, or corrected: one mark
        (["a", "comma", "period", "b"], "a. B"),
        (["the word is", "literal new line"], "the word is new line"),
    ],
)
def test_each_command(spoken, expected):
    assert interpret(utterances(*spoken))[0] == expected


@pytest.mark.parametrize(
    "spoken",
    [
        "in that period of history",
        "a new line of kings",
        "the colon is part of the gut",
        "she put a comma there and left",
        "we will undo that knot later",
    ],
)
def test_command_words_inside_speech_stay_words(spoken):
    text, voice = interpret(utterances(spoken))
    assert text == spoken and voice.fired == []


def test_a_command_needs_a_pause_before_it_within_an_utterance():
    text, voice = interpret(utterances("it ended with a full stop"))
    assert text == "it ended with a full stop" and voice.fired == []
    text, voice = interpret(utterances("thanks for the notes | period | see you"))
    assert text == "thanks for the notes. See you" and voice.fired == ["period"]


def test_after_a_comma_the_decoder_s_capital_goes_unless_it_is_a_name():
    common = {"the", "we", "see"}
    voice = VoiceInterpreter(VoiceOptions(), is_common=lambda w: w.lower() in common)
    text: list[Word] = []
    for e in voice.feed(
        utterances("Good morning.", "Comma.", "The build is green.", "Colon.", "Anna.", "Semicolon.", "I agree."),
        final=True,
    ):
        apply_committed(text, e)
    assert "".join(w.text for w in text).strip() == "Good morning, the build is green: Anna; I agree."


def test_commands_chain_without_pauses_between_them():
    text, _ = interpret(utterances("Dear Anna", "comma new paragraph", "thanks"))
    assert text == "Dear Anna,\n\nThanks"


def test_stop_listening_asks_for_the_end():
    events = utterances("that is all", "stop listening")
    voice = VoiceInterpreter(VoiceOptions())
    voice.feed(events[:2])
    assert not voice.stop_requested
    voice.feed(events[2:])
    assert voice.stop_requested and voice.text == "that is all"


def test_commands_off_leave_words_alone():
    text, voice = interpret(utterances("Hello.", "Comma.", "New line."), VoiceOptions(commands=False))
    assert text == "Hello. Comma. New line." and voice.fired == []


def test_a_possible_command_waits_only_for_what_decides_it():
    voice = VoiceInterpreter(VoiceOptions())
    words = (Word(0.0, 0.3, " Hello", 0.9), Word(1.0, 1.3, " new", 0.9))
    out = voice.feed([Commit(words)])
    assert [e.text for e in out if isinstance(e, Commit)] == ["Hello"]  # the ordinary word at once
    assert [e.text for e in out if isinstance(e, Partial)] == ["new"]  # "new" shown, not committed
    out = voice.feed([Commit((Word(1.35, 1.7, " line", 0.9),)), UtteranceEnd(1.7)])
    assert voice.text == "Hello" and voice.fired == ["new line"]  # (text is stripped: the newline is its end)
    voice = VoiceInterpreter(VoiceOptions())
    voice.feed([Commit(words)])
    voice.feed([Commit((Word(1.35, 1.7, " shoes", 0.9),))])
    assert voice.text == "Hello new shoes"


def test_a_revision_of_text_already_out_is_one_edit_of_whole_commits():
    voice = VoiceInterpreter(VoiceOptions())
    events = utterances("Dear Anna.", "Comma.")
    out = voice.feed(events[:2]) + voice.feed(events[2:])
    revisions = [e for e in out if isinstance(e, Revision)]
    assert len(revisions) == 1 and revisions[0].command == "comma"
    assert revisions[0].commits == 1 and revisions[0].count == 2
    assert revisions[0].text == "Dear Anna,"


def test_an_engine_revision_is_re_read_and_marked_as_the_engine_s():
    voice = VoiceInterpreter(VoiceOptions())
    text: list[Word] = []
    first = utterances("Dear Ana.")
    for e in voice.feed(first):
        apply_committed(text, e)
    revised = Revision((Word(0.5, 0.8, " Dear", 0.9), Word(0.85, 1.15, " Anna.", 0.9)), count=2)
    out = voice.feed([revised])
    assert [e.command for e in out if isinstance(e, Revision)] == [""]
    for e in out + voice.feed(utterances("comma", start=3.0)):
        apply_committed(text, e)
    assert "".join(w.text for w in text).strip() == "Dear Anna,"


def test_words_fed_one_event_at_a_time_or_all_at_once_give_the_same_text():
    events = utterances("Dear Anna", "comma", "new paragraph", "thanks | period | bye", "question mark")
    assert interpret(events, step=1)[0] == interpret(events, step=len(events))[0] == "Dear Anna,\n\nThanks. Bye?"


def test_replacements_are_typed_instead_of_the_phrase():
    options, problems = parse_voice(True, "", "", "my email address => anna@example.com\nmy sig => Best,\\nAnna")
    assert problems == []
    text, _ = interpret(utterances("write to my email address.", "my sig"), options)
    assert text == "write to anna@example.com. Best,\nAnna"


def test_user_commands_extend_the_table():
    options, problems = parse_voice(True, "next line => new line\nsmiley => :-)", "", "")
    assert problems == []
    text, voice = interpret(utterances("hi", "smiley", "next line", "bye"), options)
    assert text == "hi:-)\nBye" and voice.fired == ["smiley", "next line"]


@pytest.mark.parametrize(
    "commands, replacements, problem",
    [
        ("period => .", "", "already a built-in command"),
        ("", "a => b\nA. => c", "'a' is already a replacement"),
        ("", " => text", "the spoken phrase is empty"),
        ("", "hello =>", "nothing to type"),
        ("", "just words", "write it as"),
        ("", "big => " + "x" * 70_000, "longer than"),
    ],
)
def test_bad_entries_are_reported_and_left_out(commands, replacements, problem):
    options, problems = parse_voice(True, commands, "", replacements)
    assert len(problems) == 1 and problem in problems[0]


def test_a_10_kb_snippet_is_fine():
    snippet = "Lorem ipsum dolor sit amet. " * 370
    options, problems = parse_voice(True, "", "", f"boilerplate => {snippet}")
    assert problems == [] and len(snippet) > 10_000
    text, _ = interpret(utterances("boilerplate"), options)
    assert text == snippet.strip()


def test_the_table_names_every_command_of_the_issue():
    names = {p for c in COMMANDS for p in c.phrases}
    for phrase in (
        "new line",
        "new paragraph",
        "period",
        "full stop",
        "comma",
        "question mark",
        "exclamation mark",
        "colon",
        "semicolon",
        "open quote",
        "close quote",
        "open paren",
        "close paren",
        "scratch that",
        "delete that",
        "undo that",
        "stop listening",
    ):
        assert phrase in names


def test_vocabulary_corrects_near_misses_and_never_a_common_word():
    options, _ = parse_voice(True, "", "Kubernetes, Nguyen\nPySide", "")
    common = {"win", "when", "you", "a", "the", "on", "cooper", "py", "side", "deploy", "to", "and", "with"}
    voice = VoiceInterpreter(options, is_common=lambda w: w.strip().strip(".,").lower() in common)
    voice.feed(utterances("deploy to Cooper Nettys.", "with py side", "and win"))
    voice.feed([], final=True)
    assert voice.text == "deploy to Kubernetes. with PySide and win"


def test_replacements_apply_to_file_transcripts_when_asked(tmp_path):
    import os

    from conftest import DATA, run_cli

    config = tmp_path / "config" / "dictation-app"
    config.mkdir(parents=True)
    settings = config / "dictation-app.conf"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "DICTATION_APP_DATA_DIR": str(tmp_path / "d")}
    settings.write_text("[voice]\nreplacements=fellow americans => fellow citizens\n")
    plain = run_cli("transcribe", str(DATA / "jfk.flac"), "--no-history", env=env)
    assert plain.returncode == 0 and "fellow Americans" in plain.stdout, plain.stderr
    settings.write_text("[voice]\nreplacements=fellow americans => fellow citizens\nreplace_in_files=true\n")
    replaced = run_cli("transcribe", str(DATA / "jfk.flac"), "--no-history", "--format", "srt", env=env)
    assert replaced.returncode == 0, replaced.stderr
    assert "my fellow citizens" in replaced.stdout and "Americans" not in replaced.stdout


class _Recorder:
    """A delivery that writes into a string, BackSpace included (what a text field does)."""

    target = None
    on_event = None

    def __init__(self):
        self.text, self.calls = "", []

    def send(self, text):
        self.text += text
        self.calls.append(("send", text))

    def edit(self, erase, text, command):
        assert self.text.endswith(self.text[len(self.text) - erase :])
        self.text = self.text[: len(self.text) - erase] + text
        self.calls.append(("edit", erase, text, command))


def _typing(correcting=True):
    """The typing stage into a :class:`_Recorder`, and a way to feed it one step's events."""
    from dictation_app.core.options import AnywhereOptions
    from dictation_app.core.stages import Step
    from dictation_app.core.typing import Typing

    target = _Recorder()
    typing = Typing(target, AnywhereOptions(correct=correcting))
    step = Step(False, 0, 0.0, lambda t: None, lambda: None)
    return typing, target, lambda events: typing.feed(list(events), step)


def _typed_into_another_application(correcting):
    voice = VoiceInterpreter(VoiceOptions())
    typing, target, feed = _typing(correcting)
    events = utterances("Dear Ana.", "Comma.", "Wrong words.", "Scratch that.", "see you")
    # the engine revises "Dear Ana." to "Dear Anna." after the first utterance
    events.insert(2, Revision((Word(0.5, 0.8, " Dear", 0.9), Word(0.85, 1.15, " Anna.", 0.9)), count=2))
    feed(voice.feed(events, final=True))
    return typing, target


def test_typing_into_another_application_follows_corrections_and_spoken_edits():
    typing, target = _typed_into_another_application(correcting=True)
    assert target.text == typing.text == "Dear Anna, see you"
    # each edit erases from the first character that differs, no further
    assert [c[1:] for c in target.calls if c[0] == "edit"] == [
        (2, "na.", "correction"),
        (1, ",", "comma"),
        (len(" Wrong words."), "", "scratch that"),
    ]


def test_without_corrections_only_spoken_edits_reach_the_other_application():
    typing, target = _typed_into_another_application(correcting=False)
    assert target.text == typing.text == "Dear Anna, see you"  # the comma's edit brought the revision in
    assert [c[1:] for c in target.calls if c[0] == "edit"] == [
        (2, "na,", "comma"),
        (len(" Wrong words."), "", "scratch that"),
    ]


def test_with_commands_off_the_engine_s_revision_is_typed_as_a_correction_of_whole_commits():
    typing, target, feed = _typing()
    feed([Commit((Word(0.0, 0.2, " Good", 0.9), Word(0.2, 0.5, " morning.", 0.9)))])
    feed([Commit((Word(1.5, 1.7, " he", 0.9), Word(1.7, 2.0, " hope", 0.9)))])
    feed([Commit((Word(2.0, 2.2, " it", 0.9), Word(2.2, 2.6, " rains", 0.9)))])
    feed(
        [
            Revision(
                (
                    Word(1.5, 1.7, " He", 0.9),
                    Word(1.7, 2.0, " hoped", 0.9),
                    Word(2.0, 2.2, " it", 0.9),
                    Word(2.2, 2.6, " rains.", 0.9),
                ),
                count=4,
            )
        ]
    )  # the last two commits, in words
    feed([Commit((Word(3.5, 3.8, " Bye.", 0.9),))])
    assert target.text == typing.text == "Good morning. He hoped it rains. Bye."
    assert [c for c in target.calls if c[0] == "edit"] == [
        ("edit", len("he hope it rains"), "He hoped it rains.", "correction")
    ]
    feed([Revision((Word(0.0, 0.5, " Hi.", 0.9),), count=3)])  # not whole commits: left alone
    assert target.text == "Good morning. He hoped it rains. Bye."
