"""Exports: one small module per format behind one registry (no Qt)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from dictation_app.errors import OutputError
# Importing a format module registers it; this order is the menu order.
from dictation_app.export import txt, srt, vtt, json_format, docx_format  # noqa: F401, I001
from dictation_app.export.base import EXPORTERS, Exporter
from dictation_app.transcript import Transcript

__all__ = ["EXPORTERS", "Exporter", "atomic_write", "get_exporter", "save"]


def _read_umask() -> int:
    mask = os.umask(0)  # the only portable way to read it; done once, before any threads
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def get_exporter(name: str) -> Exporter:
    try:
        return EXPORTERS[name.lower()]
    except KeyError:
        raise OutputError(f"Unknown export format '{name}'; use one of: {', '.join(EXPORTERS)}.") from None


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash or Ctrl-C leaves either the old file or the new one."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"Cannot write to {path.parent}: {exc.strerror or exc}.") from None
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600; an export gets normal permissions
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


def save(transcript: Transcript, format_name: str, path: Path) -> Path:
    """Render ``transcript`` as ``format_name`` and write it atomically to ``path``."""
    atomic_write(Path(path), get_exporter(format_name).render(transcript))
    return Path(path)
