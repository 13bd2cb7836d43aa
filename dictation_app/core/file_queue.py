"""The file queue: jobs in the order they were added, one file transcribing at a time.

The queue owns its jobs, their scheduling and the worker thread that transcribes. Every
change to a job happens on the owner's thread (the one that calls the queue's methods; the
GUI thread in the window): the worker only reads its request and reports back through
``post``, so nothing writes another thread's state. Listeners hear of each change as a
:data:`QueueEvent`, at once and on the owner's thread; a widget only displays them.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from dictation_app.audio.decode import probe_duration
from dictation_app.core.dictation import Post
from dictation_app.engine.transcriber import FileTranscriber, TranscribeOptions
from dictation_app.errors import DictationError, TranscriptionCancelled

__all__ = [
    "FileQueue",
    "Job",
    "JobAdded",
    "JobChanged",
    "JobState",
    "JobsRemoved",
    "QueueEvent",
    "TranscriptReady",
    "media_files",
]


class JobState(Enum):
    WAITING = "Waiting"
    RUNNING = "Transcribing"
    DONE = "Done"
    FAILED = "Error"
    CANCELLED = "Cancelled"


@dataclass
class Job:
    """One file in the queue (changed only on the queue owner's thread)."""

    job_id: int
    path: Path
    duration: float | None = None
    state: JobState = JobState.WAITING
    fraction: float = 0.0
    message: str = ""
    started: float = 0.0
    finished: float = 0.0
    cancel: threading.Event = field(default_factory=threading.Event)
    transcript: object = None
    probed: bool = False  # duration read (or tried): ready to run
    entry_id: int | None = None  # its history entry

    @property
    def elapsed(self) -> float:
        if not self.started:
            return 0.0
        return (self.finished or time.monotonic()) - self.started

    @property
    def remaining(self) -> float | None:
        if self.state is not JobState.RUNNING or self.fraction < 0.02:
            return None
        return self.elapsed * (1 - self.fraction) / self.fraction


@dataclass(frozen=True)
class JobAdded:
    job: Job


@dataclass(frozen=True)
class JobChanged:
    job: Job


@dataclass(frozen=True)
class JobsRemoved:
    """Finished jobs were cleared; ``FileQueue.jobs`` is what is left."""


@dataclass(frozen=True)
class TranscriptReady:
    """A job finished (or a finished one was opened again): show its transcript."""

    job: Job


QueueEvent = JobAdded | JobChanged | JobsRemoved | TranscriptReady

_SHUTDOWN = None

MEDIA_SUFFIXES = {
    ".wav",
    ".flac",
    ".mp3",
    ".m4a",
    ".aac",
    ".ogg",
    ".oga",
    ".opus",
    ".wma",
    ".aiff",
    ".aif",
    ".mp4",
    ".mkv",
    ".mov",
    ".webm",
    ".avi",
    ".wmv",
    ".m4v",
    ".mpg",
    ".mpeg",
    ".3gp",
}


def media_files(paths: list[Path]) -> list[Path]:
    """Files as given; folders become the media files inside them (recursively, sorted)."""
    out = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in MEDIA_SUFFIXES)
        else:
            out.append(path)
    return out


