"""Command line: ``dictation-app transcribe|eval|models``.

Never imports Qt unless the GUI is asked for. Errors a user can act on print one line on
stderr (``dictation-app: error: ...``) and give a non-zero exit; a batch goes on past a bad file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dictation_app import __version__
from dictation_app.errors import DictationError, OutputError

__all__ = ["build_parser", "main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PROG = "dictation-app"


def _error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr, flush=True)


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    from dictation_app.engine.models import DEFAULT_MODEL

    group = parser.add_argument_group("model")
    group.add_argument("--model", default=DEFAULT_MODEL, help="model name (tiny.en, base, small, ...) or folder (default: %(default)s)")
    group.add_argument("--compute-device", choices=["cpu", "cuda"], help="default: cuda when available, else cpu")
    group.add_argument("--compute-type", help="CTranslate2 compute type (default: int8 on CPU, float16 on CUDA)")
    group.add_argument("--threads", type=int, help="CPU threads (default: physical cores)")


def _add_decoding_options(parser: argparse.ArgumentParser, language_default: str, word_timestamps: bool) -> None:
    group = parser.add_argument_group("decoding")
    group.add_argument("--language", default=language_default, help="language code, or 'auto' to detect (default: %(default)s)")
    group.add_argument("--task", choices=["transcribe", "translate"], default="transcribe")
    group.add_argument("--beam-size", type=int, default=5)
    group.add_argument("--initial-prompt", help="text that sets vocabulary and style")
    group.add_argument("--hotwords", help="words to favour (names, jargon)")
    group.add_argument("--vad", action="store_true", help="skip non-speech with Silero VAD")
    group.add_argument("--word-timestamps", action=argparse.BooleanOptionalAction, default=word_timestamps,
                       help="per-word times (default: %(default)s)")


def build_parser() -> argparse.ArgumentParser:
    from dictation_app.export import EXPORTERS

    parser = argparse.ArgumentParser(prog=PROG, description="Offline dictation and transcription with Whisper.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="open the window, load the default model, transcribe a bundled sample, check it")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    transcribe = commands.add_parser("transcribe", help="transcribe audio or video files")
    transcribe.add_argument("files", nargs="+", metavar="FILE")
    transcribe.add_argument("--format", nargs="+", default=["txt"], choices=list(EXPORTERS), metavar="FMT",
                            help=f"one or more of {', '.join(EXPORTERS)} (default: txt)")
    transcribe.add_argument("--output-dir", type=Path, help="write <stem>.<ext> per file and format here (default: stdout)")
    _add_model_options(transcribe)
    _add_decoding_options(transcribe, language_default="auto", word_timestamps=True)

    evaluate = commands.add_parser("eval", help="measure word error rate on a manifest of speech files")
    evaluate.add_argument("manifest", type=Path, metavar="MANIFEST.tsv")
    evaluate.add_argument("--limit", type=int, help="only the first N files")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    evaluate.add_argument("--mode", choices=["offline", "live"], default="offline",
                          help="live: stream each file through the dictation engine (default: %(default)s)")
    evaluate.add_argument("--realtime", action="store_true", help="live mode: pace audio in real time, report latency")
    _add_model_options(evaluate)
    # Scoring needs text only; without word timestamps the settings are bare faster-whisper's.
    _add_decoding_options(evaluate, language_default="en", word_timestamps=False)

    listen = commands.add_parser("listen", help="dictate from the microphone; committed text goes to stdout")
    listen.add_argument("--device", dest="input_device", help="input device index or name (default: system default)")
    listen.add_argument("--seconds", type=float, help="stop after this many seconds (default: Ctrl-C)")
    listen.add_argument("--output", type=Path, help="also write the final text to this file")
    _add_model_options(listen)
    listen.add_argument("--language", default="en", help="language code (default: %(default)s)")

    commands.add_parser("gui", help="open the window (the default without a command)")
    commands.add_parser("devices", help="list audio input devices")
    commands.add_parser("models", help="list models: where from, installed, size, path")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from dictation_app.cli_live import cmd_devices, cmd_listen

    handlers = {
        "transcribe": _cmd_transcribe,
        "eval": _cmd_eval,
        "models": _cmd_models,
        "listen": cmd_listen,
        "devices": cmd_devices,
    }
    if args.self_test:
        return _cmd_self_test()
    if args.command in (None, "gui"):
        return _cmd_gui()
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        _error("interrupted; no partial output was written.")
        return EXIT_INTERRUPTED
    except DictationError as exc:
        _error(str(exc))
        return EXIT_FAILED


def _cmd_self_test() -> int:
    try:
        from dictation_app.ui.selftest import run
    except ImportError as exc:
        _error(f"the self-test needs PySide6 ({exc}); install it with: pip install 'dictation-app[gui]'")
        return EXIT_FAILED
    return run()


def _cmd_gui() -> int:
    import os

    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    ):
        _error("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset). "
               "Without a desktop, use 'dictation-app transcribe' or 'dictation-app listen'; see --help.")
        return EXIT_FAILED
    try:
        from dictation_app.ui.app import run
    except ImportError as exc:
        _error(f"the window needs PySide6 ({exc}); install it with: pip install 'dictation-app[gui]'")
        return EXIT_FAILED
    return run()


# -- transcribe ---------------------------------------------------------------------------


def load_transcriber(args: argparse.Namespace):
    from dictation_app.engine import FileTranscriber, LoadOptions, ModelStore

    options = LoadOptions(device=args.compute_device, compute_type=args.compute_type, cpu_threads=args.threads)
    bar = _ProgressBar(f"downloading {args.model}") if sys.stderr.isatty() else None
    model = ModelStore().load(args.model, options, progress=bar.bytes if bar else None)
    if bar:
        bar.close()
    return FileTranscriber(model, args.model)


def _options(args: argparse.Namespace):
    from dictation_app.engine.transcriber import TranscribeOptions, with_language

    options = TranscribeOptions(
        task=args.task,
        initial_prompt=args.initial_prompt,
        hotwords=args.hotwords,
        beam_size=args.beam_size,
        vad_filter=args.vad,
        word_timestamps=args.word_timestamps,
    )
    return with_language(options, args.language)


def _prepare_output_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"--output-dir {path} exists and is not a folder.") from None
    except OSError as exc:
        raise OutputError(f"Cannot create --output-dir {path}: {exc.strerror or exc}.") from None
    probe = path / f".{PROG}-write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"Cannot write to --output-dir {path}: {exc.strerror or exc}.") from None


def _cmd_transcribe(args: argparse.Namespace) -> int:
    from dictation_app.export import get_exporter, save

    formats = list(dict.fromkeys(args.format))
    if args.output_dir is None and (len(formats) > 1 or not get_exporter(formats[0]).is_text):
        _error("writing several formats, or docx, needs --output-dir.")
        return EXIT_USAGE
    if args.output_dir is not None:
        _prepare_output_dir(args.output_dir)
    transcriber = load_transcriber(args)
    options = _options(args)
    failures = 0
    for file in args.files:
        try:
            transcript = _transcribe_one(transcriber, Path(file), options)
            if args.output_dir is None:
                sys.stdout.write(get_exporter(formats[0]).render(transcript).decode("utf-8"))
                sys.stdout.flush()
                continue
            for fmt in formats:
                target = args.output_dir / f"{Path(file).stem}.{get_exporter(fmt).extension}"
                save(transcript, fmt, target)
                print(f"wrote {target}", file=sys.stderr)
        except DictationError as exc:
            failures += 1
            _error(str(exc))
    return EXIT_FAILED if failures else EXIT_OK


def _transcribe_one(transcriber, path: Path, options):
    job = transcriber.start(path, options)
    bar = _ProgressBar(path.name) if sys.stderr.isatty() else None
    try:
        for step in job:
            if bar:
                bar.fraction(step.fraction)
    finally:
        if bar:
            bar.close()
    return job.transcript


class _ProgressBar:
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


# -- eval ---------------------------------------------------------------------------------


def _cmd_eval(args: argparse.Namespace) -> int:
    from dictation_app.evaluation import LiveRecognizer, read_manifest, score_files, summarize

    entries = read_manifest(args.manifest, args.limit)
    transcriber = load_transcriber(args)
    options = _options(args)
    live = None
    if args.mode == "live":
        from dictation_app.engine.streaming import StreamingOptions

        live = LiveRecognizer(transcriber.model, StreamingOptions(language=options.language, beam_size=args.beam_size,
                                                                  initial_prompt=args.initial_prompt,
                                                                  hotwords=args.hotwords), args.realtime)

    def recognise(path: Path) -> tuple[str, float]:
        if live is not None:
            return live(path)
        transcript = transcriber.transcribe(path, options)
        return transcript.text, transcript.metadata.duration

    scores = []
    for score in score_files(entries, recognise):
        scores.append(score)
        if args.json:
            continue
        if score.error:
            _error(score.error)
        else:
            print(f"{score.path.name}\tWER={score.wer * 100:.2f}%\taudio_s={score.audio_s:.1f}", flush=True)
    summary = summarize(scores)
    if args.json:
        files = [
            {"path": str(s.path), "wer": s.wer, "audio_s": s.audio_s, "wall_s": s.wall_s,
             "hypothesis": s.hypothesis, "error": s.error}
            for s in scores
        ]
        print(json.dumps({"wer": summary.wer, "rtf": summary.rtf, "files": summary.files,
                          "audio_s": summary.audio_s, "failed": summary.failed, "model": args.model,
                          "per_file": files}, indent=2))
    else:
        latency = f" {live.latency.summary()}" if live is not None and args.realtime else ""
        print(summary.line() + latency)
    return EXIT_FAILED if summary.failed or not summary.files else EXIT_OK


# -- models -------------------------------------------------------------------------------


def _cmd_models(args: argparse.Namespace) -> int:
    from dictation_app.engine import ModelStore

    rows = [("NAME", "SOURCE", "INSTALLED", "SIZE", "PATH")]
    for info in ModelStore().list_models():
        size = f"{info.size_bytes / 1e6:.0f} MB" if info.size_bytes else "-"
        rows.append((info.name, info.source, "yes" if info.installed else "no", size, str(info.path or "-")))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    return EXIT_OK
