"""The words of a dictation typed into another application: the last stage of a dictation (no Qt).

:class:`Typing` is fed the dictation's events on the dictation's thread and hands text to the
:class:`~dictation_app.anywhere.delivery.Delivery`, whose own thread types it into the
application that had the focus when the dictation started; no other thread is in between.

Typing goes on like a person's (``InsertMode.LIVE``): each commit is typed when it comes. Two
things change text already typed, as BackSpace presses and the new characters from the first
one that differs (:meth:`Delivery.edit`, which refuses when that is not safe: the focus left,
something could not be typed, an earlier edit was refused):

* a spoken edit ("scratch that", or a comma said after a word whose full stop is already typed):
  the user asked for it;
* a correction (``AnywhereOptions.correct``): the engine heard an utterance whole once it ended
  and revised its words (dev set, check half: live WER of the revised text 4.68 % against 6.00 %
  for the words as first committed, offline 4.32 %), so the text in the other application reads
  as the editor's does. It comes about a second after the pause, while the user still dictates.

With ``InsertMode.ON_FINISH`` nothing is typed while the user speaks; when the dictation ends
the recording goes through the file path (offline accuracy), is kept in the session folder as
``final.txt`` and typed. Either way the trailer (``anywhere/after``) follows, and the history
entry says where the text went, or that it was held.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from dictation_app.anywhere.delivery import CORRECTION, Delivered, Delivery, DeliveryEvent, Held, Target
from dictation_app.anywhere.desktop import Desktop
from dictation_app.anywhere.targets import delivery_for
from dictation_app.core.options import AnywhereOptions, InsertMode
from dictation_app.core.stages import Step
from dictation_app.engine.events import StreamEvent
from dictation_app.engine.ledger import Change, CommitLedger
from dictation_app.fileio import open_private

__all__ = ["FINAL_TEXT", "Typing", "TypingDone", "TypingEvent", "TypingState", "TypingStateChanged"]

FINAL_TEXT = "final.txt"  # on-finish text, in the session folder


class TypingState(Enum):
    """Where one dictation's typing stands."""

    TYPING = "typing"  # the dictation runs; live words go in as they commit
    TRANSCRIBING = "transcribing the recording"  # on finish: the file path hears it whole
    DELIVERING = "typing the rest"  # the dictation ended; what is queued goes in
    DONE = "done"  # everything was typed or held


@dataclass(frozen=True)
class TypingStateChanged:
    state: TypingState


@dataclass(frozen=True)
class TypingDone:
    """Everything was typed or held; ``held`` is the text that could not go in."""

    held: str


TypingEvent = DeliveryEvent | TypingStateChanged | TypingDone

#: ``post(callable)``: run it on the front end's thread (the window's GUI thread, or at once)
Post = Callable[[Callable[[], None]], None]


def _call_now(func: Callable[[], None]) -> None:
    func()


