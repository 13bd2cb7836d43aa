"""How dictated words are written out: the text styles a mode chooses (no Qt).

The decoder writes sentences: a capital at each start, a full stop at each end. That suits a
document or a mail, not every place people dictate into:

* ``SENTENCE``: as the decoder writes it (and as the spoken commands make it);
* ``CASUAL``: a chat message: no capital at the start of a sentence (names and "I" keep theirs)
  and no closing full stop (one said as "period" stays);
* ``LITERAL``: the words as said: no capital and no punctuation the speaker did not say (a
  terminal command: "git status");
* ``CODE``: literal, and spoken symbols typed as symbols wherever they are said, without the
  pause a command otherwise needs ("my underscore name" -> ``my_name``, "print open paren x
  close paren" -> ``print(x)``; :data:`~dictation_app.core.voice_table.CODE_SYMBOLS`).

A style changes the form of the words, never the words: the voice interpreter applies it as it
renders (:class:`~dictation_app.core.voice.VoiceInterpreter`), so a style is a pure function of
the words said and their pauses, like the rest of the text.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Style"]


class Style(Enum):
    SENTENCE = "sentence"
    CASUAL = "casual"
    LITERAL = "literal"
    CODE = "code"

    @property
    def adds_capitals(self) -> bool:
        return self is Style.SENTENCE

    @property
    def keeps_marks(self) -> bool:
        """Whether the decoder's punctuation stays."""
        return self in (Style.SENTENCE, Style.CASUAL)
