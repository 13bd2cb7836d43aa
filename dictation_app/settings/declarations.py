"""Every user setting, declared once with its type, default and label (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dictation_app.core.modes import DEFAULT_RULES

__all__ = ["SETTINGS", "Setting", "by_key"]

#: insertion methods (dictation_app.anywhere.methods.METHOD_NAMES; repeated so settings stay import-light)
METHOD_NAMES = (
    "auto",
    "xtest",
    "x11-paste",
    "virtual-keyboard",
    "portal",
    "wtype",
    "ydotool",
    "wl-paste",
    "portal-paste",
)


@dataclass(frozen=True)
class Setting:
    """One setting.

    Attributes:
        key: QSettings key ("group/name").
        type: bool, int, float or str.
        default: Value when the user has not set one.
        label: What the preferences dialog shows.
        choices: Allowed values of a str setting (empty: free text).
        minimum, maximum: Range of a number.
        hidden: Kept in settings but not shown in the preferences dialog (the toolbar sets it).
    """

    key: str
    type: type
    default: Any
    label: str
    choices: tuple[str, ...] = ()
    minimum: float = 0
    maximum: float = 0
    hidden: bool = False

    def coerce(self, value: Any) -> Any:
        """``value`` as read back from storage (INI files give strings), or the default."""
        if value is None:
            return self.default
        try:
            if self.type is bool:
                value = value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")
            else:
                value = self.type(value)
        except (TypeError, ValueError):
            return self.default
        if self.choices and value not in self.choices:
            return self.default
        if self.type in (int, float) and self.maximum > self.minimum and not self.minimum <= value <= self.maximum:
            return self.default
        return value


LANGUAGES = ("en", "auto", "de", "es", "fr", "it", "ja", "nl", "pl", "pt", "ru", "uk", "zh")

SETTINGS: tuple[Setting, ...] = (
    Setting("model/name", str, "tiny.en", "Model (name or folder)", hidden=True),
    Setting("model/device", str, "auto", "Compute device", ("auto", "cpu", "cuda")),
    Setting("model/compute_type", str, "auto", "Compute type", ("auto", "int8", "int8_float16", "float16", "float32")),
    Setting("model/threads", int, 0, "CPU threads (0: one per physical core)", minimum=0, maximum=256),
    Setting("decoding/language", str, "en", "Language", LANGUAGES, hidden=True),
    Setting("decoding/task", str, "transcribe", "Task (files)", ("transcribe", "translate")),
    Setting("decoding/initial_prompt", str, "", "Initial prompt (vocabulary, style)"),
    Setting("decoding/hotwords", str, "", "Hotwords (names, jargon)"),
    Setting(
        "decoding/batch_size",
        int,
        0,
        "Files: decode speech chunks in batches of (0: one window at a time)",
        minimum=0,
        maximum=64,
    ),
    Setting("dictation/input_device", str, "", "Input device (empty: system default)", hidden=True),
    Setting(
        "dictation/vad_threshold",
        float,
        0.5,
        "Speech detection threshold (lower: more sensitive)",
        minimum=0.1,
        maximum=0.9,
    ),
    Setting("dictation/pause_s", float, 1.0, "Pause that ends a sentence (seconds)", minimum=0.2, maximum=3.0),
    Setting(
        "dictation/review_below", float, 0.5, "Mark words for review below this confidence", minimum=0.0, maximum=1.0
    ),
    Setting("dictation/sounds", bool, False, "Short sounds when dictation starts and stops, and on a problem"),
    Setting(
        "anywhere/insert",
        str,
        "live",
        "Into other applications: type words as they commit, or the whole recording when you stop (offline accuracy)",
        ("live", "on_finish"),
    ),
    Setting(
        "anywhere/correct",
        bool,
        True,
        "Typing live: correct a phrase once it is heard whole (BackSpace and the "
        "new words, only while the focus stayed and everything was typed)",
    ),
    Setting("anywhere/method", str, "auto", "Insertion method", METHOD_NAMES),
    Setting("anywhere/shortcut", str, "Ctrl+Alt+D", "Global shortcut (X11; on Wayland bind 'dictation-app toggle')"),
    Setting("anywhere/shortcut_mode", str, "toggle", "Shortcut mode", ("toggle", "push_to_talk")),
    Setting("anywhere/paste_key", str, "", "Paste key override (empty: Ctrl+V, Ctrl+Shift+V in terminals)"),
    Setting("anywhere/after", str, "space", "After each dictation type", ("space", "newline", "nothing")),
    Setting(
        "anywhere/preroll",
        bool,
        False,
        "Keep the microphone open while the app runs, so each dictation "
        "starts 0.5 s before the shortcut (shown in the overlay and tray)",
    ),
    Setting("anywhere/keep_in_tray", bool, True, "Closing the window keeps dictation running in the tray"),
    Setting(
        "voice/commands",
        bool,
        True,
        "Spoken punctuation and commands while dictating ('comma', 'new line', 'scratch that')",
        hidden=True,
    ),
    Setting(
        "voice/custom_commands", str, "", "Your commands (spoken phrase => text or a built-in command)", hidden=True
    ),
    Setting("voice/vocabulary", str, "", "Vocabulary: names and words to get right (one a line)", hidden=True),
    Setting("voice/replacements", str, "", "Replacements (spoken phrase => text)", hidden=True),
    Setting("voice/replace_in_files", bool, False, "Apply replacements to file transcripts too", hidden=True),
    Setting("modes/default", str, "Prose", "Mode where no rule matches", hidden=True),
    Setting("modes/rules", str, DEFAULT_RULES, "Which mode for which application", hidden=True),
    Setting("modes/custom", str, "", "Your modes (Name: style=..., insert=..., after=...)", hidden=True),
    Setting(
        "history/keep_days",
        int,
        0,
        "History: delete dictations and transcripts older than (days; 0: keep all)",
        minimum=0,
        maximum=36500,
    ),
    Setting(
        "history/max_mb",
        int,
        0,
        "History: keep at most this many MB of recordings, oldest deleted first (0: no limit)",
        minimum=0,
        maximum=10_000_000,
    ),
    Setting("export/format", str, "txt", "Export format", ("txt", "srt", "vtt", "json", "docx")),
    Setting("export/folder", str, "", "Last export folder", hidden=True),
)

_BY_KEY = {s.key: s for s in SETTINGS}


def by_key(key: str) -> Setting:
    return _BY_KEY[key]
