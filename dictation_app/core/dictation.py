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
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.audio.recorder import AUDIO_NAME, SessionRecorder, new_session_dir
from dictation_app.audio.sources import AudioSource
from dictation_app.core.history import Entry, HistoryError, HistoryStore
from dictation_app.core.history_files import session_sidecar
from dictation_app.core.latency import CommitLatency
from dictation_app.core.vocabulary import tokenizer_is_common
from dictation_app.core.voice import VoiceInterpreter
from dictation_app.core.voice_table import VoiceOptions
from dictation_app.engine.models import DEFAULT_MODEL, LoadOptions, ModelStore
from dictation_app.engine.session import LiveSession
from dictation_app.engine.streaming import (Commit, DecoderBackend, Revision, StreamError, StreamEvent, StreamingOptions,
                                            StreamingTranscriber, apply_committed)
from dictation_app.errors import DictationError

__all__ = ["Dictation", "DictationHistory", "DictationService", "ModelProblem", "ModelReady", "Post", "ServiceEvent", "ServiceState",
           "StateChanged"]

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

    def __init__(self, store: ModelStore | None = None, post: Post = _call_now,
                 history: HistoryStore | None = None) -> None:
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
        threading.Thread(target=self._load_in_background, args=(request, name, options),
                         name="model-load", daemon=True).start()

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
            self._announce(ModelProblem(f"Model '{name}' could not be loaded: {message} "
                                        f"Using the default model ({DEFAULT_MODEL}) instead.", fallback=True))
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

    def dictation(self, source: AudioSource, options: StreamingOptions, *, record: bool = True,
                  language: str = "en", latency: CommitLatency | None = None,
                  voice: VoiceOptions | None = None) -> Dictation:
        """A live dictation from ``source`` (not started) with the loaded model.

        Args:
            record: Keep the audio and committed words in a new session folder.
            language: The language setting, for the session's metadata.
            latency: The meter to add its latencies to (default: its own).
            voice: Spoken commands, vocabulary and replacements (None: the words as decoded).
        """
        from dictation_app.engine.backend import WhisperBackend

        if self.model is None:
            raise DictationError("No model is loaded yet.")
        name = self.model_name
        open_recorder = (lambda: SessionRecorder(new_session_dir(), model=name, language=language)) if record else None
        dictation = Dictation(self, source, WhisperBackend(self.model, options), options, open_recorder, latency)
        if voice is not None:
            dictation.voice = VoiceInterpreter(voice, tokenizer_is_common(getattr(self.model, "hf_tokenizer", None)))
        if record and self.history is not None:
            dictation.history = DictationHistory(self.history, name, language)
        return dictation



