"""SubRip (.srt) subtitles."""

from dictation_app.export.base import Exporter, register
from dictation_app.export.cues import build_cues, format_timestamp
from dictation_app.transcript import Transcript


def render(transcript: Transcript) -> bytes:
    blocks = [
        f"{i}\n{format_timestamp(c.start, ',')} --> {format_timestamp(c.end, ',')}\n{c.text}\n"
        for i, c in enumerate(build_cues(transcript), start=1)
    ]
    return "\n".join(blocks).encode("utf-8")


EXPORTER = register(Exporter("srt", "srt", "SubRip subtitles", render))
