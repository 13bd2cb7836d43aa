"""``listen`` and ``devices``: live dictation without a window, through the dictation service;
with ``--type`` its words are typed into the application that has the focus, through the same
typing stage as the window's shortcut (:class:`~dictation_app.core.typing.Typing`)."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from dictation_app.cli.common import EXIT_FAILED, EXIT_OK, add_model_options, app_options_from_args, error, load_model

__all__ = ["register"]


def register(commands) -> None:
    listen = commands.add_parser("listen", help="dictate from the microphone; committed text goes to stdout")
    listen.add_argument("--device", dest="input_device", help="input device index or name (default: system default)")
    listen.add_argument("--seconds", type=float, help="stop after this many seconds (default: Ctrl-C)")
    listen.add_argument("--output", type=Path, help="also write the final text to this file")
    add_model_options(listen)
    listen.add_argument("--language", help="language code (default: en)")
    listen.add_argument(
        "--commands",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="spoken punctuation and commands: 'comma', 'new line', 'scratch that' (default: on)",
    )
    listen.add_argument(
        "--type",
        dest="type_into",
        action="store_true",
        help="type the words into the application that has the focus when it starts (as the "
        "app's shortcut does); they still go to stdout",
    )
    listen.add_argument(
        "--insert",
        choices=("live", "on_finish"),
        help="with --type: as the words commit, or the whole recording heard again when it stops "
        "(default: your Preferences, else live)",
    )
    listen.add_argument(
        "--after",
        choices=("space", "newline", "nothing"),
        help="with --type: typed after the dictation (default: your Preferences, else space)",
    )
    listen.add_argument("--method", help="with --type: the insertion method (default: the desktop's best)")
    listen.add_argument(
        "--mode",
        dest="writing_mode",
        help="write in this mode (Prose, Casual, Terminal, Code, or one of yours; default: with --type "
        "the one your rules choose for the application, else Prose)",
    )
    listen.add_argument(
        "--audio",
        type=Path,
        help="dictate this recording instead of the microphone, as fast as it decodes (to try "
        "settings, or a recording, on what you would say)",
    )
    listen.set_defaults(handler=_cmd_listen, language_default="en", user_voice=True)
    commands.add_parser("devices", help="list audio input devices").set_defaults(handler=_cmd_devices)


def _cmd_devices(args: argparse.Namespace) -> int:
    from dictation_app.audio.capture import list_input_devices

    devices = list_input_devices()
    if not devices:
        print("No audio input devices found.", file=sys.stderr)
        return EXIT_FAILED
    for d in devices:
        mark = "*" if d.is_default else " "
        print(f"{mark} {d.index:3d}  {d.name}  ({d.channels} ch, {d.default_samplerate:.0f} Hz)")
    return EXIT_OK


def _device(value: str | None) -> int | str | None:
    return int(value) if value is not None and value.isdigit() else value


def _cmd_listen(args: argparse.Namespace) -> int:
    from dictation_app.core.history_files import open_history
    from dictation_app.core.privacy import secure_storage
    from dictation_app.export import atomic_write

    for problem in secure_storage():
        print(f"dictation-app: warning: {problem}", file=sys.stderr)
    options = app_options_from_args(args)
    target = _focused_target() if args.type_into else None  # the focus now, before anything else takes it
    options = _with_mode(options, args, target)
    typing = _typing(options, target) if target is not None else None
    service = load_model(args, options)
    service.history = open_history()  # a fault in it is said, and dictation goes on without it
    if service.history.problem:
        print(f"dictation-app: warning: {service.history.problem}", file=sys.stderr)
    source = _source(args)
    if typing is not None:
        typing.transcribe = service.recording_transcriber(options.transcribe, options.voice.style)
    destination = typing.target.label if typing is not None else "listen (terminal)"
    dictation = service.dictation(
        source,
        options.streaming,
        language=options.language,
        voice=options.voice,
        destination=destination,
        typing=typing,
    )
    dictation.start()  # fails with a clear message before any session folder is made
    signal.signal(signal.SIGINT, lambda *_: dictation.request_stop())
    into = f"; typing into {typing.target.label}" if typing is not None else ""
    print(
        f"Listening on {getattr(source, 'device_name', args.audio)} (Ctrl-C to stop); recording to "
        f"{dictation.folder}{into}",
        file=sys.stderr,
        flush=True,
    )
    text, failed = _print_until_stopped(dictation, args.seconds)
    if getattr(source, "overflows", 0) or getattr(source, "dropped_frames", 0):
        print(
            f"dictation-app: warning: input overflowed {source.overflows} times; "
            f"{source.dropped_frames} frames were lost",
            file=sys.stderr,
        )
    if args.output is not None:
        atomic_write(args.output, (text + "\n").encode("utf-8"))
    if typing is not None:
        typing.finished.wait()  # what is queued is typed (or held, and said) before the process ends
        if typing.delivery.held:
            failed = True
            error(
                f"not everything could be typed into {typing.target.label}; what was not: "
                f"{typing.delivery.held_text!r} (the recording's folder has every word)"
            )
    print(f"Recording kept in {dictation.session.recorder.audio_path}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def _source(args: argparse.Namespace):
    if args.audio is not None:
        from dictation_app.audio.sources import FileSource

        return FileSource(args.audio)  # a file that cannot be read fails with a clear message
    from dictation_app.audio.capture import MicrophoneSource

    return MicrophoneSource(_device(args.input_device))


def _focused_target():
    from dictation_app.anywhere.desktop import Desktop, Session
    from dictation_app.anywhere.targets import focused_target
    from dictation_app.errors import DictationError

    desktop = Desktop.detect()
    if desktop.session == Session.NONE:
        raise DictationError("--type needs a desktop session (X11 or Wayland) to type into; none is running here.")
    return focused_target(desktop)


def _with_mode(options, args: argparse.Namespace, target):
    """The options in the mode asked for, else the one the rules choose for ``target`` (said on
    stderr), else as they are (``listen`` without ``--type``). What the command line says
    (``--insert``, ``--after``, ``--commands``, ``--language``) goes over the mode."""
    from dataclasses import replace

    from dictation_app.core.options import with_mode
    from dictation_app.errors import DictationError

    name = args.writing_mode
    if name is not None:
        mode = options.modes.get(name)
        if mode is None:
            known = ", ".join(m.name for m in options.modes.modes)
            raise DictationError(f"There is no mode called {name!r}; there are: {known}.")
        why = "asked for"
    elif target is not None:
        mode, rule = options.modes.choose(target.app, target.title)
        why = f"rule '{rule.describe()}'" if rule else "no rule matched; the default"
    else:
        return options
    where = f" for {target.label} ({target.app or 'no application name'})" if target is not None else ""
    print(f"dictation-app: writing in {mode.name} mode{where}: {why}", file=sys.stderr, flush=True)
    given = {"insert": args.insert, "after": args.after, "commands": args.commands, "language": args.language}
    given["model"] = args.model
    return with_mode(options, replace(mode, **{k: v for k, v in given.items() if v is not None}))


def _typing(options, target):
    """The typing stage into ``target``; its problems go to stderr."""
    from dictation_app.anywhere.delivery import Held, Refused, Waiting
    from dictation_app.anywhere.desktop import Desktop
    from dictation_app.core.typing import Typing

    desktop = Desktop.detect()

    def said(event) -> None:  # on the delivery thread
        if isinstance(event, Refused):
            error(f"'{event.command}' was not done: {event.reason}. What was typed stays.")
        elif isinstance(event, Waiting):
            print(f"dictation-app: waiting for {event.target.label} to have the focus", file=sys.stderr, flush=True)
        elif isinstance(event, Held):
            error(event.reason)

    return Typing.into(desktop, target, options.anywhere, on_event=said)


def _print_until_stopped(dictation, seconds: float | None) -> tuple[str, bool]:
    """Committed text to stdout as it comes, the tentative tail on a terminal's stderr.

    Stdout is append-only, like typing: an utterance the engine revised (heard whole) is
    shown on a terminal's stderr; the returned text (``--output``) is the revised one."""
    from dictation_app.engine.ledger import CommitLedger
    from dictation_app.engine.streaming import Commit, Partial, Revision, StreamError

    deadline = time.monotonic() + seconds if seconds else float("inf")
    tty = sys.stderr.isatty()
    ledger = CommitLedger()
    failed = False
    for event in dictation.events(stop_when=lambda: time.monotonic() >= deadline):
        ledger.apply(event)
        if isinstance(event, Commit):
            if tty:
                sys.stderr.write("\r\033[K")
            print(event.text, flush=True)
        elif isinstance(event, Revision) and tty:
            said = getattr(event, "command", "") or "heard whole"  # a spoken edit, or the utterance heard again
            sys.stderr.write(f"\r\033[K\033[2m({said}: {event.text})\033[0m\n")
        elif isinstance(event, Partial) and tty:
            sys.stderr.write(f"\r\033[K\033[2m{event.text[-100:]}\033[0m")
            sys.stderr.flush()
        elif isinstance(event, StreamError):
            failed = True
            print(file=sys.stderr)
            error(event.message)
    return ledger.text, failed