class _ReportingBackend:
    """The decoder, announcing "decoding" while a decode runs."""

    def __init__(self, backend: DecoderBackend, on_decode: Callable[[bool], None]) -> None:
        self.backend, self.on_decode = backend, on_decode

    def decode(self, audio: np.ndarray, prompt: str, **hotwords):
        self.on_decode(True)
        try:
            return self.backend.decode(audio, prompt, **hotwords)
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

    Attributes:
        session: The source -> recorder -> engine loop.
        latency: Its commit latencies (:class:`~dictation_app.core.latency.CommitLatency`).
        destination: Where its text goes ("editor", or the target application's name), for the history.
        history: Keeps its history entry up to date, or None.
        voice: Turns the engine's words into the text meant (commands, vocabulary,
            replacements), or None.
    """

    def __init__(self, service: DictationService, source: AudioSource, backend: DecoderBackend,
                 options: StreamingOptions, open_recorder: Callable[[], SessionRecorder] | None = None,
                 latency: CommitLatency | None = None) -> None:
        self.service = service
        transcriber = StreamingTranscriber(_ReportingBackend(backend, self._decoding), options)
        self.session = LiveSession(source, transcriber, open_recorder)
        self.latency = latency or CommitLatency()
        self.destination = "editor"
        self.history: DictationHistory | None = None
        self.voice: VoiceInterpreter | None = None
        self._hearing: bool | None = None

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

    def start(self) -> None:
        """Open the source and the recording; raises :class:`DictationError` (nothing is left behind)."""
        self.service.set_state(ServiceState.STARTING)
        try:
            self.session.start()
        except DictationError:
            self.service.set_state(ServiceState.IDLE)
            raise
        if self.history is not None and self.session.recorder is not None:
            self.history.begin(self.session.recorder.folder, self.destination)
        self.service.set_state(ServiceState.LISTENING)

    def request_stop(self, decode_tail: bool = True) -> None:
        """Thread-safe: the dictation ends after its current step, committing its tail
        (``decode_tail=False``: the caller transcribes the recording instead)."""
        self.session.request_stop(decode_tail)
        self.service.set_state(ServiceState.FINISHING)

    @property
    def _stopping(self) -> bool:
        return self.session.stop_requested

    def _decoding(self, busy: bool) -> None:
        after = ServiceState.FINISHING if self._stopping else ServiceState.HEARING
        self.service.set_state(ServiceState.DECODING if busy else after)

    def step(self, timeout: float = 0.2) -> list[StreamEvent]:
        """Read what audio is there, record it, decode if due (see :meth:`LiveSession.step`)."""
        events = self.session.step(timeout)
        if self.voice is not None:
            events = self.voice.feed(events, final=self.session.ended)
            if self.voice.stop_requested and not self._stopping:
                self.request_stop()  # "stop listening"
        self.latency.observe(events, self.source.wall_time_of, time.perf_counter())
        if self.history is not None:
            recorder = self.session.recorder
            events += self.history.observe(events, recorder.samples_written if recorder else 0, self.session.ended)
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


class DictationHistory:
    """A dictation's history entry: made when it starts, its text updated at each commit (so a
    crash or ``kill -9`` leaves an entry with every committed word), closed when it ends.

    The history never stops a dictation: the first failure to write is reported once as a
    :class:`StreamError` (the recording and its journal go on), later ones are skipped.
    """

    def __init__(self, store: HistoryStore, model: str, language: str) -> None:
        self.store, self.model, self.language = store, model, language
        self.entry_id: int | None = None
        self.words: list = []
        self._failed = False
        self._pending: list[StreamEvent] = []

    def begin(self, folder: str | Path, destination: str) -> None:
        """Make the entry (state "recording"); a failure is reported with the next events."""
        session_sidecar(Path(folder), destination)
        now = time.time()
        entry = Entry(0, "dictation", now, 0.0, self.model, self.language, destination,
                      datetime.fromtimestamp(now).strftime("Dictation %H:%M"), "", str(Path(folder) / AUDIO_NAME),
                      str(folder), "recording")
        self._pending = self._write(lambda: self.store.add(entry))
        self.entry_id = entry.entry_id or None

    def observe(self, events: list[StreamEvent], samples: int, ended: bool) -> list[StreamEvent]:
        """Bring the entry up to date with a step's events; returns a problem as a StreamError."""
        reported, self._pending = self._pending, []
        changed = False
        for event in events:
            changed = apply_committed(self.words, event) or changed
        if self.entry_id is None or not (changed or ended):
            return reported
        fields = {"text": "".join(w.text for w in self.words).strip(), "duration": samples / SAMPLE_RATE}
        if ended:
            fields["state"] = "done"
        return reported + self._write(lambda: self.store.update(self.entry_id, **fields))

    def set_destination(self, destination: str) -> None:
        """Say where the text went after all (a target that refused it: the text is kept here)."""
        if self.entry_id is not None:
            self._write(lambda: self.store.update(self.entry_id, destination=destination))

    def _write(self, action) -> list[StreamEvent]:
        if self._failed:
            return []
        try:
            action()
        except HistoryError as exc:
            self._failed = True
            return [StreamError(f"{exc} The recording and its text are kept in the session folder.")]
        return []
