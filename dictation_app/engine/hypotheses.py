"""The agreement state of the live engine: the last two hypotheses and what was committed
(no threads, no audio, no decoder).

:class:`~dictation_app.engine.streaming.StreamingTranscriber` decides *when* to decode and what
audio the decoder hears; this class keeps *what was heard*: the uncommitted words of the last
two decodes, the recent committed words (the next decode's prompt, and where a decode's new
words start), the committed text and the end of the last committed word. The word rules
themselves are pure functions in :mod:`dictation_app.engine.agreement`.
"""

from __future__ import annotations

from dictation_app.engine import agreement
from dictation_app.transcript import Word

__all__ = ["Hypotheses"]

_KEEP_WORDS = 200  # committed words kept for the prompt (a few hundred characters)


class Hypotheses:
    """Attributes:
    newest: Uncommitted words of the last decode (the tentative tail).
    older: Uncommitted words of the decode before it.
    committed: Recent committed words (the prompt, and overlap checks).
    committed_text: All committed text, revisions applied.
    last_commit_end: End of the last committed word, in stream seconds.
    """

    def __init__(self) -> None:
        self.newest: list[Word] = []
        self.older: list[Word] = []
        self.committed: list[Word] = []
        self.committed_text = ""
        self.last_commit_end = 0.0

    def agreed(self, new: list[Word], before_gap: int, unsure_p: float, settled_s: float) -> int:
        """How many of a decode's new words to commit: LocalAgreement-2 (the common prefix with
        the previous hypothesis), never past a gap that hides speech, an unlikely word only when
        the decode before agreed too, and only words that ended before ``settled_s``."""
        agreed = min(agreement.agreed_prefix(self.newest, new), before_gap)
        agreed = agreement.sure_prefix(new[:agreed], self.older, unsure_p)
        return agreement.settled_prefix(new, agreed, settled_s)

    def advance(self, new: list[Word], agreed: int) -> None:
        """The decode's words after the ``agreed`` ones are the newest hypothesis."""
        self.older = self.newest
        self.newest = new[agreed:]

    def clear(self) -> None:
        """An utterance ended: nothing is tentative any more."""
        self.newest = []
        self.older = []

    def commit(self, words: list[Word]) -> list[Word]:
        """Record ``words`` as committed; they come back capitalised as the text before them says."""
        words = agreement.capitalized(words, self.committed_text)
        self.committed = (self.committed + list(words))[-_KEEP_WORDS:]
        self.committed_text += "".join(w.text for w in words)
        self.last_commit_end = max(self.last_commit_end, words[-1].end)
        return words

    def before(self, old: list[Word]) -> tuple[list[Word], str]:
        """The committed words and text before the last ``old`` committed words."""
        text = self.committed_text[: len(self.committed_text) - len("".join(w.text for w in old))]
        return self.committed[: len(self.committed) - len(old)], text

    def revise(self, old: list[Word], new: list[Word]) -> None:
        """The last ``old`` committed words became ``new`` (an utterance heard whole)."""
        before, text_before = self.before(old)
        self.committed = (before + new)[-_KEEP_WORDS:]
        self.committed_text = text_before + "".join(w.text for w in new)
        self.last_commit_end = max(self.last_commit_end, new[-1].end)

    def prompt(self, buffer_start_s: float, prompt_chars: int, initial_prompt: str | None) -> str:
        """The committed text before the buffer, as the decoder's prompt."""
        return agreement.prompt_text(self.committed, buffer_start_s, prompt_chars, initial_prompt)
