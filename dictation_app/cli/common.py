"""What every command shares: exit codes, one-line errors, model options, a progress bar."""

from __future__ import annotations

import argparse
import sys

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "PROG",
    "ProgressBar",
    "add_model_options",
    "app_options_from_args",
    "error",
    "load_model",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PROG = "dictation-app"


def error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def add_model_options(parser: argparse.ArgumentParser) -> None:
    from dictation_app.engine.models import DEFAULT_MODEL

    group = parser.add_argument_group("model")
    group.add_argument("--model", help=f"model name (tiny.en, base, small, ...) or folder (default: {DEFAULT_MODEL})")
    group.add_argument("--compute-device", choices=["cpu", "cuda"], help="default: cuda when available, else cpu")
    group.add_argument("--compute-type", help="CTranslate2 compute type (default: int8 on CPU, float16 on CUDA)")
    group.add_argument("--threads", type=int, help="CPU threads (default: physical cores)")


#: settings the command line can give, and the option that gives each
_FLAGS = {
    "model/name": "model",
    "decoding/language": "language",
    "decoding/task": "task",
    "decoding/initial_prompt": "initial_prompt",
    "decoding/hotwords": "hotwords",
    "decoding/batch_size": "batch_size",
    "voice/commands": "commands",
    "anywhere/insert": "insert",
    "anywhere/after": "after",
    "anywhere/method": "method",
}


def app_options_from_args(args: argparse.Namespace):
    """What the window would run with these settings: the settings file given with
    ``--settings`` (else the declared defaults, with the command's default language), and
    the options given on the command line on top, through the window's own mapping."""
    from dataclasses import replace

    from dictation_app.core.options import app_options, defaults_with, with_beam
    from dictation_app.settings.ini_file import SettingsFile

    if getattr(args, "settings", None):
        base = SettingsFile(args.settings).value
    else:
        base = defaults_with({"decoding/language": getattr(args, "language_default", None)})
        if getattr(args, "user_voice", False):
            base = _with_user_voice(base)
    given = {key: getattr(args, flag, None) for key, flag in _FLAGS.items()}
    options = app_options(lambda key: base(key) if given.get(key) is None else given[key])
    if getattr(args, "beam_size", None):
        options = with_beam(options, args.beam_size)
    if hasattr(args, "vad"):
        options = replace(
            options, transcribe=replace(options.transcribe, vad_filter=args.vad, word_timestamps=args.word_timestamps)
        )
    return options


def _with_user_voice(base):
    """The user's vocabulary, replacements and commands, and how they type into other applications
    (set in the window's Preferences), on top of ``base``: the same in every front end."""
    from dictation_app.errors import DictationError
    from dictation_app.settings.ini_file import SettingsFile, default_settings_path

    path = default_settings_path()
    try:
        user = SettingsFile(path).value if path.exists() else None
    except DictationError:
        user = None
    return (lambda key: user(key) if key.startswith(("voice/", "anywhere/", "modes/")) else base(key)) if user else base


def load_model(args: argparse.Namespace, options):
    """A dictation service with the model of ``options`` loaded on this thread; the model
    options given on the command line win over the settings."""
    from dictation_app.core.dictation import DictationService
    from dictation_app.engine import LoadOptions

    given = LoadOptions(device=args.compute_device, compute_type=args.compute_type, cpu_threads=args.threads)
    load = LoadOptions(
        device=given.device or options.load.device,
        compute_type=given.compute_type or options.load.compute_type,
        cpu_threads=given.cpu_threads or options.load.cpu_threads,
    )
    service = DictationService()
    if service.store.needs_download(options.model_name):  # said before any connection is made
        print(
            f"{PROG}: downloading model '{options.model_name}' from the Hugging Face hub (asked for by name; "
            "the bundled tiny.en and local folders never download)",
            file=sys.stderr,
            flush=True,
        )
    bar = ProgressBar(f"downloading {options.model_name}") if sys.stderr.isatty() else None
    service.load_now(options.model_name, load, progress=bar.bytes if bar else None)
    if bar:
        bar.close()
    return service


class ProgressBar:
    """A one-line progress bar on stderr (only used when stderr is a terminal)."""

    WIDTH = 30

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = False

    def fraction(self, value: float) -> None:
        filled = int(self.WIDTH * max(0.0, min(1.0, value)))
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {value * 100:5.1f}%")
        sys.stderr.flush()
        self.shown = True

    def bytes(self, done: int, total: int) -> None:
        self.fraction(done / total if total else 0.0)

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
