"""``dictation-app listen`` and ``dictation-app devices``: live dictation without a window."""

from __future__ import annotations

import argparse
import signal
import sys
import time

from dictation_app.errors import DictationError

__all__ = ["cmd_devices", "cmd_listen"]


def cmd_devices(args: argparse.Namespace) -> int:
    from dictation_app.audio.capture import list_input_devices

    devices = list_input_devices()
    if not devices:
        print("No audio input devices found.", file=sys.stderr)
        return 1
    for d in devices:
        mark = "*" if d.is_default else " "
        print(f"{mark} {d.index:3d}  {d.name}  ({d.channels} ch, {d.default_samplerate:.0f} Hz)")
    return 0


def _device(value: str | None) -> int | str | None:
    return int(value) if value is not None and value.isdigit() else value


def cmd_listen(args: argparse.Namespace) -> int:
    from dictation_app.audio.capture import MicrophoneSource
    from dictation_app.audio.recorder import SessionRecorder, new_session_dir
    from dictation_app.cli import load_transcriber
    from dictation_app.engine.session import LiveSession
    from dictation_app.engine.streaming import (
        Commit, Partial, StreamError, StreamingOptions, StreamingTranscriber, WhisperBackend,
    )
    from dictation_app.export import atomic_write

    model = load_transcriber(args).model
    options = StreamingOptions(language=None if args.language == "auto" else args.language)
    source = MicrophoneSource(_device(args.input_device))
    session = LiveSession(source, StreamingTranscriber(WhisperBackend(model, options), options))
    session.start()  # fails with a clear message before any session folder is made
    try:
        folder = new_session_dir()
        recorder = session.recorder = SessionRecorder(folder, model=args.model, language=args.language)
    except DictationError:
        source.stop()
        raise
    signal.signal(signal.SIGINT, lambda *_: session.request_stop())
    print(f"Listening on {source.device_name} (Ctrl-C to stop); recording to {folder}", file=sys.stderr, flush=True)
    deadline = time.monotonic() + args.seconds if args.seconds else None
    tty = sys.stderr.isatty()
    committed: list[str] = []
    failed = False
    while not session.ended:
        if deadline is not None and time.monotonic() >= deadline:
            session.request_stop()
        for event in session.step():
            if isinstance(event, Commit):
                committed.append(event.text)
                if tty:
                    sys.stderr.write("\r\033[K")
                print(event.text, flush=True)
            elif isinstance(event, Partial) and tty:
                sys.stderr.write(f"\r\033[K\033[2m{event.text[-100:]}\033[0m")
                sys.stderr.flush()
            elif isinstance(event, StreamError):
                failed = True
                print(f"\ndictation-app: error: {event.message}", file=sys.stderr, flush=True)
    if source.overflows or source.dropped_frames:
        print(f"dictation-app: warning: input overflowed {source.overflows} times; "
              f"{source.dropped_frames} frames were lost", file=sys.stderr)
    text = " ".join(committed)
    if args.output is not None:
        atomic_write(args.output, (text + "\n").encode("utf-8"))
    print(f"Recording kept in {recorder.audio_path}", file=sys.stderr)
    return 1 if failed else 0
