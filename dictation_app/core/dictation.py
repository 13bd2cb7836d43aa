"""The dictation service: the model's lifecycle and live dictations, for every front end.

One :class:`DictationService` per process owns the loaded model (loading, falling back to the
default when a chosen model cannot load) and builds each :class:`Dictation`: a
:class:`~dictation_app.engine.session.LiveSession` with its recorder, its decode hook and one
commit-latency meter. It announces what it does as :data:`ServiceEvent` values to its
listeners. The window, ``listen`` and ``eval --mode live`` drive it; so will the tray, the
global shortcut and the control socket.

No threads of its own except the one a background model load runs on, and no Qt: listeners
are called through ``post``, which a front end sets to "run this on my thread" (the window
posts to the GUI thread; the CLI calls at once).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

import numpy as np

from dictation_app.audio.recorder import SessionRecorder, new_session_dir
from dictation_app.audio.sources import AudioSource
from dictation_app.core.dictation_history import DictationHistory
from dictation_app.core.history import HistoryStore
from dictation_app.core.latency import CommitLatency
from dictation_app.core.stages import Stage, Step, VoiceStage
from dictation_app.core.styles import Style
from dictation_app.core.typing import Typing
from dictation_app.core.vocabulary import tokenizer_is_common
from dictation_app.core.voice import VoiceInterpreter, apply_style
from dictation_app.core.voice_table import VoiceOptions
from dictation_app.engine.models import DEFAULT_MODEL, LoadOptions, ModelStore
from dictation_app.engine.session import LiveSession
from dictation_app.engine.streaming import DecoderBackend, StreamEvent, StreamingOptions, StreamingTranscriber
from dictation_app.engine.transcriber import FileTranscriber, TranscribeOptions
from dictation_app.errors import DictationError

__all__ = [
    "Dictation",
    "DictationService",
    "ModelProblem",
    "ModelReady",
    "Post",
    "ServiceEvent",
    "ServiceState",
    "StateChanged",
]

#: ``post(callable)``: run the callable on the front end's own thread (soon, in order).
Post = Callable[[Callable[[], None]], None]


class ServiceState(Enum):
    """What the service is doing; the value is what a status line shows."""

    NO_MODEL = "no model"
    LOADING = "loading model"
    DOWNLOADING = "downloading model from the Hugging Face hub"
    IDLE = "idle"
    STARTING = "starting"
    LISTENING = "listening"
    HEARING = "hearing speech"
    DECODING = "decoding"
    FINISHING = "finishing"


@dataclass(frozen=True)
class StateChanged:
    state: ServiceState


@dataclass(frozen=True)
class ModelReady:
    """A model is loaded and used from now on."""

    name: str
    model: object


@dataclass(frozen=True)
class ModelProblem:
    """A model could not be loaded; ``fallback`` when the default is being loaded instead."""

    message: str
    fallback: bool


ServiceEvent = StateChanged | ModelReady | ModelProblem


def _call_now(func: Callable[[], None]) -> None:
    func()


class DictationService:
    """Args:
    store: Where models come from.
    post: Runs listener calls on the front end's thread (default: at once, on any thread).
    history: Where each recorded dictation gets its entry (None: no history).
    """

    def __init__(
        self, store: ModelStore | None = None, post: Post = _call_now, history: HistoryStore | None = None
    ) -> None:
        self.store = store or ModelStore()
        self.history = history
        self.model = None
        self.model_name = ""
        self.state = ServiceState.NO_MODEL
        self._post = post
        self._listeners: list[Callable[[ServiceEvent], None]] = []
        self._load_request = 0  # only the newest load's result is used
        self._quiet = threading.Event()  # set while no dictation hears speech
        self._quiet.set()

    def subscribe(self, listener: Callable[[ServiceEvent], None]) -> None:
        self._listeners.append(listener)

    def _announce(self, event: ServiceEvent) -> None:
        """From any thread: state and listeners are updated on the front end's thread."""

        def deliver() -> None:
            if isinstance(event, StateChanged):
                self.state = event.state
            for listener in list(self._listeners):
                listener(event)

        self._post(deliver)

    def set_state(self, state: ServiceState) -> None:
        self._announce(StateChanged(state))

    def wait_while_speaking(self, cancel: threading.Event) -> None:
        """Return once no dictation is inside an utterance (or ``cancel`` is set).

        The file queue calls this before each window it decodes: live decodes and file
        decodes share one model replica and two cores, so a file window decoded while the
        user speaks delays the words they are waiting to see (see ``benchmarks/bench_gui.py``).
        Files go on in the pauses between utterances and whenever nobody dictates.
        """
        while not self._quiet.wait(0.2) and not cancel.is_set():
            pass

    def _speaking(self, speaking: bool) -> None:
        if speaking:
            self._quiet.clear()
        else:
            self._quiet.set()

    # -- the model ------------------------------------------------------------------------

    def load(self, name: str, options: LoadOptions | None = None) -> None:
        """Load a model on a background thread; :class:`ModelReady` or :class:`ModelProblem`
        follows. A model that cannot load falls back to the default model."""
        self._load_request += 1
        request = self._load_request
        options = options or LoadOptions()
        self.set_state(ServiceState.LOADING)
        threading.Thread(
            target=self._load_in_background, args=(request, name, options), name="model-load", daemon=True
        ).start()

    def _load_in_background(self, request: int, name: str, options: LoadOptions) -> None:
        try:
            if self.store.needs_download(name):  # said before any connection is made
                self.set_state(ServiceState.DOWNLOADING)
            model = self.store.load(name, options)
        except Exception as exc:  # a bug is still a message, never a dead service
            message = str(exc) if isinstance(exc, DictationError) else f"Unexpected error: {type(exc).__name__}: {exc}"
            self._post(lambda: self._load_failed(request, name, options, message))
        else:
            self._post(lambda: self._loaded(request, name, model))

    def _loaded(self, request: int, name: str, model) -> None:
        if request != self._load_request:
            return  # a newer load was asked for meanwhile
        self.model, self.model_name = model, name
        self._announce(ModelReady(name, model))
        self.set_state(ServiceState.IDLE)

    def _load_failed(self, request: int, name: str, options: LoadOptions, message: str) -> None:
        if request != self._load_request:
            return
        if name != DEFAULT_MODEL or options != LoadOptions():
            self._announce(
                ModelProblem(
                    f"Model '{name}' could not be loaded: {message} Using the default model ({DEFAULT_MODEL}) instead.",
                    fallback=True,
                )
            )
            self.load(DEFAULT_MODEL, LoadOptions())
            return
        self.set_state(ServiceState.NO_MODEL if self.model is None else ServiceState.IDLE)
        self._announce(ModelProblem(message, fallback=False))

    def load_now(self, name: str, options: LoadOptions | None = None, progress=None):
        """Load a model on this thread (the CLI); raises :class:`DictationError`."""
        model = self.store.load(name, options, progress=progress)
        self._load_request += 1
        self.model, self.model_name = model, name
        self.set_state(ServiceState.IDLE)
        return model

    # -- dictations -----------------------------------------------------------------------

    def dictation(
        self,
        source: AudioSource,
        options: StreamingOptions,
        *,
        record: bool = True,
        language: str = "en",
        latency: CommitLatency | None = None,
        voice: VoiceOptions | None = None,
        destination: str = "editor",
        typing: Typing | None = None,
    ) -> Dictation:
        """A live dictation from ``source`` (not started) with the loaded model, its stages
        composed in their order: voice -> latency -> history -> typing.

        Args:
            record: Keep the audio and committed words in a new session folder.
            language: The language setting, for the session's metadata.
            latency: The meter to add its latencies to (default: its own).
            voice: Spoken commands, vocabulary and replacements (None: the words as decoded).
            destination: Where its text goes ("editor", or the target application's name), for the history.
            typing: The stage that types its words into another application
                (:class:`~dictation_app.core.typing.Typing`), or None.
        """
        from dictation_app.engine.backend import WhisperBackend

        if self.model is None:
            raise DictationError("No model is loaded yet.")
        name = self.model_name
        open_recorder = (lambda: SessionRecorder(new_session_dir(), model=name, language=language)) if record else None
        latency = latency or CommitLatency()
        stages: list[Stage] = []
        if voice is not None:
            stages.append(
                VoiceStage(VoiceInterpreter(voice, tokenizer_is_common(getattr(self.model, "hf_tokenizer", None))))
            )
        stages.append(latency)
        history = None
        if record and self.history is not None:
            history = DictationHistory(self.history, name, language, destination)
            stages.append(history)
        if typing is not None:
            if history is not None and typing.held is None:
                typing.held = lambda reason: history.set_destination(f"{reason} (the text is kept here)")
            stages.append(typing)
        return Dictation(self, source, WhisperBackend(self.model, options), options, open_recorder, latency, stages)

    def file_transcriber(self, name: str | None = None, load: LoadOptions | None = None) -> FileTranscriber:
        """A file transcriber with the loaded model, or with model ``name`` (loaded on this
        thread, which takes seconds, unless it is the loaded one); raises :class:`DictationError`."""
        if name is None or (name == self.model_name and self.model is not None):
            if self.model is None:
                raise DictationError("No model is loaded yet.")
            return FileTranscriber(self.model, self.model_name)
        return FileTranscriber(self.store.load(name, load), name)

    def recording_transcriber(
        self, options: TranscribeOptions, style: Style = Style.SENTENCE
    ) -> Callable[[Path], str | None]:
        """Hears a recording whole with the loaded model (the file path, without word timestamps,
        which only a file's transcript needs): its path -> text (written in ``style``, the
        dictation's mode's), or None when it cannot."""
        transcriber = self.file_transcriber()
        options = replace(options, word_timestamps=False)
        is_common = tokenizer_is_common(getattr(self.model, "hf_tokenizer", None))

        def transcribe(path: Path) -> str | None:
            try:
                text = transcriber.transcribe(path, options).text.strip()
            except DictationError:
                return None
            return apply_style(text, style, is_common)

        return transcribe


