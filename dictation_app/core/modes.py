"""Modes: how a dictation writes, chosen by the application it goes into (no Qt).

A terminal wants "git status" (no capital, no full stop), a chat box a casual line, a mail
prose, a code editor symbols. A :class:`Mode` is a named set of those choices (a text style,
live or on-finish typing, what follows a dictation, spoken commands, the user's vocabulary and
replacements, the model and the language); anything a mode leaves unset is the user's Preferences.

The mode of a dictation into another application is chosen when it starts, from the target's
identity (its X11 WM_CLASS and title; on Wayland the app_id where the compositor tells it) by
the user's rules, first match wins, else the default mode. The user may also pick one for the
next dictation, or say "switch to code mode" while dictating (the style changes from there on).

Settings (``modes/*``) hold the rules and the user's own modes as text, one entry a line, so
they are read, edited and checked like the vocabulary; :func:`parse_modes` turns the text into
a :class:`ModeTable` or clear problems.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace

from dictation_app.core.styles import Style

__all__ = ["BUILT_IN", "DEFAULT_RULES", "Mode", "ModeTable", "Rule", "parse_modes"]


@dataclass(frozen=True)
class Mode:
    """A named way of writing. None: the Preferences' setting.

    Attributes:
        name: What the overlay, the tray and "switch to <name> mode" call it.
        style: How the words are written out.
        insert: "live" or "on_finish".
        after: What follows a dictation: "space", "newline" or "nothing".
        commands: Spoken commands on or off.
        vocabulary: Use the user's vocabulary and replacements (False: none).
        model: A model's name (loaded when a dictation in this mode starts).
        language: A language code, or "auto".
    """

    name: str
    style: Style = Style.SENTENCE
    insert: str | None = None
    after: str | None = None
    commands: bool | None = None
    vocabulary: bool | None = None
    model: str | None = None
    language: str | None = None

    def describe(self) -> str:
        """The mode as a settings line: ``Name: style=casual, after=nothing``."""
        parts = [f"style={self.style.value}"]
        for key in ("insert", "after", "model", "language"):
            if getattr(self, key) is not None:
                parts.append(f"{key}={getattr(self, key)}")
        for key in ("commands", "vocabulary"):
            if getattr(self, key) is not None:
                parts.append(f"{key}={'on' if getattr(self, key) else 'off'}")
        return f"{self.name}: " + ", ".join(parts)


#: The modes every user has (a user's own mode of the same name takes its place).
BUILT_IN: tuple[Mode, ...] = (
    Mode("Prose"),
    Mode("Casual", Style.CASUAL),
    Mode("Terminal", Style.LITERAL),
    Mode("Code", Style.CODE),
)

#: The rules a user starts with (``modes/rules``): terminals, code editors and chat applications.
DEFAULT_RULES = "\n".join(
    [
        "# application (X11 WM_CLASS or Wayland app_id; * and ? match anything) [title:pattern] => mode",
        "xterm => Terminal",
        "foot => Terminal",
        "*terminal* => Terminal",
        "*Console => Terminal",
        "konsole => Terminal",
        "kitty => Terminal",
        "Alacritty => Terminal",
        "*wezterm* => Terminal",
        "code => Code",
        "codium => Code",
        "jetbrains-* => Code",
        "Slack => Casual",
        "discord => Casual",
        "Signal => Casual",
        "Element => Casual",
        "*telegram* => Casual",
    ]
)

_KEYS = ("style", "insert", "after", "commands", "vocabulary", "model", "language")
_CHOICES = {"insert": ("live", "on_finish"), "after": ("space", "newline", "nothing")}


@dataclass(frozen=True)
class Rule:
    """``app`` and ``title`` are shell patterns, matched without regard to case ("" matches anything)."""

    app: str
    title: str
    mode: str

    def matches(self, app: str, title: str) -> bool:
        return (not self.app or fnmatch.fnmatchcase(app.lower(), self.app.lower())) and (
            not self.title or fnmatch.fnmatchcase(title.lower(), self.title.lower())
        )

    def describe(self) -> str:
        title = f" title:{self.title}" if self.title else ""
        return f"{self.app or '*'}{title} => {self.mode}"


@dataclass(frozen=True)
class ModeTable:
    """The modes (built-in and the user's), the rules and the default mode's name."""

    modes: tuple[Mode, ...] = BUILT_IN
    rules: tuple[Rule, ...] = ()
    default: str = "Prose"

    def get(self, name: str) -> Mode | None:
        wanted = name.strip().lower()
        return next((m for m in self.modes if m.name.lower() == wanted), None)

    def choose(self, app: str, title: str = "") -> tuple[Mode, Rule | None]:
        """The mode for a window of application ``app`` titled ``title``, and the rule that chose
        it (None: the default mode)."""
        for rule in self.rules:
            if rule.matches(app, title) and (mode := self.get(rule.mode)) is not None:
                return mode, rule
        return self.get(self.default) or self.modes[0], None

    @property
    def switches(self) -> tuple[tuple[str, Style], ...]:
        """(name, style) of each mode, for "switch to <name> mode"."""
        return tuple((m.name, m.style) for m in self.modes)


def parse_modes(custom: str, rules: str, default: str) -> tuple[ModeTable, list[str]]:
    """The user's modes (``Name: key=value, ...`` a line) and rules (``app [title:pattern] =>
    Mode`` a line) as a table, and every problem in them (a line with one is left out)."""
    problems: list[str] = []
    modes = {m.name.lower(): m for m in BUILT_IN}
    for number, line in _lines(custom):
        mode = _mode(line, f"Modes, line {number}", problems)
        if mode is not None:
            modes[mode.name.lower()] = mode
    table = ModeTable(tuple(modes.values()))
    parsed = []
    for number, line in _lines(rules):
        where = f"Mode rules, line {number}"
        if "=>" not in line:
            problems.append(f"{where}: write it as 'application => mode' ({line[:40]!r}).")
            continue
        left, name = (part.strip() for part in line.split("=>", 1))
        app, _, title = left.partition("title:")
        if not (app.strip() or title.strip()):
            problems.append(f"{where}: say which application (or title:pattern) it is for.")
        elif table.get(name) is None:
            problems.append(f"{where}: there is no mode called {name!r}.")
        else:
            parsed.append(Rule(app.strip(), title.strip(), table.get(name).name))
    if table.get(default) is None:
        problems.append(f"The default mode {default!r} does not exist; Prose is used.")
        default = "Prose"
    return replace(table, rules=tuple(parsed), default=table.get(default).name), problems


def _lines(text: str):
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, line.strip()


def _mode(line: str, where: str, problems: list[str]) -> Mode | None:
    name, colon, rest = line.partition(":")
    if not colon or not name.strip():
        problems.append(f"{where}: write it as 'Name: style=casual, after=nothing' ({line[:40]!r}).")
        return None
    values: dict = {}
    for part in (p.strip() for p in rest.split(",") if p.strip()):
        key, equals, value = (x.strip() for x in part.partition("="))
        key = key.lower()
        value = value if key == "model" else value.lower()  # a model's name may be a folder
        if not equals or key not in _KEYS:
            problems.append(f"{where}: {part!r} is not one of {', '.join(k + '=' for k in _KEYS)}.")
            return None
        if key == "style":
            if value not in {s.value for s in Style}:
                problems.append(f"{where}: style is one of {', '.join(s.value for s in Style)}.")
                return None
            values[key] = Style(value)
        elif key in ("commands", "vocabulary"):
            if value not in ("on", "off"):
                problems.append(f"{where}: {key} is on or off.")
                return None
            values[key] = value == "on"
        elif key in _CHOICES and value not in _CHOICES[key]:
            problems.append(f"{where}: {key} is one of {', '.join(_CHOICES[key])}.")
            return None
        else:
            values[key] = value
    return Mode(name.strip(), **values)
