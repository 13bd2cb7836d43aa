"""Settings to engine options, in one place: the window, ``listen`` and ``eval`` map the same
settings to the same streaming, file and model options."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from dictation_app.core.vocabulary import decoder_hotwords
from dictation_app.core.voice_table import VoiceOptions, parse_voice
from dictation_app.engine.models import LoadOptions
from dictation_app.engine.streaming_options import StreamingOptions
from dictation_app.engine.transcriber import TranscribeOptions
from dictation_app.engine.vad import VadSettings
from dictation_app.settings.declarations import by_key

__all__ = ["AppOptions", "SettingsReader", "app_options", "defaults_with", "language_code", "voice_options", "with_beam"]

#: ``value(key)``: a declared setting's value (the window's Settings, a settings file, a dict).
SettingsReader = Callable[[str], Any]


def language_code(setting: str | None) -> str | None:
    """The one "auto" rule: "auto" (or nothing) means detect, anything else is a language code."""
    return None if setting in (None, "", "auto") else setting


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
        voice: Spoken commands, vocabulary and replacements (lines with problems left out;
            Preferences says which).
    """

    model_name: str = "tiny.en"
    load: LoadOptions = field(default_factory=LoadOptions)
    streaming: StreamingOptions = field(default_factory=StreamingOptions)
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    language: str = "en"
    input_device: str | None = None
    review_below: float = 0.5
    voice: VoiceOptions = field(default_factory=VoiceOptions)


def voice_options(value: SettingsReader) -> tuple[VoiceOptions, list[str]]:
    """The voice settings as options, and what is wrong in them."""
    return parse_voice(value("voice/commands"), value("voice/custom_commands"), value("voice/vocabulary"),
                       value("voice/replacements"), value("voice/replace_in_files"))


def app_options(value: SettingsReader) -> AppOptions:
    """Map declared settings to options (every front end calls this, nothing else does)."""
    language = value("decoding/language")
    voice, _ = voice_options(value)
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
        transcribe=TranscribeOptions(task=value("decoding/task"), batch_size=value("decoding/batch_size"),
                                     hotwords=value("decoding/hotwords") or None, **shared),
        language=language,
        input_device=value("dictation/input_device") or None,
        review_below=value("dictation/review_below"),
        voice=voice,
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
    return replace(options, streaming=replace(options.streaming, beam_size=beam_size),
                   transcribe=replace(options.transcribe, beam_size=beam_size))
