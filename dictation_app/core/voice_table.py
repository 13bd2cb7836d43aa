"""What the user can say besides words: the spoken commands, declared once, and the user's own
commands, vocabulary and replacements, parsed and checked (no Qt).

The Preferences dialog shows :data:`COMMANDS` and edits the user's lists as text, one entry a
line (``spoken phrase => text``); :func:`parse_voice` turns that text into a
:class:`VoiceOptions` or a list of clear problems, so nothing broken is ever saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dictation_app.core.styles import MARKS, Style

__all__ = [
    "CODE_SYMBOLS",
    "COMMANDS",
    "Command",
    "LITERAL",
    "MARKS",
    "MAX_SNIPPET_CHARS",
    "VoiceOptions",
    "norm",
    "parse_voice",
    "phrase_words",
]

#: the longest text a replacement may type (a signature or an address is a few hundred characters)
MAX_SNIPPET_CHARS = 64_000


@dataclass(frozen=True)
class Command:
    """One spoken command.

    Attributes:
        phrases: What the user says (lower case, single spaces); the first is its name.
        action: "text" (types ``text``), "scratch" (removes the last phrase), "undo" (undoes the
            last voice action), "stop" (ends the dictation), "style" (writes on in the style
            ``text``: "switch to code mode").
        text: What a "text" command types.
        attach: Typed right after the word before (no space), like punctuation.
        replace_mark: Takes the place of the punctuation the decoder put after the word before
            ("Anna." + comma -> "Anna,").
        glue_next: The next word follows without a space (a new line, an opening quote).
        capitalize_next: The next word starts with a capital (a new sentence).
        inline: Said between words, with no pause around it (the code style's symbols).
        what: What it does, for Preferences.
    """

    phrases: tuple[str, ...]
    action: str = "text"
    text: str = ""
    attach: bool = False
    replace_mark: bool = False
    glue_next: bool = False
    capitalize_next: bool = False
    inline: bool = False
    what: str = ""

    @property
    def name(self) -> str:
        return self.phrases[0]


def _mark(phrases: tuple[str, ...], mark: str, end: bool) -> Command:
    return Command(
        phrases,
        "text",
        mark,
        attach=True,
        replace_mark=True,
        capitalize_next=end,
        what=f"types {mark!r} after the word before" + (" and starts a new sentence" if end else ""),
    )


#: The built-in commands (English).
COMMANDS: tuple[Command, ...] = (
    Command(("new line",), "text", "\n", attach=True, glue_next=True, capitalize_next=True, what="starts a new line"),
    Command(
        ("new paragraph",),
        "text",
        "\n\n",
        attach=True,
        glue_next=True,
        capitalize_next=True,
        what="starts a new paragraph",
    ),
    _mark(("period", "full stop"), ".", True),
    _mark(("comma",), ",", False),
    _mark(("question mark",), "?", True),
    _mark(("exclamation mark", "exclamation point"), "!", True),
    _mark(("colon",), ":", False),
    _mark(("semicolon",), ";", False),
    Command(("open quote",), "text", ' "', glue_next=True, what="opens a quotation"),
    Command(("close quote",), "text", '"', attach=True, what="closes a quotation"),
    Command(("open paren", "open parenthesis"), "text", " (", glue_next=True, what="opens a parenthesis"),
    Command(("close paren", "close parenthesis"), "text", ")", attach=True, what="closes a parenthesis"),
    Command(("scratch that", "delete that"), "scratch", what="removes the last phrase"),
    Command(("undo that",), "undo", what="undoes the last voice action (a phrase, a command, a scratch)"),
    Command(("stop listening",), "stop", what="ends the dictation"),
)


def _symbol(phrases: tuple[str, ...], symbol: str, before: str = "", after: str = "") -> Command:
    """A symbol said inline. ``before``/``after``: "glue" (no space on that side) or "" (a space)."""
    return Command(
        phrases,
        "text",
        symbol if before == "glue" else " " + symbol,
        attach=before == "glue",
        glue_next=after == "glue",
        inline=True,
        what=f"types {symbol!r}",
    )


#: Spoken symbols of the code style (English). Each is said inline, between words.
CODE_SYMBOLS: tuple[Command, ...] = (
    _symbol(("underscore",), "_", "glue", "glue"),
    _symbol(("dot",), ".", "glue", "glue"),
    _symbol(("comma",), ",", "glue"),
    _symbol(("colon",), ":", "glue"),
    _symbol(("semicolon",), ";", "glue"),
    _symbol(("open paren", "open parenthesis"), "(", "glue", "glue"),
    _symbol(("close paren", "close parenthesis"), ")", "glue"),
    _symbol(("open bracket",), "[", "glue", "glue"),
    _symbol(("close bracket",), "]", "glue"),
    _symbol(("open brace",), "{"),
    _symbol(("close brace",), "}"),
    _symbol(("equals",), "="),
    _symbol(("double equals",), "=="),
    _symbol(("not equals",), "!="),
    _symbol(("plus",), "+"),
    _symbol(("minus",), "-"),
    _symbol(("dash",), "-", "", "glue"),
    _symbol(("slash",), "/", "glue", "glue"),
    _symbol(("backslash",), "\\", "glue", "glue"),
    _symbol(("star", "asterisk"), "*"),
    _symbol(("hash",), "#", "", "glue"),
    _symbol(("at sign",), "@", "", "glue"),
    _symbol(("dollar",), "$", "", "glue"),
    _symbol(("percent",), "%", "glue"),
    _symbol(("ampersand",), "&"),
    _symbol(("pipe",), "|"),
    _symbol(("less than",), "<"),
    _symbol(("greater than",), ">"),
    _symbol(("arrow",), "->"),
    _symbol(("tilde",), "~", "", "glue"),
    _symbol(("quote",), '"', "", "glue"),
    _symbol(("end quote",), '"', "glue"),
)

#: Said before a command word, types the word itself ("literal period").
LITERAL = "literal"

_NON_WORD = re.compile(r"[^\w']+")


def norm(text: str) -> str:
    """A word as commands and replacements compare it: lower case, letters, digits, apostrophes."""
    return _NON_WORD.sub("", text.lower()).strip("'")


def phrase_words(phrase: str) -> tuple[str, ...]:
    return tuple(w for w in (norm(p) for p in phrase.split()) if w)


@dataclass(frozen=True)
class VoiceOptions:
    """How dictated words are turned into text.

    Attributes:
        commands: Spoken punctuation and commands are on (dictation; off for files).
        extra_commands: The user's commands, added to :data:`COMMANDS`.
        vocabulary: The user's words and names, in their order.
        replacements: Spoken phrase (normalised words) -> the text typed instead.
        replace_in_files: Replacements are applied to file transcripts too.
        style: How the words are written out (the mode's; "switch to code mode" changes it).
        modes: The modes a dictation can be switched to by voice: (name, its style).
    """

    commands: bool = True
    extra_commands: tuple[Command, ...] = ()
    vocabulary: tuple[str, ...] = ()
    replacements: tuple[tuple[tuple[str, ...], str], ...] = field(default=())
    replace_in_files: bool = False
    style: Style = Style.SENTENCE
    modes: tuple[tuple[str, Style], ...] = ()

    @property
    def table(self) -> tuple[Command, ...]:
        """The commands said apart (the code style's symbols are looked up inline: :data:`CODE_SYMBOLS`)."""
        if not self.commands:
            return ()
        switches = tuple(
            Command((f"switch to {' '.join(phrase_words(name))} mode",), "style", style.value, what=f"writes as {name}")
            for name, style in self.modes
            if phrase_words(name)
        )
        return COMMANDS + self.extra_commands + switches

    @property
    def decoder_hint(self) -> str:
        """The command words, for the decoder to expect in a short utterance ("" when off): as
        sentences ("Comma. New line."), which tiny.en reads as words said alone; as a list
        ("comma, new line") it continues the list ("comma, comma"). The mode switches are not
        in it: a longer prompt changes what the decoder hears in short utterances."""
        phrases = (p for c in self.table if c.action != "style" for p in c.phrases)
        return " ".join(f"{p[:1].upper()}{p[1:]}." for p in dict.fromkeys(phrases))


def _pairs(text: str, what: str, problems: list[str]) -> list[tuple[int, str, str]]:
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if "=>" not in line:
            problems.append(f"{what}, line {number}: write it as 'spoken phrase => text' ({line.strip()[:40]!r}).")
            continue
        spoken, typed = (part.strip() for part in line.split("=>", 1))
        if not phrase_words(spoken):
            problems.append(f"{what}, line {number}: the spoken phrase is empty.")
        elif not typed:
            problems.append(f"{what}, line {number}: nothing to type for '{spoken}'.")
        elif len(typed) > MAX_SNIPPET_CHARS:
            problems.append(
                f"{what}, line {number}: the text for '{spoken}' is longer than {MAX_SNIPPET_CHARS:,} characters."
            )
        else:
            pairs.append((number, spoken, typed.replace("\\n", "\n")))
    return pairs


def _user_command(spoken: str, typed: str) -> Command:
    """A user's command: an alias of a built-in one (``next line => new line``), or text typed
    like punctuation when it starts with a mark (``dash => --`` types with a space before)."""
    builtin = {c.name: c for c in COMMANDS}.get(" ".join(phrase_words(typed)))
    if builtin is not None and typed.strip().lower() == builtin.name:
        return Command(
            (" ".join(phrase_words(spoken)),),
            builtin.action,
            builtin.text,
            builtin.attach,
            builtin.replace_mark,
            builtin.glue_next,
            builtin.capitalize_next,
            f"as '{builtin.name}'",
        )
    attach = typed[0] in MARKS + ")]}\"'"
    return Command(
        (" ".join(phrase_words(spoken)),),
        "text",
        typed if attach else " " + typed,
        attach=attach,
        what=f"types {typed[:30]!r}",
    )


def _new(text: str, what: str, kind: str, taken: dict[str, str], problems: list[str]) -> list[tuple[str, str]]:
    """The well-formed entries of ``text`` whose phrase is not ``taken`` yet (each then is, as
    ``kind``); a phrase already taken is a problem."""
    entries = []
    for number, spoken, typed in _pairs(text, what, problems):
        key = " ".join(phrase_words(spoken))
        if key in taken:
            problems.append(f"{what}, line {number}: '{key}' is already {taken[key]}.")
            continue
        taken[key] = kind
        entries.append((spoken, typed))
    return entries


def parse_voice(
    commands: bool, extra_commands: str, vocabulary: str, replacements: str, replace_in_files: bool = False
) -> tuple[VoiceOptions, list[str]]:
    """The user's voice settings as options, and every problem in them (empty: all good)."""
    problems: list[str] = []
    taken = {p: "a built-in command" for c in COMMANDS for p in c.phrases}
    taken[LITERAL] = "a built-in command"
    extra = [
        _user_command(spoken, typed) for spoken, typed in _new(extra_commands, "Commands", "a command", taken, problems)
    ]
    pairs = [
        (phrase_words(spoken), typed)
        for spoken, typed in _new(replacements, "Replacements", "a replacement", taken, problems)
    ]
    words = tuple(dict.fromkeys(w.strip() for w in re.split(r"[\n,]", vocabulary) if w.strip()))
    return VoiceOptions(commands, tuple(extra), words, tuple(pairs), replace_in_files), problems
