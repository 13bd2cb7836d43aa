"""``start | stop | toggle | cancel | show | mode NAME | status | quit``: drive the running app from outside
(a desktop key binding), and ``doctor``. ``start`` and ``toggle`` launch the app in the
background when it is not running, and it starts dictating once its model is loaded."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time

from dictation_app.anywhere.control import COMMANDS, ControlError, NotRunning, send_command, socket_path
from dictation_app.cli.common import EXIT_FAILED, EXIT_OK, error
from dictation_app.system import app_command

__all__ = ["register"]

LAUNCH_WAIT_S = 30.0


def register(commands) -> None:
    for name, help_text in COMMANDS.items():
        parser = commands.add_parser(name, help=f"running app: {help_text}")
        parser.add_argument("--json", action="store_true", help="print the app's answer as JSON")
        if name == "mode":
            parser.add_argument("name", metavar="NAME", help="Prose, Casual, Terminal, Code, one of yours, or auto")
        parser.set_defaults(handler=_cmd_control, control=name)
    doctor = commands.add_parser(
        "doctor",
        help="what this desktop offers for dictating into other applications, with a live check of each way of typing",
    )
    doctor.add_argument("--no-live", action="store_true", help="only look; type nothing into a test field")
    doctor.add_argument("--probe-field", metavar="OUT", help=argparse.SUPPRESS)  # the live check's own field
    doctor.set_defaults(handler=_cmd_doctor)


def _launch() -> None:
    """Start the app in the background, dictating into the application that has the focus now
    (the app reads it before any window of its own is shown), detached from this terminal, and
    wait for its socket."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise ControlError(
            "Dictation is not running, and there is no display to start it on (DISPLAY and WAYLAND_DISPLAY are unset)."
        )
    subprocess.Popen(
        app_command("gui", "--background", "--dictate"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + LAUNCH_WAIT_S
    while time.monotonic() < deadline:
        try:
            send_command("status", timeout=1.0)
            return
        except NotRunning:
            time.sleep(0.1)
    raise ControlError(f"Dictation was started but did not answer on {socket_path()} within {LAUNCH_WAIT_S:.0f} s.")


def _cmd_control(args: argparse.Namespace) -> int:
    command = args.control
    fields = {"name": args.name} if command == "mode" else {}
    try:
        try:
            answer = send_command(command, **fields)
        except NotRunning:
            if command not in ("start", "toggle"):
                if command == "status":
                    print(json.dumps({"ok": True, "running": False}) if args.json else "not running")
                    return EXIT_OK
                error("Dictation is not running (start it with 'dictation-app' or 'dictation-app start').")
                return EXIT_FAILED
            _launch()  # a toggle of a stopped app starts it: launched dictating
            answer = send_command("status")
    except ControlError as exc:
        error(str(exc))
        return EXIT_FAILED
    if args.json:
        print(json.dumps(answer))
    elif command == "status":
        line = answer.get("state", "?")
        if answer.get("dictating") and answer.get("target"):
            line += f", typing into {answer['target']} in {answer.get('writing_mode')} mode"
        if answer.get("picked_mode"):
            line += f"; dictations are written in {answer['picked_mode']} mode (picked)"
        print(line)
    elif command == "mode":
        picked = answer.get("picked_mode")
        print(f"Dictations are written in {picked} mode." if picked else "The rules choose each dictation's mode.")
    return EXIT_OK


def _cmd_doctor(args: argparse.Namespace) -> int:
    from dictation_app.anywhere.doctor import diagnose

    if args.probe_field:
        from dictation_app.ui.probe_field import main as field

        return field(args.probe_field)

    report = diagnose(live=not args.no_live)
    print(report.text())
    return EXIT_OK if report.can_insert else EXIT_FAILED
