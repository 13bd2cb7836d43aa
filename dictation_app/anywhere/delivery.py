"""Delivering dictated text to the application that had the focus when dictation started (no Qt).

A :class:`Delivery` has its own thread, so a slow paste never holds up the live engine. It
sends text in the order it was given to the window that had the focus at the start; while
another window has the focus (X11 can tell) the text waits, and goes in when that window is
back. Each piece is tried with the methods in order; the method that worked is tried first
from then on. Text that no method could insert, or whose window closed, is *held*: reported
with :class:`Held` and kept in :attr:`Delivery.held` for the overlay to offer as a copy (the
session journal has every committed word in any case).

A spoken edit ("scratch that", a comma after a word already typed) is an :meth:`Delivery.edit`:
the last characters this delivery typed are erased with BackSpace and the new text typed. It is
refused (:class:`Refused`, nothing erased) unless those characters are exactly what it typed
last, the target kept the focus since, and nothing was held; after one refusal every later
edit of the dictation is refused too, since what is in the target is no longer known.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from dictation_app.anywhere.methods import Method
from dictation_app.errors import InsertError

KEYS_UP_S = 0.25  # after a push-to-talk release, for the chord's other keys to come up

__all__ = ["CORRECTION", "Delivered", "Delivery", "DeliveryEvent", "Held", "Refused", "Target", "Waiting"]


@dataclass(frozen=True)
class Target:
    """Where the words go: the application's name, its window title, and its X11 window id
    (0 where the desktop does not tell, as on Wayland)."""

    app: str
    title: str = ""
    window: int = 0

    @property
    def label(self) -> str:
        return self.title or self.app or "the focused window"


@dataclass(frozen=True)
class Delivered:
    text: str
    method: str
    seconds: float  # from send() to the text being in the target


@dataclass(frozen=True)
class Waiting:
    """The target lost the focus; text waits until it is back."""

    target: Target


@dataclass(frozen=True)
class Held:
    """Text that could not go in, and why; it stays in :attr:`Delivery.held`."""

    text: str
    reason: str


@dataclass(frozen=True)
class Refused:
    """A spoken edit or a correction that was not made in the target (what was typed stays)."""

    command: str
    reason: str


DeliveryEvent = Delivered | Waiting | Held | Refused

#: the command an edit goes by when the engine made it (an utterance revised once heard whole)
CORRECTION = "correction"


@dataclass(frozen=True)
class _Edit:
    erase: int
    text: str
    command: str


_END = object()


class Delivery:
    """Args:
    methods: Insertion methods in the order to try them.
    target: Where the text goes (the focus when dictation started).
    on_event: Called on the delivery thread with each :data:`DeliveryEvent`.
    focused_window: Returns the focused X11 window id, or None where it cannot be known.
    window_exists: Whether an X11 window id still exists.
    cleanup: Called once the delivery has finished (closes what watched the focus).
    """

    POLL_S = 0.05

    def __init__(
        self,
        methods: list[Method],
        target: Target,
        on_event: Callable[[DeliveryEvent], None] | None = None,
        focused_window: Callable[[], int | None] | None = None,
        window_exists: Callable[[int], bool] | None = None,
        cleanup: Callable[[], None] | None = None,
    ) -> None:
        self.methods = list(methods)
        self.target = target
        self.on_event = on_event or (lambda event: None)
        self.focused_window = focused_window
        self.window_exists = window_exists
        self.cleanup = cleanup
        self.held: list[str] = []
        self.delivered: list[str] = []
        self._typed: list[tuple[int, int]] = []  # (characters, focus epoch) of each piece typed
        self._epoch = 0  # goes up each time the target lost the focus
        self._edits_refused = False
        self._unusable: list[str] = []  # why a method was left out as the dictation started
        self._queue: queue.Queue = queue.Queue()
        self._gone = False
        self._giving_up = threading.Event()
        self._free = threading.Event()  # cleared while the user holds keys (push-to-talk)
        self._released_at = 0.0
        self._free.set()
        self._thread = threading.Thread(target=self._run, name="delivery", daemon=True)
        self._thread.start()

    def send(self, text: str) -> None:
        """Thread-safe: queue ``text`` for the target."""
        if text:
            self._queue.put((text, time.perf_counter()))

    def edit(self, erase: int, text: str, command: str) -> None:
        """Thread-safe: erase the last ``erase`` characters this delivery typed, then type
        ``text`` (a spoken edit, ``command`` naming it), in order with what was sent."""
        self._queue.put((_Edit(erase, text, command), time.perf_counter()))

    def hold_keys(self, held: bool) -> None:
        """Thread-safe: while the user holds the push-to-talk chord, typed keys would carry its
        modifiers (Ctrl+Alt+...), so nothing is inserted until it is released, and
        :data:`KEYS_UP_S` after: the release is told when its key goes up, and the modifiers
        may still be down then (KWin: a first "H" typed at once went in as Ctrl+Alt+Shift+H)."""
        if held:
            self._free.clear()
        else:
            self._released_at = time.perf_counter()
            self._free.set()

    def finish(self, timeout: float = 5.0) -> None:
        """Deliver what is queued (waiting at most ``timeout`` for the target to come back);
        what cannot go in by then is held. Closes the methods."""
        self._queue.put(_END)
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._giving_up.set()
            self._thread.join(2.0)
        for method in self.methods:
            method.close()
        if self.cleanup is not None:
            self.cleanup()

    @property
    def held_text(self) -> str:
        return "".join(self.held).strip()

    @property
    def edits_refused(self) -> bool:
        """Whether an edit was refused (later ones are too: what is in the target is not known)."""
        return self._edits_refused

    # -- the delivery thread --------------------------------------------------------------

    def _run(self) -> None:
        self._prepare()
        while (item := self._queue.get()) is not _END:
            text, sent = item
            if isinstance(text, _Edit):
                self._edit(text, sent)
                continue
            if self._gone or not self._wait_for_target():
                self._hold(
                    text,
                    f"{self.target.label} was closed; nothing was typed elsewhere."
                    if self._gone
                    else f"{self.target.label} did not get the focus back in time.",
                )
                continue
            self._insert(text, sent)

    def _wait_for_target(self) -> bool:
        """True once the user's keys are up and the target has the focus (or where focus
        cannot be known)."""
        while not self._free.wait(self.POLL_S):
            if self._giving_up.is_set():
                return False
        if (rest := self._released_at + KEYS_UP_S - time.perf_counter()) > 0:
            time.sleep(rest)
        if self.focused_window is None or not self.target.window:
            return True
        told = False
        while not self._giving_up.is_set():
            focused = self.focused_window()
            if focused == self.target.window:
                return True
            if self.window_exists is not None and not self.window_exists(self.target.window):
                self._gone = True
                return False
            if not told:
                self.on_event(Waiting(self.target))
                self._epoch += 1
                told = True
            time.sleep(self.POLL_S)
        return False

    def _prepare(self) -> None:
        """The first way of typing made ready as the dictation starts (GNOME asks the user
        then); one that cannot be is left out of this dictation, and why is kept. Once the
        user said no, the methods that would ask again are left out too."""
        if not self.methods:
            return
        first = self.methods[0]
        try:
            first.prepare()
            return
        except InsertError as exc:
            self._unusable.append(f"{first.name}: {exc}")
        except Exception as exc:  # a bug in one method must not stop the others
            self._unusable.append(f"{first.name}: unexpected {type(exc).__name__}: {exc}")
        for method in [m for m in self.methods if m is first or (first.asks_user and m.asks_user)]:
            self.methods.remove(method)
            method.close()

    def _insert(self, text: str, sent: float) -> None:
        problems = list(self._unusable)
        for method in list(self.methods):
            try:
                method.insert(text, self.target.app)
            except InsertError as exc:
                problems.append(f"{method.name}: {exc}")
                continue
            except Exception as exc:  # a bug in one method must not lose the text
                problems.append(f"{method.name}: unexpected {type(exc).__name__}: {exc}")
                continue
            if self.methods[0] is not method:  # trusted from now on
                self.methods.remove(method)
                self.methods.insert(0, method)
            self.delivered.append(text)
            self._typed.append((len(text), self._epoch))
            self.on_event(Delivered(text, method.name, time.perf_counter() - sent))
            return
        reason = "; ".join(problems) if problems else "no way to type into other applications on this desktop"
        self._hold(text, f"Could not type into {self.target.label} ({reason}).")

    def _edit(self, edit: _Edit, sent: float) -> None:
        reason = self._edit_problem(edit)
        if reason is None and edit.erase:
            pieces, chars = 0, 0
            while chars < edit.erase:
                chars += self._typed[-1 - pieces][0]
                pieces += 1
            try:
                self.methods[0].erase(edit.erase)
            except Exception as exc:  # InsertError, or a bug in one method: say it, lose nothing
                reason = f"{self.methods[0].name} could not erase: {exc}"
            else:
                del self._typed[len(self._typed) - pieces :]
                if chars > edit.erase:  # the start of the first piece stays
                    self._typed.append((chars - edit.erase, self._epoch))
        if reason is not None:
            said = self._edits_refused and edit.command == CORRECTION  # corrections: said once
            self._edits_refused = True
            if not said:
                self.on_event(Refused(edit.command, reason))
            return
        if edit.text:
            self._insert(edit.text, sent)

    def _edit_problem(self, edit: _Edit) -> str | None:
        """Why an edit cannot be made safely, or None."""
        if self._edits_refused:
            return "an earlier edit was not made, so what is in the target is not known"
        if self.held or self._gone:
            return "some text could not be typed"
        if not self._wait_for_target():
            return f"{self.target.label} does not have the focus"
        chars, epochs = 0, set()
        for typed, epoch in reversed(self._typed):
            if chars >= edit.erase:
                break
            chars, epochs = chars + typed, epochs | {epoch}
        if chars < edit.erase:
            return "the text to change is not what was typed last"
        if epochs - {self._epoch}:
            return f"the focus left {self.target.label} after that text was typed"
        return None

    def _hold(self, text: str, reason: str) -> None:
        self.held.append(text)
        self.on_event(Held(text, reason))
