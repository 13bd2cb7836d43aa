"""``transcribe`` and ``eval``: commands on files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dictation_app.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    ProgressBar,
    add_model_options,
    app_options_from_args,
    error,
    load_model,
)
from dictation_app.errors import DictationError, OutputError

__all__ = ["register"]


def register(commands) -> None:
    from dictation_app.export import EXPORTERS

    transcribe = commands.add_parser("transcribe", help="transcribe audio or video files")
    transcribe.add_argument("files", nargs="+", metavar="FILE")
    transcribe.add_argument(
        "--format",
        nargs="+",
        default=["txt"],
        choices=list(EXPORTERS),
        metavar="FMT",
        help=f"one or more of {', '.join(EXPORTERS)} (default: txt)",
    )
    transcribe.add_argument(
        "--output-dir", type=Path, help="write <stem>.<ext> per file and format here (default: stdout)"
    )
    transcribe.set_defaults(user_voice=True)  # the user's replacements, when they apply them to files
    transcribe.add_argument(
        "--no-history", dest="history", action="store_false", help="do not keep the transcripts in the history"
    )
    add_model_options(transcribe)
    _add_decoding_options(transcribe, language_default="auto", word_timestamps=True)
    transcribe.set_defaults(handler=_cmd_transcribe)

    evaluate = commands.add_parser("eval", help="measure word error rate on a manifest of speech files")
    evaluate.add_argument("manifest", type=Path, metavar="MANIFEST.tsv")
    evaluate.add_argument("--limit", type=int, help="only the first N files")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    evaluate.add_argument(
        "--mode",
        choices=["offline", "live"],
        default="offline",
        help="live: stream each file through the dictation engine (default: %(default)s)",
    )
    evaluate.add_argument("--realtime", action="store_true", help="live mode: pace audio in real time, report latency")
    evaluate.add_argument(
        "--settings",
        type=Path,
        metavar="FILE",
        help="take model, language, prompt, hotwords, speech threshold and pause from the window's "
        "settings file (e.g. ~/.config/dictation-app/dictation-app.conf); options given here win",
    )
    evaluate.add_argument(
        "--commands",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="live mode: spoken commands on, as in dictation (default: on); the commands that fire are counted",
    )
    evaluate.add_argument(
        "--writing-mode",
        metavar="MODE",
        help="write in this mode (Prose, Casual, Terminal, Code, or one in --settings): its style, "
        "commands, vocabulary and language; the WER is of the words (default: as the settings are)",
    )
    add_model_options(evaluate)
    # Scoring needs text only; without word timestamps the settings are bare faster-whisper's.
    _add_decoding_options(evaluate, language_default="en", word_timestamps=False)
    evaluate.set_defaults(handler=_cmd_eval)


def _add_decoding_options(parser: argparse.ArgumentParser, language_default: str, word_timestamps: bool) -> None:
    group = parser.add_argument_group("decoding")
    group.add_argument("--language", help=f"language code, or 'auto' to detect (default: {language_default})")
    group.add_argument("--task", choices=["transcribe", "translate"])
    group.add_argument("--beam-size", type=int)
    group.add_argument(
        "--batch-size",
        type=int,
        metavar="N",
        help="decode speech chunks N at a time (faster-whisper's batched pipeline: faster, "
        "the whole file in memory; default: one window at a time)",
    )
    group.add_argument("--initial-prompt", help="text that sets vocabulary and style")
    group.add_argument("--hotwords", help="words to favour (names, jargon)")
    group.add_argument("--vad", action="store_true", help="skip non-speech with Silero VAD")
    group.add_argument(
        "--word-timestamps",
        action=argparse.BooleanOptionalAction,
        default=word_timestamps,
        help="per-word times (default: %(default)s)",
    )
    parser.set_defaults(language_default=language_default)


# -- transcribe ---------------------------------------------------------------------------


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
    from dictation_app.engine import FileTranscriber
    from dictation_app.export import get_exporter, save

    formats = list(dict.fromkeys(args.format))
    if args.output_dir is None and (len(formats) > 1 or not get_exporter(formats[0]).is_text):
        error("writing several formats, or docx, needs --output-dir.")
        return EXIT_USAGE
    if args.output_dir is not None:
        _prepare_output_dir(args.output_dir)
    options = app_options_from_args(args)
    service = load_model(args, options)
    transcriber = FileTranscriber(service.model, service.model_name)
    history = _history() if args.history else None
    failures = 0
    for file in args.files:
        try:
            transcript = _transcribe_one(transcriber, Path(file), options.transcribe)
            transcript = _personal(transcript, options.voice, service.model)
            _keep(history, transcript)
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
            error(str(exc))
    return EXIT_FAILED if failures else EXIT_OK


def _personal(transcript, voice, model):
    """The user's vocabulary corrections (and replacements, if they apply them to files)."""
    from dictation_app.core.vocabulary import tokenizer_is_common
    from dictation_app.core.voice import apply_to_transcript

    return apply_to_transcript(transcript, voice, tokenizer_is_common(getattr(model, "hf_tokenizer", None)))


