"""The native JSON document (lossless: it opens back as the same transcript)."""

from dictation_app.export.base import Exporter, register
from dictation_app.transcript import Transcript


def render(transcript: Transcript) -> bytes:
    return (transcript.to_json() + "\n").encode("utf-8")


EXPORTER = register(Exporter("json", "json", "JSON transcript (lossless)", render))
