"""Settings to engine options, in one place: the window, ``listen`` and ``eval`` map the same
settings to the same streaming, file and model options."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from dictation_app.core.modes import Mode, ModeTable, parse_modes
from dictation_app.core.vocabulary import decoder_hotwords
from dictation_app.core.voice_table import VoiceOptions, parse_voice
from dictation_app.engine.models import LoadOptions
from dictation_app.engine.streaming_options import StreamingOptions
from dictation_app.engine.transcriber import TranscribeOptions
from dictation_app.engine.vad import VadSettings
from dictation_app.settings.declarations import by_key

__all__ = [
    "AnywhereOptions",
    "AppOptions",
    "InsertMode",
    "SettingsReader",
    "ShortcutMode",
    "anywhere_options",
    "app_options",
    "defaults_with",
    "language_code",
    "mode_table",
    "voice_options",
    "with_beam",
    "with_mode",
]

#: ``value(key)``: a declared setting's value (the window's Settings, a settings file, a dict).
SettingsReader = Callable[[str], Any]


def language_code(setting: str | None) -> str | None:
    """The one "auto" rule: "auto" (or nothing) means detect, anything else is a language code."""
    return None if setting in (None, "", "auto") else setting


class InsertMode(Enum):
    """How words reach another application."""

    LIVE = "live"  # typed as they commit
    ON_FINISH = "on_finish"  # the whole recording, transcribed when the dictation stops


class ShortcutMode(Enum):
    TOGGLE = "toggle"  # one press starts, the next stops
    PUSH_TO_TALK = "push_to_talk"  # dictates while the chord is held


#: what ``anywhere/after`` types after each dictation
_AFTER = {"space": " ", "newline": "\n", "nothing": ""}


@dataclass(frozen=True)
class AnywhereOptions:
    """Dictation into other applications (the ``anywhere/*`` settings).

    Attributes:
        insert: Live typing or the whole recording at the end.
        correct: Typing live, retype an utterance the engine revised once heard whole.
        trailer: What is typed after each dictation.
        method: The insertion method ("auto": the desktop's best).
        paste_key: The paste key for the clipboard methods ("": Ctrl+V, Ctrl+Shift+V in terminals).
        shortcut: The global shortcut ("" for none).
        shortcut_mode: Toggle or push-to-talk.
        preroll: Keep the microphone open between dictations.
        keep_in_tray: Closing the window keeps the app in the tray.
    """

    insert: InsertMode = InsertMode.LIVE
    correct: bool = True
    trailer: str = " "
    method: str = "auto"
    paste_key: str = ""
    shortcut: str = "Ctrl+Alt+D"
    shortcut_mode: ShortcutMode = ShortcutMode.TOGGLE
    preroll: bool = False
    keep_in_tray: bool = True


def anywhere_options(value: SettingsReader) -> AnywhereOptions:
    """The ``anywhere/*`` settings as options (the one place they are read)."""
    return AnywhereOptions(
        insert=InsertMode(value("anywhere/insert")),
        correct=bool(value("anywhere/correct")),
        trailer=_AFTER.get(value("anywhere/after"), " "),
        method=value("anywhere/method"),
        paste_key=value("anywhere/paste_key").strip(),
        shortcut=value("anywhere/shortcut").strip(),
        shortcut_mode=ShortcutMode(value("anywhere/shortcut_mode")),
        preroll=bool(value("anywhere/preroll")),
        keep_in_tray=bool(value("anywhere/keep_in_tray")),
    )


@dataclass(frozen=True)
class AppOptions:
    """Everything the settings decide for a model load, a dictation and a file.

    Attributes:
        model_name: Model name or folder.
        load: How to load it.
        streaming: Live dictation policy.
        transcribe: File transcription options.
        language: The language setting as chosen ("auto" included), for session metadata.
        input_device: Microphone name, or None for the system default.
        review_below: Words under this probability are marked for review.
        sounds: Short sounds on start, stop and a problem.
        voice: Spoken commands, vocabulary and replacements (lines with problems left out;
            Preferences says which).
        anywhere: Dictation into other applications.
        modes: The modes and the rules that choose them.
        mode: The mode these options are for (None: the Preferences as they are; see :func:`with_mode`).
    """

    model_name: str = "tiny.en"
    load: LoadOptions = field(default_factory=LoadOptions)
    streaming: StreamingOptions = field(default_factory=StreamingOptions)
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    language: str = "en"
    input_device: str | None = None
    review_below: float = 0.5
    sounds: bool = False
    voice: VoiceOptions = field(default_factory=VoiceOptions)
    anywhere: AnywhereOptions = field(default_factory=AnywhereOptions)
    modes: ModeTable = field(default_factory=ModeTable)
    mode: Mode | None = None


def mode_table(value: SettingsReader) -> tuple[ModeTable, list[str]]:
    """The ``modes/*`` settings as a table, and what is wrong in them."""
    return parse_modes(value("modes/custom"), value("modes/rules"), value("modes/default"))


def with_mode(options: AppOptions, mode: Mode) -> AppOptions:
    """``options`` for a dictation in ``mode``: what the mode sets, over the Preferences."""
    voice = replace(options.voice, style=mode.style)
    if mode.commands is not None:
        voice = replace(voice, commands=mode.commands)
    if mode.vocabulary is False:
        voice = replace(voice, vocabulary=(), replacements=())
    anywhere = options.anywhere
    if mode.insert is not None:
        anywhere = replace(anywhere, insert=InsertMode(mode.insert))
    if mode.after is not None:
        anywhere = replace(anywhere, trailer=_AFTER[mode.after])
    streaming = replace(options.streaming, short_prompt=voice.decoder_hint)
    if not voice.vocabulary:
        streaming = replace(streaming, vocabulary="")
    transcribe, language, model = options.transcribe, options.language, mode.model or options.model_name
    if mode.language is not None:
        language = mode.language
        streaming = replace(streaming, language=language_code(language))
        transcribe = replace(transcribe, language=language_code(language))
    return replace(
        options,
        voice=voice,
        anywhere=anywhere,
        streaming=streaming,
        transcribe=transcribe,
        language=language,
        model_name=model,
        mode=mode,
    )


def voice_options(value: SettingsReader) -> tuple[VoiceOptions, list[str]]:
    """The voice settings as options, and what is wrong in them."""
    return parse_voice(
        value("voice/commands"),
        value("voice/custom_commands"),
        value("voice/vocabulary"),
        value("voice/replacements"),
        value("voice/replace_in_files"),
    )


def app_options(value: SettingsReader) -> AppOptions:
    """Map declared settings to options (every front end calls this, nothing else does)."""
    language = value("decoding/language")
    voice, _ = voice_options(value)
    modes, _ = mode_table(value)
    voice = replace(voice, modes=modes.switches)  # "switch to code mode" in every dictation
    shared = {"language": language_code(language), "initial_prompt": value("decoding/initial_prompt") or None}
    # The vocabulary goes to the live engine's second hearing of each utterance, which takes only
    # vocabulary words from it (given to every decode, it changed ordinary words: two dev passages
    # 4.12 -> 4.63 %), not to file decoding: over 30-s windows with the text before them, hotwords
    # made the shared set's WER 4.10 -> 11.21 % (bench_voice.py). Files get the corrections only.
    threshold = value("dictation/vad_threshold")
    return AppOptions(
        model_name=value("model/name"),
        load=LoadOptions(
            device=_unless_auto(value("model/device")),
            compute_type=_unless_auto(value("model/compute_type")),
            cpu_threads=value("model/threads") or None,
        ),
        streaming=StreamingOptions(
            pause_s=value("dictation/pause_s"),
            vad=VadSettings(threshold=threshold, neg_threshold=max(0.05, threshold - 0.15)),
            short_prompt=voice.decoder_hint,
            hotwords=value("decoding/hotwords") or None,
            vocabulary=decoder_hotwords(voice.vocabulary, value("decoding/hotwords")) if voice.vocabulary else "",
            **shared,
        ),
        transcribe=TranscribeOptions(
            task=value("decoding/task"),
            batch_size=value("decoding/batch_size"),
            hotwords=value("decoding/hotwords") or None,
            **shared,
        ),
        language=language,
        input_device=value("dictation/input_device") or None,
        review_below=value("dictation/review_below"),
        sounds=value("dictation/sounds"),
        voice=voice,
        anywhere=anywhere_options(value),
        modes=modes,
    )


def _unless_auto(setting: str) -> str | None:
    return None if setting == "auto" else setting  # None: the best for this machine


def defaults_with(changes: Mapping[str, Any]) -> SettingsReader:
    """A settings reader: declared defaults, with ``changes`` (None values ignored) on top."""

    def value(key: str) -> Any:
        setting = by_key(key)
        given = changes.get(key)
        return setting.default if given is None else setting.coerce(given)

    return value


def with_beam(options: AppOptions, beam_size: int) -> AppOptions:
    """The same options with another beam width for both live and file decoding."""
    return replace(
        options,
        streaming=replace(options.streaming, beam_size=beam_size),
        transcribe=replace(options.transcribe, beam_size=beam_size),
    )
