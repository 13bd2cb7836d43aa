"""What a dictation types into another application as its words commit, and how a spoken edit
changes what was typed (no Qt).

Typing is append-only, like a person typing: an utterance the engine revised after hearing it
whole stays as it was typed (the editor and the history get the revision). A spoken edit —
"scratch that", or a comma said after a word whose full stop is already typed — is different:
the user asked for it, so the characters typed for the commits it replaces are erased and the
new text typed (:meth:`~dictation_app.anywhere.delivery.Delivery.edit`, which refuses when that
is not safe).
"""

from __future__ import annotations

from dictation_app.anywhere.delivery import Delivery

__all__ = ["LiveTyping"]


class LiveTyping:
    """Args:
        delivery: Where the text goes, or None (the app's own editor has it).
        sending: Type the words as they commit (the "live" setting); else only keep them.
    """

    def __init__(self, delivery: Delivery | None, sending: bool) -> None:
        self.delivery = delivery
        self.sending = sending and delivery is not None
        self.cancelled = False
        self.commits: list[str] = []  # the text of each commit, as it was (or would have been) typed

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
        if self.sending and not self.cancelled and text:
            self.delivery.send(text)

    def revised(self, event) -> None:
        """A revision of the commits handed out: ``event.commits`` of them (a
        :class:`~dictation_app.core.voice.VoiceRevision`); only spoken edits reach the target."""
        count = getattr(event, "commits", 0)
        if not count or count > len(self.commits):
            return
        old = self.commits[len(self.commits) - count :]
        del self.commits[len(self.commits) - count :]
        if not getattr(event, "command", ""):
            self.commits.append("".join(old))  # the engine's: what was typed stays
            return
        new = "".join(w.text for w in event.words)
        if not self.started:
            new = new.lstrip()
        if new:
            self.commits.append(new)
        erase = len("".join(old))
        if self.sending and not self.cancelled and (erase or new):
            self.delivery.edit(erase, new, event.command)
