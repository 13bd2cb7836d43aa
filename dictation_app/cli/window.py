"""``dictation-app`` / ``dictation-app gui`` and ``--self-test``: the only commands that import Qt."""

from __future__ import annotations

import argparse
import os
import sys

from dictation_app.cli.common import EXIT_FAILED, error

__all__ = ["cmd_gui", "cmd_self_test", "register"]


def register(commands) -> None:
    gui = commands.add_parser("gui", help="open the window (the default without a command)")
    gui.add_argument(
        "--background", action="store_true", help="start with the window hidden in the tray (where the desktop has one)"
    )
    gui.add_argument(
        "--dictate",
        action="store_true",
        help="dictate at once into the application that has the focus as the app starts "
        "(what 'dictation-app start' and 'toggle' launch; words go in once the model is loaded)",
    )
    gui.set_defaults(handler=cmd_gui)


def cmd_self_test(args: argparse.Namespace) -> int:
    try:
        from dictation_app.ui.selftest import run
    except ImportError as exc:
        error(f"the self-test needs PySide6 ({exc}); install it with: pip install 'dictation-app[gui]'")
        return EXIT_FAILED
    return run()


def cmd_gui(args: argparse.Namespace) -> int:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    ):
        error(
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset). "
            "Without a desktop, use 'dictation-app transcribe' or 'dictation-app listen'; see --help."
        )
        return EXIT_FAILED
    try:
        from dictation_app.ui.app import run
    except ImportError as exc:
        error(f"the window needs PySide6 ({exc}); install it with: pip install 'dictation-app[gui]'")
        return EXIT_FAILED
    return run(background=getattr(args, "background", False), dictate=getattr(args, "dictate", False))
