"""Recognition engine: model store, file transcription, streaming (no Qt)."""

from dictation_app.engine.models import DEFAULT_MODEL, LoadOptions, ModelInfo, ModelStore
from dictation_app.engine.transcriber import FileTranscriber, SegmentProgress, TranscribeOptions, Transcription

__all__ = [
    "DEFAULT_MODEL",
    "FileTranscriber",
    "LoadOptions",
    "ModelInfo",
    "ModelStore",
    "SegmentProgress",
    "TranscribeOptions",
    "Transcription",
]
