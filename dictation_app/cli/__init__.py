"""Command line: ``dictation-app [gui] | transcribe | eval | models | listen | devices | history``, the
control commands (``start | stop | toggle | cancel | show | mode NAME | status | quit``) and ``doctor``.

Each module registers its group of subcommands (:mod:`.files`, :mod:`.models`, :mod:`.live`, :mod:`.window`)
and its handlers; this one parses and dispatches. Never imports Qt unless the window is asked
for. Errors a user can act on print one line on stderr (``dictation-app: error: ...``) and
give a non-zero exit; a batch goes on past a bad file.
"""

from __future__ import annotations

import argparse
import sys

from dictation_app import __version__
from dictation_app.cli import control, files, history, live, models, window
from dictation_app.cli.common import EXIT_FAILED, EXIT_INTERRUPTED, PROG, error
from dictation_app.errors import DictationError

__all__ = ["build_parser", "main"]

GROUPS = (window, files, models, live, history, control)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Offline dictation and transcription with Whisper.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the window, load the default model, transcribe a bundled sample, check it",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        return window.cmd_self_test(args)
    if args.command is None:
        return window.cmd_gui(args)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        error("interrupted; no partial output was written.")
        return EXIT_INTERRUPTED
    except DictationError as exc:
        error(str(exc))
        return EXIT_FAILED
