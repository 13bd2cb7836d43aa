"""Word document (.docx): a title, the source details, then one timestamped paragraph per segment."""

import io

from dictation_app.export.base import Exporter, register
from dictation_app.export.cues import format_timestamp
from dictation_app.transcript import Transcript


def render(transcript: Transcript) -> bytes:
    from docx import Document  # python-docx imports lxml: load it only when exporting

    meta = transcript.metadata
    document = Document()
    document.core_properties.title = _title(transcript)
    document.add_heading(_title(transcript), level=1)
    details = [
        f"Model: {meta.model}",
        f"Language: {meta.language}",
        f"Duration: {format_timestamp(meta.duration, '.')[:8]}",
    ]
    document.add_paragraph(" · ".join(d for d in details if not d.endswith(": ")))
    for segment in transcript.segments:
        paragraph = document.add_paragraph()
        stamp = paragraph.add_run(f"[{format_timestamp(segment.start, '.')[:8]}] ")
        stamp.bold = True
        paragraph.add_run(segment.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _title(transcript: Transcript) -> str:
    source = transcript.metadata.source.replace("\\", "/").rsplit("/", 1)[-1]
    return f"Transcript of {source}" if source else "Transcript"


EXPORTER = register(Exporter("docx", "docx", "Word document", render, is_text=False))
