"""``history``: list, search, show, export, re-transcribe, delete and rebuild the kept dictations
and transcripts (:mod:`dictation_app.core.history`)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from dictation_app.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, PROG, add_model_options, error

__all__ = ["register"]

ACTIONS = ("show", "export", "retranscribe", "delete", "rebuild")
USAGE = f"""{PROG} history [QUERY] [--since DATE] [--json]   list entries, newest first; QUERY finds words (prefixes)
       {PROG} history show ID [--json]                     an entry with its versions
       {PROG} history export ID --format srt|vtt|txt|json|docx [--output FILE]
       {PROG} history retranscribe ID [--model NAME]       transcribe its audio again, keeping both versions
       {PROG} history delete ID [--yes]                    delete it with its audio and transcripts
       {PROG} history rebuild                              recreate the database from the kept folders"""


def register(commands) -> None:
    history = commands.add_parser("history", help="search and manage kept dictations and transcripts", usage=USAGE)
    history.add_argument("words", nargs="*", metavar="QUERY", help="words to find, or an action and an entry's ID")
    history.add_argument("--since", help="only entries from this date on (YYYY-MM-DD, or 'today', or 7d)")
    history.add_argument("--json", action="store_true", help="print JSON")
    history.add_argument("--limit", type=int, default=50, help="at most this many entries (default 50; 0: all)")
    history.add_argument("--format", help="export format: txt, srt, vtt, json, docx")
    history.add_argument("--output", type=Path, help="export to this file (default: stdout for text formats)")
    history.add_argument("--yes", action="store_true", help="delete without asking")
    history.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    add_model_options(history)
    history.set_defaults(handler=_cmd_history)


def _cmd_history(args: argparse.Namespace) -> int:
    from dictation_app.core.history_files import open_history
    from dictation_app.core.privacy import secure_storage

    for problem in secure_storage():
        print(f"{PROG}: warning: {problem}", file=sys.stderr)
    store = open_history(args.database)
    if store.problem:
        print(f"{PROG}: warning: {store.problem}", file=sys.stderr)
    words = args.words
    if words and words[0] == "rebuild" and len(words) == 1:
        return _rebuild(store)
    if words and words[0] in ACTIONS and len(words) == 2:
        if not words[1].isdigit():
            error(f"'{words[1]}' is not an entry ID (the numbers '{PROG} history' lists).")
            return EXIT_USAGE
        entry = store.get(int(words[1]))
        if entry is None:
            error(f"there is no history entry {words[1]} ('{PROG} history' lists them).")
            return EXIT_FAILED
        return {"show": _show, "export": _export, "retranscribe": _retranscribe, "delete": _delete}[words[0]](
            store, entry, args
        )
    return _list(store, " ".join(words), args)


def _since(value: str | None) -> float | None:
    from dictation_app.errors import DictationError

    if not value:
        return None
    now = datetime.now()
    try:
        if value == "today":
            return now.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
        if value.endswith("d") and value[:-1].isdigit():
            return now.timestamp() - int(value[:-1]) * 86400
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        raise DictationError(f"--since {value}: give a date (2026-12-01), 'today', or a number of days (7d).") from None


def _list(store, query: str, args: argparse.Namespace) -> int:
    entries = store.search(query, since=_since(args.since), limit=args.limit or None)
    if args.json:
        print(json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not entries:
        print("No entries" + (f" with '{query}'." if query else "."), file=sys.stderr)
        return EXIT_OK
    day = None
    for entry in entries:
        when = datetime.fromtimestamp(entry.created)
        if when.date() != day:
            day = when.date()
            print(f"{day:%A %d %B %Y}")
        print(f"  {entry.entry_id:5d}  {when:%H:%M}  {entry.summary:40.40}  {_preview(entry.text, query)}")
    return EXIT_OK


def _preview(text: str, query: str, width: int = 70) -> str:
    """The text around the first word searched for, on one line."""
    text = " ".join(text.split())
    at = text.lower().find(query.split()[0].lower()) if query.split() else 0
    start = max(0, at - width // 3) if at > 0 else 0
    snippet = text[start : start + width]
    return ("…" if start else "") + snippet + ("…" if start + width < len(text) else "")


def _show(store, entry, args: argparse.Namespace) -> int:
    versions = store.versions(entry.entry_id)
    if args.json:
        print(json.dumps([asdict(v) for v in versions], ensure_ascii=False, indent=2))
        return EXIT_OK
    for version in versions:
        when = datetime.fromtimestamp(version.created)
        print(f"#{version.entry_id}  {when:%Y-%m-%d %H:%M}  {version.summary}")
        print(f"  audio: {version.audio or '(none)'}{' (missing)' if version.audio_missing else ''}")
        print(f"  transcript: {version.transcript}")
        print(version.text + "\n")
    return EXIT_OK


def _export(store, entry, args: argparse.Namespace) -> int:
    from dictation_app.core.history_files import entry_transcript
    from dictation_app.export import get_exporter, save

    fmt = args.format or "txt"
    exporter = get_exporter(fmt)  # raises a clear error for an unknown format
    transcript = entry_transcript(entry)
    if args.output is None:
        if not exporter.is_text:
            error(f"{fmt} is not text: give --output FILE.")
            return EXIT_USAGE
        sys.stdout.write(exporter.render(transcript).decode("utf-8"))
        return EXIT_OK
    save(transcript, fmt, args.output)
    print(f"wrote {args.output}", file=sys.stderr)
    return EXIT_OK


def _retranscribe(store, entry, args: argparse.Namespace) -> int:
    from dictation_app.cli.common import ProgressBar, app_options_from_args, load_model
    from dictation_app.core.history_files import retranscribe
    from dictation_app.engine import FileTranscriber

    args.language_default = entry.language if entry.language not in ("", "auto") else None
    options = app_options_from_args(args)
    service = load_model(args, options)
    bar = ProgressBar(f"re-transcribing #{entry.entry_id}") if sys.stderr.isatty() else None
    version = retranscribe(
        store,
        entry,
        FileTranscriber(service.model, service.model_name),
        options.transcribe,
        on_progress=bar.fraction if bar else None,
    )
    if bar:
        bar.close()
    print(f"#{version.entry_id} ({version.model}), a new version of #{version.parent}:", file=sys.stderr)
    print(version.text)
    return EXIT_OK


def _delete(store, entry, args: argparse.Namespace) -> int:
    from dictation_app.core.history_files import delete_entry

    versions = store.versions(entry.entry_id)
    if not args.yes:
        if not sys.stdin.isatty():
            error("deleting needs --yes when not asked at a terminal.")
            return EXIT_USAGE
        answer = input(
            f"Delete #{versions[0].entry_id} ({len(versions)} version(s)) with its recording and transcripts? [y/N] "
        )
        if answer.strip().lower() not in ("y", "yes"):
            return EXIT_FAILED
    problems = delete_entry(store, versions[0].entry_id)
    for problem in problems:
        error(problem)
    print(f"deleted #{versions[0].entry_id}", file=sys.stderr)
    return EXIT_FAILED if problems else EXIT_OK


def _rebuild(store) -> int:
    from dictation_app.core.history_files import rebuild

    report = rebuild(store)
    print(
        f"history rebuilt: {report.added} entries from the kept folders"
        + (f", {report.unreadable} unreadable (left in place)" if report.unreadable else ""),
        file=sys.stderr,
    )
    return EXIT_OK
