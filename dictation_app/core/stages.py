"""The stages a dictation's events go through after the engine, in order (no Qt):

    engine -> voice (commands, vocabulary, replacements) -> latency -> history -> typing

Each stage is given to the :class:`~dictation_app.core.dictation.Dictation` when it is built and
is fed every step's events on the dictation's thread: ``feed(events, step) -> events``. A stage
may change the events (the voice stage turns the words said into the text meant), add its own
(a :class:`~dictation_app.engine.events.StreamError` when the history cannot be written) or only
act on them (the typing stage hands them to the delivery thread).
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dictation_app.core.styles import Style
from dictation_app.core.voice import VoiceInterpreter
from dictation_app.engine.events import StreamEvent

__all__ = ["Stage", "Step", "VoiceStage"]


@dataclass(frozen=True)
class Step:
    """What a stage may know of the step its events come from.

    Attributes:
        ended: The dictation ended with this step (its last events).
        samples: Audio samples recorded so far.
        now: ``perf_counter()`` when the step's events were handed out.
        wall_time_of: ``perf_counter()`` time at which an audio time was captured (None: unknown).
        request_stop: Ends the dictation after this step, committing its tail ("stop listening").
    """

    ended: bool
    samples: int
    now: float
    wall_time_of: Callable[[float], float | None]
    request_stop: Callable[[], None]


class Stage(Protocol):
    def begin(self, folder: Path | None) -> list[StreamEvent]:
        """The dictation started, recording into ``folder`` (None: not recorded)."""
        ...

    def feed(self, events: list[StreamEvent], step: Step) -> list[StreamEvent]: ...


class VoiceStage:
    """Spoken punctuation and commands, the vocabulary and replacements
    (:class:`~dictation_app.core.voice.VoiceInterpreter`); "stop listening" ends the dictation."""

    def __init__(self, interpreter: VoiceInterpreter) -> None:
        self.interpreter = interpreter
        self._styles: queue.SimpleQueue[Style] = queue.SimpleQueue()

    def switch_style(self, style: Style) -> None:
        """Thread-safe: the words said from now on are written in ``style`` (a mode picked while
        dictating: the tray, ``dictation-app mode``)."""
        self._styles.put(style)

    def begin(self, folder: Path | None) -> list[StreamEvent]:
        return []

    def feed(self, events: list[StreamEvent], step: Step) -> list[StreamEvent]:
        while not self._styles.empty():
            self.interpreter.switch_style(self._styles.get())
        events = self.interpreter.feed(events, final=step.ended)
        if self.interpreter.stop_requested:
            step.request_stop()
        return events
