"""Plain text: one paragraph per segment."""

from dictation_app.export.base import Exporter, register
from dictation_app.transcript import Transcript


def render(transcript: Transcript) -> bytes:
    lines = [s.text for s in transcript.segments if s.text]
    return ("\n".join(lines) + "\n" if lines else "").encode("utf-8")


EXPORTER = register(Exporter("txt", "txt", "Plain text", render))
