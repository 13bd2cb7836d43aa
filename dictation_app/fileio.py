"""Crash-safe file writing shared by exports, autosave and settings (no Qt)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dictation_app.errors import OutputError

__all__ = ["atomic_write", "user_data_dir"]


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


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash or Ctrl-C leaves either the old file or the new one."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"Cannot write to {path.parent}: {exc.strerror or exc}.") from None
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; a user's file gets normal permissions
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
