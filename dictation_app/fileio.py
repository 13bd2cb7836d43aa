"""Crash-safe file writing shared by exports, autosave and settings, and owner-only storage
for what the app keeps (no Qt).

What the app keeps is its user's alone: its folders are created 0700 and its files 0600
whatever the umask (:func:`private_dir`, :func:`open_private`, ``atomic_write(private=True)``),
and :func:`tighten` closes up folders an older version left readable. Exports the user saves
keep the user's normal permissions.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dictation_app.errors import OutputError

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "atomic_write",
    "open_private",
    "private_dir",
    "tighten",
    "user_data_dir",
]

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def _read_umask() -> int:
    mask = os.umask(0)  # the only portable way to read it; done once, before any threads
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def user_data_dir() -> Path:
    """The app's data folder (sessions, autosaves); ``DICTATION_APP_DATA_DIR`` overrides it."""
    override = os.environ.get("DICTATION_APP_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("dictation-app", appauthor=False))


def private_dir(path: Path) -> Path:
    """``path`` as an owner-only folder: created 0700 with the parents it lacks (those too),
    or tightened to 0700 if it exists. Raises OSError."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(PRIVATE_DIR_MODE)
        except FileExistsError:
            pass
        os.chmod(folder, PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask
    if not missing and path.is_dir() and path.stat().st_uid == os.getuid():
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def open_private(path: Path, mode: str = "wb", **kwargs):
    """Open ``path`` for writing ("wb", "ab", "a", "w"), created 0600 whatever the umask."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)  # a file an older version made stays ours alone too
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def tighten(root: Path) -> None:
    """Make ``root`` and everything in it that this user owns owner-only (folders 0700, files
    0600): what older versions left readable to others. Missing roots are fine."""
    root = Path(root)
    if not root.is_dir():
        return
    uid = os.getuid()
    for folder, _dirs, files in os.walk(root):
        for name, mode in [(folder, PRIVATE_DIR_MODE)] + [(os.path.join(folder, f), PRIVATE_FILE_MODE) for f in files]:
            try:
                info = os.lstat(name)
                if info.st_uid == uid and not os.path.islink(name) and info.st_mode & 0o7777 != mode:
                    os.chmod(name, mode)
            except OSError:
                continue  # vanished or not ours to change: leave it


def atomic_write(path: Path, data: bytes, private: bool = False) -> None:
    """Write ``data`` to ``path`` so that a crash or Ctrl-C leaves either the old file or the new one.

    ``private``: the file is the app's own (autosaves): 0600. Otherwise it is the user's
    (exports): the permissions their umask gives.
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"Cannot write to {path.parent}: {exc.strerror or exc}.") from None
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE if private else 0o666 & ~_UMASK)  # a user's file: normal permissions
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"Cannot write {path}: {exc.strerror or exc}.") from None
        raise
