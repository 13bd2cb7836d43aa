"""Errors whose message is meant for the user, shared by every layer.

Each carries a one-line, specific message; the CLI prints it as it is and the GUI shows it
in a dialog. Anything else that escapes is a bug and is reported as one.
"""

from __future__ import annotations

__all__ = [
    "AudioDecodeError",
    "AudioDeviceError",
    "DictationError",
    "InsertError",
    "ModelError",
    "OutputError",
    "RecordingError",
    "TranscriptionCancelled",
]


class DictationError(Exception):
    """Base class: ``str(error)`` is a complete sentence a user can act on."""


class AudioDecodeError(DictationError):
    """An input file is missing, unreadable, not media, or holds no decodable audio."""


class AudioDeviceError(DictationError):
    """No input device, PortAudio missing, or the device stopped (unplugged)."""


class RecordingError(DictationError):
    """The session recording cannot be written (disk full, folder gone)."""


class InsertError(DictationError):
    """Text could not be put into the target application (the message says why)."""


class ModelError(DictationError):
    """A model cannot be found, downloaded, assembled or loaded."""


class OutputError(DictationError):
    """A result cannot be written where the user asked."""


class TranscriptionCancelled(DictationError):
    """The user cancelled; partial results already delivered stay valid."""

    def __init__(self, message: str = "Transcription cancelled.") -> None:
        super().__init__(message)