class Typing:
    """A dictation stage: its words into one target.

    Args:
        delivery: Types into the target on its own thread.
        options: Live or on finish, corrections, the trailer.
        on_event: Told each :data:`TypingEvent`, through ``post``.
        post: Runs ``on_event`` calls on the front end's thread (default: at once, any thread).
        transcribe: Hears a recording whole: its path -> text, or None when it cannot (the live
            text goes instead); needed for ``InsertMode.ON_FINISH``.
        held: Called on the delivery thread when text is held, with the reason (the history
            entry says the text is kept in the app).
    """

    def __init__(
        self,
        delivery: Delivery,
        options: AnywhereOptions,
        on_event: Callable[[TypingEvent], None] | None = None,
        post: Post = _call_now,
        transcribe: Callable[[Path], str | None] | None = None,
        held: Callable[[str], None] | None = None,
    ) -> None:
        self.delivery = delivery
        self.options = options
        self.on_event = on_event or (lambda event: None)
        self._post = post
        self.transcribe = transcribe
        self.held = held
        self.state = TypingState.TYPING
        self.ledger = CommitLedger()  # the dictation's text
        self.typed: list[str] = []  # per commit of the ledger: its text as typed (or as it would have been)
        self.cancelled = False
        self.folder: Path | None = None
        self.timings: dict[str, float | str] = {}  # first/last delivery, stop to text (bench_anywhere.py)
        self.stop_asked: float | None = None
        self.finished = threading.Event()
        delivery.on_event = self._delivery_event

    @classmethod
    def into(cls, desktop: Desktop, target: Target, options: AnywhereOptions, **kwargs) -> Typing:
        """Typing into ``target`` with this desktop's methods (or the one the options force)."""
        return cls(delivery_for(desktop, target, None, options.method, options.paste_key), options, **kwargs)

    @property
    def target(self) -> Target:
        return self.delivery.target

    @property
    def live(self) -> bool:
        return self.options.insert == InsertMode.LIVE

    @property
    def hears_recording(self) -> bool:
        """Whether the recording is transcribed whole at the end (then the live tail need not be)."""
        return not self.live and not self.cancelled

    @property
    def text(self) -> str:
        """What this dictation typed live (or would have)."""
        return "".join(self.typed).strip()

    @property
    def started(self) -> bool:
        """Whether anything has been typed (a trailer follows only then)."""
        return any(self.typed)

    def cancel(self) -> None:
        """Nothing more is typed (the recording and the editor keep what was said)."""
        self.cancelled = True

    def stopping(self) -> None:
        """The user asked to stop (the time from here to the text is measured)."""
        self.stop_asked = time.perf_counter()

    # -- the stage ------------------------------------------------------------------------

    def begin(self, folder: Path | None) -> list[StreamEvent]:
        self.folder = folder
        return []

    def feed(self, events: list[StreamEvent], step: Step) -> list[StreamEvent]:
        """On the dictation thread: each commit and revision goes to the delivery thread."""
        for event in events:
            change = self.ledger.apply(event)
            if change is not None:
                self._type(change)
        if step.ended:
            self._finish()
        return events

    def _type(self, change: Change) -> None:
        sending = self.live and not self.cancelled
        if not change.revision:
            text = change.new if self.started else change.new.lstrip()
            self.typed.append(text)
            if sending and text:
                self.delivery.send(text)
            return
        old = "".join(self.typed[len(self.typed) - change.replaced :])
        del self.typed[len(self.typed) - change.replaced :]
        command = change.command or CORRECTION
        if command == CORRECTION and not self.options.correct:
            if change.words:
                self.typed.append(old)  # what was typed stays, as one commit (the ledger's new one)
            return
        new = change.new if self.started else change.new.lstrip()
        if change.words:
            self.typed.append(new)
        same = 0
        while same < min(len(old), len(new)) and old[same] == new[same]:
            same += 1
        if sending and old != new:
            self.delivery.edit(len(old) - same, new[same:], command)

    # -- the end --------------------------------------------------------------------------

    def _finish(self) -> None:
        """The dictation ended: the trailer, or the whole recording heard again, then the rest of
        the queue, on a thread of its own (the dictation's thread is free at once)."""
        threading.Thread(target=self._deliver_rest, name="typing-finish", daemon=True).start()

    def _deliver_rest(self) -> None:
        try:
            if not self.cancelled and self.folder is not None:
                if self.live:
                    if self.delivery.delivered or self.started:
                        self.delivery.send(self.options.trailer)
                else:
                    self._set_state(TypingState.TRANSCRIBING)
                    self._send_recording(self.folder)
            self._set_state(TypingState.DELIVERING)
            self.delivery.finish()
        finally:
            self._set_state(TypingState.DONE)
            self.finished.set()
            held = self.delivery.held_text
            self._post(lambda: self.on_event(TypingDone(held)))

    def _send_recording(self, folder: Path) -> None:
        """The recording through the file path, kept as ``final.txt`` and sent; if it cannot be
        heard, the live words of the dictation go instead."""
        from dictation_app.audio.recorder import AUDIO_NAME

        text = self.transcribe(folder / AUDIO_NAME) if self.transcribe is not None else None
        text = (text if text is not None else self.text).strip()
        if not text:
            return
        self.delivery.send(text + self.options.trailer)
        try:
            with open_private(folder / FINAL_TEXT, "w", encoding="utf-8") as f:
                f.write(text + "\n")
        except OSError:
            pass  # the recording and the journal are there; the text was sent

    def _set_state(self, state: TypingState) -> None:
        self.state = state
        self._post(lambda: self.on_event(TypingStateChanged(state)))

    def _delivery_event(self, event: DeliveryEvent) -> None:
        """On the delivery thread."""
        if isinstance(event, Delivered):
            now = time.perf_counter()
            self.timings.setdefault("first_delivery_s", event.seconds)
            self.timings.update(last_delivery_s=event.seconds, last_delivered=now, method=event.method)
            if self.stop_asked is not None:
                self.timings["stop_to_text_s"] = now - self.stop_asked
        elif isinstance(event, Held) and self.held is not None:
            self.held(event.reason)
        self._post(lambda: self.on_event(event))
