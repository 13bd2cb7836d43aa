"""A live dictation session: source -> recorder -> streaming transcriber, one step at a time.

No threads and no Qt: the CLI drives it in a loop, the GUI from a worker thread, the
evaluation from a file source. Faults become :class:`StreamError` events and the session
keeps what it has: a failing recorder stops recording but not transcription; a vanished
device ends the stream after the tail is committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from dictation_app.audio.recorder import SessionRecorder
from dictation_app.audio.sources import AudioSource
from dictation_app.engine.streaming import Commit, Revision, StreamError, StreamEvent, StreamingTranscriber
from dictation_app.errors import AudioDeviceError, DictationError, RecordingError

__all__ = ["LiveSession"]


class LiveSession:
    """Feeds a source through a streaming transcriber, recording as it goes.

    Args:
        source: Where audio comes from (already configured, not yet started).
        transcriber: The streaming engine (reset at start).
        open_recorder: Makes the recorder where audio and committed words are kept, called
            once the source has started (a microphone that cannot open leaves no empty
            session folder behind), or None for no recording.
    """

    def __init__(
        self,
        source: AudioSource,
        transcriber: StreamingTranscriber,
        open_recorder: Callable[[], SessionRecorder] | None = None,
    ):
        self.source = source
        self.transcriber = transcriber
        self.recorder: SessionRecorder | None = None
        self.ended = False
        self._open_recorder = open_recorder
        self._stop = threading.Event()
        self.decode_tail = True

    def start(self) -> None:
        """Start the source, then the recording.

        Raises:
            DictationError: the source cannot start (no microphone) or the recording cannot
                be made (the source is stopped again).
        """
        self.transcriber.reset()
        try:
            self.source.start()
            if self._open_recorder is not None:
                self.recorder = self._open_recorder()
        except DictationError:
            self.ended = True
            self.source.stop()
            raise

    def request_stop(self, decode_tail: bool = True) -> None:
        """Ask to stop after the current step (safe from another thread or a signal handler).

        ``decode_tail=False``: the words not committed yet are not decoded (the caller
        transcribes the recording itself); the audio is still all recorded."""
        self.decode_tail = decode_tail
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def step(self, timeout: float = 0.2) -> list[StreamEvent]:
        """Read what audio is there, record it, decode if due. Ends the session on stop or end of stream."""
        if self.ended:
            return []
        if self._stop.is_set():
            return self.finish()
        try:
            block = self.source.read(timeout)
        except AudioDeviceError as exc:
            return [StreamError(str(exc))] + self.finish()
        if block is None:
            return self.finish()
        events: list[StreamEvent] = []
        if self.recorder is not None:
            events += self._record(lambda: self.recorder.write_audio(block))
        self.transcriber.insert_audio(block)
        return events + self._journal(self.transcriber.process())

    def finish(self) -> list[StreamEvent]:
        """Stop the source, commit the tail, close the recording."""
        if self.ended:
            return []
        self.ended = True
        self.source.stop()
        events: list[StreamEvent] = []
        # Audio captured but not yet read when stop was asked is still the user's speech.
        while (block := self._drain()) is not None and len(block):
            if self.recorder is not None:
                events += self._record(lambda b=block: self.recorder.write_audio(b))
            self.transcriber.insert_audio(block)
        if self.decode_tail:
            events += self._journal(self.transcriber.finish())
        if self.recorder is not None:
            events += self._record(self.recorder.sync)
            self.recorder.close()
        return events

    def _drain(self):
        try:
            return self.source.read(0)
        except AudioDeviceError:
            return None

    def run(self) -> Iterator[StreamEvent]:
        self.start()
        while not self.ended:
            yield from self.step()

    def _journal(self, events: list[StreamEvent]) -> list[StreamEvent]:
        if self.recorder is not None:
            for event in list(events):
                if isinstance(event, Commit):
                    events += self._record(lambda e=event: self.recorder.journal_words(e.words))
                elif isinstance(event, Revision):
                    events += self._record(lambda e=event: self.recorder.journal_revision(e.count, e.words))
        return events

    @staticmethod
    def _record(action) -> list[StreamEvent]:
        try:
            action()
        except RecordingError as exc:
            return [StreamError(str(exc))]
        return []
