"""Exports: one small module per format behind one registry (no Qt)."""

from __future__ import annotations

from pathlib import Path

from dictation_app.errors import OutputError

# isort: off
# Importing a format module registers it; this order is the menu order.
from dictation_app.export import txt, srt, vtt, json_format, docx_format  # noqa: F401

# isort: on
from dictation_app.export.base import EXPORTERS, Exporter
from dictation_app.fileio import atomic_write
from dictation_app.transcript import Transcript

__all__ = ["EXPORTERS", "Exporter", "atomic_write", "get_exporter", "save"]


def get_exporter(name: str) -> Exporter:
    try:
        return EXPORTERS[name.lower()]
    except KeyError:
        raise OutputError(f"Unknown export format '{name}'; use one of: {', '.join(EXPORTERS)}.") from None


def save(transcript: Transcript, format_name: str, path: Path) -> Path:
    """Render ``transcript`` as ``format_name`` and write it atomically to ``path``."""
    atomic_write(Path(path), get_exporter(format_name).render(transcript))
    return Path(path)
