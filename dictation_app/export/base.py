"""The exporter interface and the registry every format module adds itself to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dictation_app.transcript import Transcript

__all__ = ["Exporter", "EXPORTERS", "register"]


@dataclass(frozen=True)
class Exporter:
    """One output format.

    Attributes:
        name: Format name as the user types it ("srt").
        extension: File extension without the dot.
        description: Label for menus and help ("SubRip subtitles").
        render: Turns a transcript into the file's bytes.
        is_text: Whether the bytes are UTF-8 text (can be previewed and copied).
    """

    name: str
    extension: str
    description: str
    render: Callable[[Transcript], bytes]
    is_text: bool = True


#: Format name -> exporter, in menu order.
EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.name] = exporter
    return exporter