class FileQueue:
    """Args:
    options: Called when a job starts, for the transcription options of the moment.
    post: Runs a callable on the owner's thread (the worker reports through it).
    pause: Called on the worker thread with the job's cancel event before each window is
        decoded; returns when transcription may go on (the window passes
        :meth:`DictationService.wait_while_speaking`: live dictation comes first).
    history: Where each finished transcript is kept with its entry (None: nowhere).
    """

    def __init__(
        self,
        options: Callable[[], TranscribeOptions],
        post: Post,
        pause: Callable[[threading.Event], None] | None = None,
        history=None,
    ) -> None:
        self.options = options
        self.history = history
        self.voice = None  # () -> VoiceOptions: replacements for file transcripts, when the user wants them
        self.jobs: list[Job] = []
        self._post = post
        self.pause = pause
        self._listeners: list[Callable[[QueueEvent], None]] = []
        self._next_id = 1
        self._transcriber: FileTranscriber | None = None
        self._running: Job | None = None
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        self._worker = threading.Thread(target=self._work, name="file-queue", daemon=True)
        self._worker.start()
        self._probes = ThreadPoolExecutor(2, thread_name_prefix="file-probe")

    def subscribe(self, listener: Callable[[QueueEvent], None]) -> None:
        self._listeners.append(listener)

    def _tell(self, event: QueueEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    # -- what the user asks for ------------------------------------------------------------

    def set_transcriber(self, transcriber: FileTranscriber) -> None:
        """Transcribe with this from the next job on (on model load); waiting jobs start."""
        self._transcriber = transcriber
        self._start_next()

    def add(self, paths: list[Path]) -> list[Job]:
        jobs = []
        for path in paths:
            job = Job(self._next_id, Path(path))
            self._next_id += 1
            self.jobs.append(job)
            jobs.append(job)
            self._tell(JobAdded(job))
            self._probe(job)
        return jobs

    def cancel(self, job: Job) -> None:
        if job.state is JobState.WAITING:
            self._finish(job, JobState.CANCELLED)
        elif job.state is JobState.RUNNING:
            job.cancel.set()  # the worker stops after the current segment

    def retry(self, job: Job) -> None:
        if job.state in (JobState.FAILED, JobState.CANCELLED):
            job.state, job.message, job.fraction, job.started, job.finished = JobState.WAITING, "", 0.0, 0.0, 0.0
            job.probed = False
            job.cancel.clear()
            self._tell(JobChanged(job))
            self._probe(job)

    def reopen(self, job: Job) -> None:
        if job.state is JobState.DONE:
            self._tell(TranscriptReady(job))

    def remove_finished(self) -> None:
        self.jobs = [j for j in self.jobs if j.state in (JobState.WAITING, JobState.RUNNING)]
        self._tell(JobsRemoved())

    @property
    def busy(self) -> bool:
        return any(j.state in (JobState.WAITING, JobState.RUNNING) for j in self.jobs)

    @property
    def ready(self) -> bool:
        """Whether a model is there to transcribe with."""
        return self._transcriber is not None

    @property
    def running(self) -> bool:
        """Whether the worker thread is still alive (False after :meth:`shutdown`)."""
        return self._worker.is_alive()

    def shutdown(self) -> None:
        """Cancel everything; the running file stops after its current segment."""
        for job in self.jobs:
            if job.state is JobState.WAITING:
                job.state = JobState.CANCELLED
            job.cancel.set()
        self._requests.put(_SHUTDOWN)
        self._worker.join()
        self._probes.shutdown(wait=False, cancel_futures=True)

    # -- scheduling (owner's thread) -------------------------------------------------------

    def _probe(self, job: Job) -> None:
        def run() -> None:
            try:
                duration = probe_duration(job.path)
            except Exception as exc:  # a bug is still a message on the row
                message = (
                    str(exc) if isinstance(exc, DictationError) else f"Unexpected error: {type(exc).__name__}: {exc}"
                )
                self._post(lambda: self._finish(job, JobState.FAILED, message))
            else:
                self._post(lambda: self._probed(job, duration))

        self._probes.submit(run)

    def _probed(self, job: Job, duration: float | None) -> None:
        job.duration, job.probed = duration, True
        self._tell(JobChanged(job))
        self._start_next()

    def _start_next(self) -> None:
        if self._running is not None or self._transcriber is None:
            return
        job = next((j for j in self.jobs if j.state is JobState.WAITING), None)
        if job is None or not job.probed:  # files go in the order they were added
            return
        try:
            options = self.options()
        except DictationError as exc:
            self._finish(job, JobState.FAILED, str(exc))
            return
        self._running = job
        job.state, job.started = JobState.RUNNING, time.monotonic()
        self._tell(JobChanged(job))
        voice = self.voice() if self.voice is not None else None
        self._requests.put(
            (job, str(job.path), options, job.cancel, self._transcriber, self.pause, self.history, voice)
        )

    def _finish(self, job: Job, state: JobState, message: str = "") -> None:
        job.state, job.message = state, message
        if job.started:
            job.finished = time.monotonic()
        if job is self._running:
            self._running = None
        self._tell(JobChanged(job))
        self._start_next()

    def _progressed(self, job: Job, fraction: float) -> None:
        job.fraction = fraction
        self._tell(JobChanged(job))

    def _done(self, job: Job, transcript, entry_id: int | None, problem: str) -> None:
        job.transcript, job.fraction, job.entry_id = transcript, 1.0, entry_id
        self._finish(job, JobState.DONE, problem)
        self._tell(TranscriptReady(job))

    # -- the worker thread -----------------------------------------------------------------

    def _work(self) -> None:
        while (request := self._requests.get()) is not _SHUTDOWN:
            self._post(self._transcribe(*request))

    def _transcribe(
        self,
        job: Job,
        path: str,
        options: TranscribeOptions,
        cancel: threading.Event,
        transcriber: FileTranscriber,
        pause,
        history,
        voice,
    ) -> Callable[[], None]:
        """Transcribe on the worker thread (it reads only its request); returns what to do
        on the owner's thread."""
        try:
            transcription = transcriber.start(path, options, cancel)
            steps = iter(transcription)
            while True:
                if pause is not None:
                    pause(cancel)
                step = next(steps, None)
                if step is None:
                    break
                self._post(lambda f=step.fraction: self._progressed(job, f))
        except TranscriptionCancelled:
            return lambda: self._finish(job, JobState.CANCELLED)
        except DictationError as exc:
            message = str(exc)
            return lambda: self._finish(job, JobState.FAILED, message)
        except Exception as exc:  # a bug must not kill the queue
            message = f"Unexpected error: {type(exc).__name__}: {exc}"
            return lambda: self._finish(job, JobState.FAILED, message)
        transcript = transcription.transcript
        if voice is not None:  # the user's vocabulary (and replacements, if they apply them to files)
            from dictation_app.core.vocabulary import tokenizer_is_common
            from dictation_app.core.voice import apply_to_transcript

            is_common = tokenizer_is_common(getattr(transcriber.model, "hf_tokenizer", None))
            transcript = apply_to_transcript(transcript, voice, is_common)
        entry_id, problem = None, ""
        if history is not None:  # kept with its entry; a history fault is said on the row, the text stays
            from dictation_app.core.history import HistoryError
            from dictation_app.core.history_files import save_file_transcript

            try:
                entry_id = save_file_transcript(history, transcript).entry_id
            except HistoryError as exc:
                problem = str(exc)
        return lambda: self._done(job, transcript, entry_id, problem)
