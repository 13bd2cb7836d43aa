"""What the app keeps is its user's alone: at start, its folders are made owner-only and
what older versions left readable to other local users is closed up.

The app keeps: dictation sessions (``<data>/sessions/<time>/audio.wav``, ``transcript.jsonl``,
``session.json``, ``history.json``, ``final.txt`` in on-finish mode), autosaves (``<data>/autosave/*.json``),
the history database (``<data>/history.sqlite3``) and the transcripts it indexes
(``<data>/transcripts``), the settings file
(``~/.config/dictation-app/dictation-app.conf``) and models it assembles or downloads
(``<cache>/models``); while it runs, its control socket (``anywhere/control.py``, 0600 in a
0700 folder). New ones are created owner-only (folders 0700, files 0600) by
:mod:`dictation_app.fileio`; this tightens old ones. Exports stay as the user saved them.
"""

from __future__ import annotations

from pathlib import Path

from dictation_app.engine.models import default_cache_dir
from dictation_app.fileio import private_dir, tighten, user_data_dir

__all__ = ["private_paths", "secure_storage"]


def private_paths(settings_file: Path | None = None) -> list[Path]:
    """The folders the app keeps its user's data in."""
    paths = [user_data_dir(), default_cache_dir() / "models"]
    if settings_file is not None:
        paths.append(Path(settings_file).parent)
    return paths


def secure_storage(settings_file: Path | None = None) -> list[str]:
    """Make every folder the app keeps data in owner-only, with all its contents; returns
    problems as sentences (a folder that cannot be changed), never raises."""
    problems = []
    for folder in private_paths(settings_file):
        try:
            # The settings folder is made now, before Qt writes a file there with the umask's modes.
            if folder.exists() or (settings_file is not None and folder == Path(settings_file).parent):
                private_dir(folder)
                tighten(folder)
        except OSError as exc:
            problems.append(f"Cannot make {folder} private: {exc.strerror or exc}.")
    return problems
