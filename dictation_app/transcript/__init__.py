"""The transcript document (no Qt)."""

from dictation_app.transcript.document import FORMAT_VERSION, Segment, Transcript, TranscriptMetadata, Word

__all__ = ["FORMAT_VERSION", "Segment", "Transcript", "TranscriptMetadata", "Word"]