class _ReportingBackend:
    """The decoder, announcing "decoding" while a decode runs."""

    def __init__(self, backend: DecoderBackend, on_decode: Callable[[bool], None]) -> None:
        self.backend, self.on_decode = backend, on_decode

    def decode(self, audio: np.ndarray, prompt: str, hotwords: str | None = None):
        self.on_decode(True)
        try:
            return self.backend.decode(audio, prompt, hotwords)
        finally:
            self.on_decode(False)


class Dictation:
    """One live dictation; drive it with :meth:`step` (or :meth:`run`) on one thread.

    Args:
        service: Whose state it reports.
        source: Where audio comes from (not started).
        backend: The decoder.
        options: The streaming policy.
        open_recorder: Makes the session's recorder once the source runs, or None.
        latency: The meter its latencies go to (default: its own).
        stages: What its events go through after the engine, in order
            (:mod:`dictation_app.core.stages`); default: the latency meter alone.

    Attributes:
        session: The source -> recorder -> engine loop.
        latency: Its commit latencies (:class:`~dictation_app.core.latency.CommitLatency`).
        stages: Its stages.
    """

    def __init__(
        self,
        service: DictationService,
        source: AudioSource,
        backend: DecoderBackend,
        options: StreamingOptions,
        open_recorder: Callable[[], SessionRecorder] | None = None,
        latency: CommitLatency | None = None,
        stages: list[Stage] | None = None,
    ) -> None:
        self.service = service
        transcriber = StreamingTranscriber(_ReportingBackend(backend, self._decoding), options)
        self.session = LiveSession(source, transcriber, open_recorder)
        self.latency = latency or CommitLatency()
        self.stages: list[Stage] = list(stages) if stages is not None else [self.latency]
        self._hearing: bool | None = None
        self._pending: list[StreamEvent] = []  # what the stages said when the dictation began

    @property
    def source(self) -> AudioSource:
        return self.session.source

    @property
    def transcriber(self) -> StreamingTranscriber:
        return self.session.transcriber

    @property
    def ended(self) -> bool:
        return self.session.ended

    @property
    def folder(self) -> str:
        """The session folder, "" when not recording."""
        recorder = self.session.recorder
        return str(recorder.folder) if recorder is not None else ""

    def stage(self, kind: type):
        """Its stage of this type, or None."""
        return next((s for s in self.stages if isinstance(s, kind)), None)

    def start(self) -> None:
        """Open the source and the recording; raises :class:`DictationError` (nothing is left
        behind: the stages are told the dictation ended, so a typing stage closes its delivery)."""
        self.service.set_state(ServiceState.STARTING)
        try:
            self.session.start()
        except DictationError:
            step = Step(True, 0, time.perf_counter(), self.source.wall_time_of, lambda: None)
            for stage in self.stages:
                stage.feed([], step)
            self.service.set_state(ServiceState.IDLE)
            raise
        folder = Path(self.folder) if self.folder else None
        for stage in self.stages:
            self._pending += stage.begin(folder)
        self.service.set_state(ServiceState.LISTENING)

    def request_stop(self, decode_tail: bool | None = None) -> None:
        """Thread-safe: the dictation ends after its current step, committing its tail.

        Args:
            decode_tail: Decode the audio after the last commit (default: unless the typing
                stage hears the whole recording again, as on-finish typing does).
        """
        typing = self.stage(Typing)
        if typing is not None:
            typing.stopping()
        if decode_tail is None:
            decode_tail = typing is None or not typing.hears_recording
        self.session.request_stop(decode_tail)
        self.service.set_state(ServiceState.FINISHING)

    @property
    def _stopping(self) -> bool:
        return self.session.stop_requested

    def _decoding(self, busy: bool) -> None:
        after = ServiceState.FINISHING if self._stopping else ServiceState.HEARING
        self.service.set_state(ServiceState.DECODING if busy else after)

    def _stop_by_voice(self) -> None:
        if not self._stopping:
            self.request_stop()

    def step(self, timeout: float = 0.2) -> list[StreamEvent]:
        """Read what audio is there, record it, decode if due (see :meth:`LiveSession.step`),
        and pass the events through the stages."""
        events, self._pending = self._pending + self.session.step(timeout), []
        recorder = self.session.recorder
        step = Step(
            self.session.ended,
            recorder.samples_written if recorder else 0,
            time.perf_counter(),
            self.source.wall_time_of,
            self._stop_by_voice,
        )
        for stage in self.stages:
            events = stage.feed(events, step)
        if self.session.ended:
            self.service._speaking(False)
            self.service.set_state(ServiceState.IDLE)
        elif self.transcriber.in_utterance != self._hearing:
            self._hearing = self.transcriber.in_utterance
            self.service._speaking(self._hearing)
            if not self._stopping:
                self.service.set_state(ServiceState.HEARING if self._hearing else ServiceState.LISTENING)
        return events

    def events(self, stop_when: Callable[[], bool] | None = None) -> Iterator[StreamEvent]:
        """Every event of a started dictation until the source ends or a stop was asked for;
        ``stop_when()`` (checked before each step) asks for the stop."""
        while not self.ended:
            if stop_when is not None and not self._stopping and stop_when():
                self.request_stop()
            yield from self.step()

    def run(self, stop_when: Callable[[], bool] | None = None) -> Iterator[StreamEvent]:
        """:meth:`start`, then :meth:`events`."""
        self.start()
        yield from self.events(stop_when)
