"""Transcribes queued files one at a time on a worker thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal, Slot

from dictation_app.engine.transcriber import FileTranscriber, TranscribeOptions
from dictation_app.errors import DictationError, TranscriptionCancelled

__all__ = ["FileWorker", "FileWorkerThread"]


class FileWorker(QObject):
    """Slot ``transcribe`` runs on the worker thread; results come back as signals."""

    progress = Signal(int, float)  # job id, fraction done
    done = Signal(int, object)  # job id, Transcript
    failed = Signal(int, str)  # job id, message
    cancelled = Signal(int)
    request = Signal(int, str, object, object)  # job id, path, TranscribeOptions, cancel Event

    def __init__(self) -> None:
        super().__init__()
        self.transcriber: FileTranscriber | None = None
        self.request.connect(self.transcribe)

    @Slot(int, str, object, object)
    def transcribe(self, job_id: int, path: str, options: TranscribeOptions, cancel: threading.Event) -> None:
        if self.transcriber is None:
            self.failed.emit(job_id, "No model is loaded.")
            return
        try:
            transcription = self.transcriber.start(path, options, cancel)
            for step in transcription:
                self.progress.emit(job_id, step.fraction)
        except TranscriptionCancelled:
            self.cancelled.emit(job_id)
        except DictationError as exc:
            self.failed.emit(job_id, str(exc))
        except Exception as exc:  # a bug must not kill the queue
            self.failed.emit(job_id, f"Unexpected error: {type(exc).__name__}: {exc}")
        else:
            self.done.emit(job_id, transcription.transcript)


class FileWorkerThread(QThread):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = FileWorker()
        self.worker.moveToThread(self)
        self.finished.connect(self.worker.deleteLater)
