"""Talking to the rest of the desktop: child processes get the user's environment back.

A frozen (PyInstaller) app runs with ``LD_LIBRARY_PATH`` (and Qt's plugin paths) pointing
into its bundle. A program it starts (a file manager, a browser) must not load the bundle's
libraries, so children get the environment the user started the app with.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["app_command", "child_environment", "is_frozen", "open_path"]

_BUNDLE_VARS = ("LD_LIBRARY_PATH", "QT_PLUGIN_PATH", "QML2_IMPORT_PATH", "QT_QPA_PLATFORM_PLUGIN_PATH")


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def child_environment(environ: dict[str, str] | None = None, bundle: str | None = None) -> dict[str, str]:
    """The environment for a child process: the bundle's additions undone.

    PyInstaller's bootloader saves the user's value of ``LD_LIBRARY_PATH`` as
    ``LD_LIBRARY_PATH_ORIG`` (absent if it was unset); paths into the bundle are dropped.
    """
    env = dict(os.environ if environ is None else environ)
    bundle = bundle if bundle is not None else getattr(sys, "_MEIPASS", None)
    if not bundle:
        return env
    for name in _BUNDLE_VARS:
        original = env.pop(f"{name}_ORIG", None)
        if original is not None:
            env[name] = original
        elif name in env:
            kept = [p for p in env[name].split(os.pathsep) if p and not p.startswith(bundle)]
            if kept:
                env[name] = os.pathsep.join(kept)
            else:
                del env[name]
    return env


def app_command(*args: str) -> list[str]:
    """The command line that runs ``dictation-app ARGS`` with this installation: the frozen
    executable itself, or this Python with ``-m dictation_app``."""
    if is_frozen():
        return [sys.executable, *args]
    return [sys.executable, "-m", "dictation_app", *args]


def open_path(path: str | Path) -> None:
    """Open a folder or file in the user's default application."""
    if sys.platform.startswith("linux"):
        subprocess.Popen(
            ["xdg-open", str(path)],
            env=child_environment(),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    elif sys.platform == "darwin":
        subprocess.Popen(["open", str(path)], env=child_environment())
    else:
        os.startfile(str(path))  # type: ignore[attr-defined]  # Windows
