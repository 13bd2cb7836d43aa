"""WebVTT (.vtt) subtitles, for the web and most video players."""

from dictation_app.export.base import Exporter, register
from dictation_app.export.cues import build_cues, format_timestamp
from dictation_app.transcript import Transcript


def render(transcript: Transcript) -> bytes:
    blocks = ["WEBVTT\n"]
    blocks += [
        f"{format_timestamp(c.start, '.')} --> {format_timestamp(c.end, '.')}\n{c.text}\n"
        for c in build_cues(transcript)
    ]
    return "\n".join(blocks).encode("utf-8")


EXPORTER = register(Exporter("vtt", "vtt", "WebVTT subtitles", render))