def _history():
    from dictation_app.core.history_files import open_history

    history = open_history()
    if history.problem:
        print(f"{PROG}: warning: {history.problem}", file=sys.stderr)
    return history


def _keep(history, transcript) -> None:
    """The transcript into the history; a fault there is a warning, the output is still written."""
    from dictation_app.core.history import HistoryError
    from dictation_app.core.history_files import save_file_transcript

    if history is not None:
        try:
            save_file_transcript(history, transcript)
        except HistoryError as exc:
            print(f"{PROG}: warning: {exc}", file=sys.stderr)


def _transcribe_one(transcriber, path: Path, options):
    job = transcriber.start(path, options)
    bar = ProgressBar(path.name) if sys.stderr.isatty() else None
    try:
        for step in job:
            if bar:
                bar.fraction(step.fraction)
    finally:
        if bar:
            bar.close()
    return job.transcript


# -- eval ---------------------------------------------------------------------------------


def _cmd_eval(args: argparse.Namespace) -> int:
    from dictation_app.core.vocabulary import tokenizer_is_common
    from dictation_app.core.voice import apply_style
    from dictation_app.engine import FileTranscriber
    from dictation_app.evaluation import LiveRecognizer, read_manifest, score_files, summarize

    entries = read_manifest(args.manifest, args.limit)
    options = app_options_from_args(args)
    if args.writing_mode is not None:
        from dictation_app.core.options import with_mode

        mode = options.modes.get(args.writing_mode)
        if mode is None:
            known = ", ".join(m.name for m in options.modes.modes)
            error(f"there is no mode called {args.writing_mode!r}; there are: {known}")
            return EXIT_USAGE
        options = with_mode(options, mode)
    service = load_model(args, options)
    offline = FileTranscriber(service.model, service.model_name)
    is_common = tokenizer_is_common(getattr(service.model, "hf_tokenizer", None))
    live = LiveRecognizer(service, options.streaming, args.realtime, options.voice) if args.mode == "live" else None

    def recognise(path: Path) -> tuple[str, float]:
        if live is not None:
            return live(path)
        transcript = offline.transcribe(path, options.transcribe)
        return apply_style(transcript.text, options.voice.style, is_common), transcript.metadata.duration

    scores = []
    for score in score_files(entries, recognise):
        scores.append(score)
        if args.json:
            continue
        if score.error:
            error(score.error)
        else:
            print(f"{score.path.name}\tWER={score.wer * 100:.2f}%\taudio_s={score.audio_s:.1f}", flush=True)
    summary = summarize(scores)
    if args.json:
        files = [
            {
                "path": str(s.path),
                "wer": s.wer,
                "audio_s": s.audio_s,
                "wall_s": s.wall_s,
                "hypothesis": s.hypothesis,
                "error": s.error,
            }
            for s in scores
        ]
        print(
            json.dumps(
                {
                    "wer": summary.wer,
                    "rtf": summary.rtf,
                    "files": summary.files,
                    "audio_s": summary.audio_s,
                    "failed": summary.failed,
                    "model": service.model_name,
                    "commands_fired": [[str(p), c] for p, c in live.fired] if live is not None else [],
                    "per_file": files,
                },
                indent=2,
            )
        )
    else:
        latency = f" {live.latency.summary()}" if live is not None and args.realtime else ""
        commands = f" commands_fired={len(live.fired)}" if live is not None else ""
        print(summary.line() + latency + commands)
        for path, command in live.fired if live is not None else []:
            print(f"{path.name}\tcommand fired: {command}", file=sys.stderr)
    return EXIT_FAILED if summary.failed or not summary.files else EXIT_OK
