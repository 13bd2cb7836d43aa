"""What a dictation types into another application as its words commit, and how it changes
what was typed (no Qt).

Typing goes on like a person's: each commit is typed when it comes. Two things change text
already typed, as BackSpace presses and the new characters, from the first one that differs
(:meth:`~dictation_app.anywhere.delivery.Delivery.edit`, which refuses when that is not safe:
the focus left, something could not be typed, an earlier edit was refused):

* a spoken edit ("scratch that", or a comma said after a word whose full stop is already
  typed): the user asked for it;
* a correction (``correcting``, the ``anywhere/correct`` setting): the engine heard an
  utterance whole once it ended and revised its words (dev set, check half: live WER of the
  revised text 4.68 % against 6.00 % for the words as first committed, offline 4.32 %), so
  the text in the other application reads as the editor's does. It comes about a second after
  the pause, while the user is still dictating.
"""

from __future__ import annotations

from dictation_app.anywhere.delivery import CORRECTION, Delivery

__all__ = ["LiveTyping"]


class LiveTyping:
    """Args:
        delivery: Where the text goes, or None (the app's own editor has it).
        sending: Type the words as they commit (the "live" setting); else only keep them.
        correcting: Type the engine's revisions too, not only spoken edits.
    """

    def __init__(self, delivery: Delivery | None, sending: bool, correcting: bool = True) -> None:
        self.delivery = delivery
        self.sending = sending and delivery is not None
        self.correcting = correcting
        self.cancelled = False
        self.commits: list[str] = []  # the text of each commit, as it was (or would have been) typed
        self._sizes: list[int] = []  # and its number of words

    @property
    def text(self) -> str:
        return "".join(self.commits).strip()

    @property
    def started(self) -> bool:
        """Whether anything has been typed (a trailer follows only then)."""
        return any(self.commits)

    def committed(self, words) -> None:
        text = "".join(w.text for w in words)
        if not self.started:
            text = text.lstrip()
        self.commits.append(text)
        self._sizes.append(len(words))
        if self.sending and not self.cancelled and text:
            self.delivery.send(text)

    def revised(self, event) -> None:
        """A revision of the commits handed out: ``event.commits`` of them (a
        :class:`~dictation_app.core.voice.VoiceRevision`; ``command`` "" for the engine's), or
        the commits holding the last ``event.count`` words (the engine's
        :class:`~dictation_app.engine.events.Revision`, when spoken commands are off)."""
        count = getattr(event, "commits", None)
        if count is None:  # whole commits of the engine's, counted in words
            count, words = 0, 0
            while words < event.count and count < len(self._sizes):
                count, words = count + 1, words + self._sizes[-1 - count]
            count = count if words == event.count else 0
        command = getattr(event, "command", "") or CORRECTION
        if not count or count > len(self.commits):
            return
        old = "".join(self.commits[len(self.commits) - count :])
        del self.commits[len(self.commits) - count :], self._sizes[len(self._sizes) - count :]
        if command == CORRECTION and not self.correcting:
            self.commits.append(old)  # what was typed stays
            self._sizes.append(event.count)
            return
        new = "".join(w.text for w in event.words)
        if not self.started:
            new = new.lstrip()
        if new:
            self.commits.append(new)
            self._sizes.append(len(event.words))
        same = 0
        while same < min(len(old), len(new)) and old[same] == new[same]:
            same += 1
        if self.sending and not self.cancelled and old != new:
            self.delivery.edit(len(old) - same, new[same:], command)
