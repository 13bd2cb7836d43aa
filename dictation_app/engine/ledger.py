"""The commit ledger: a stream's committed words, commit by commit, with their revisions applied
(no Qt, no threads).

Every consumer of a dictation's words keeps the same record: the history entry, ``listen``'s
text, the evaluation, and the typing into other applications, which erases and retypes what a
revision changed. A :class:`~dictation_app.engine.events.Commit` adds a commit at the end; a
:class:`~dictation_app.engine.events.Revision` replaces the last few whole commits. What an event
did comes out as one :class:`Change`: how many commits it replaced, their text and the new text.
"""

from __future__ import annotations

from dataclasses import dataclass

from dictation_app.engine.events import Commit, Revision, StreamEvent
from dictation_app.transcript import Word

__all__ = ["Change", "CommitLedger"]


@dataclass(frozen=True)
class Change:
    """What one event did to the committed text.

    Attributes:
        replaced: How many commits it replaced (0: text added at the end).
        old: Their text.
        words: The words in their place (or added).
        command: The spoken command that made it; "" for a commit or the engine's revision.
        revision: Whether it was a revision (a commit adds; a revision replaces, maybe nothing).
    """

    replaced: int
    old: str
    words: tuple[Word, ...]
    command: str = ""
    revision: bool = False

    @property
    def new(self) -> str:
        return "".join(w.text for w in self.words)


class CommitLedger:
    """Commits in, changes out; :attr:`words` is the text as revised so far."""

    def __init__(self) -> None:
        self.commits: list[tuple[Word, ...]] = []

    @property
    def words(self) -> list[Word]:
        return [w for commit in self.commits for w in commit]

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words).strip()

    def apply(self, event: StreamEvent) -> Change | None:
        """Bring the ledger up to date with ``event``; what it changed, or None (not a commit or a
        revision, or a revision that does not cover whole commits: the text stays as it is)."""
        if isinstance(event, Commit):
            self.commits.append(event.words)
            return Change(0, "", event.words)
        if not isinstance(event, Revision):
            return None
        count = event.commits or self._commits_holding(event.count)
        if not count or count > len(self.commits):
            return None
        old = "".join(w.text for commit in self.commits[-count:] for w in commit)
        del self.commits[-count:]
        if event.words:
            self.commits.append(event.words)
        return Change(count, old, event.words, event.command, revision=True)

    def _commits_holding(self, words: int) -> int:
        """How many of the newest commits hold exactly the last ``words`` words (0: none do)."""
        count = held = 0
        while held < words and count < len(self.commits):
            count, held = count + 1, held + len(self.commits[-1 - count])
        return count if held == words else 0
