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

from collections.abc import Callable
from dataclasses import replace
from enum import Enum

from dictation_app.transcript import Word

__all__ = ["MARKS", "Style", "is_capitalised", "lowers_after", "tail_word", "without_closing_stop"]

#: the sentence marks a decoder or a command puts after a word
MARKS = ".,;:!?"


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


def is_capitalised(body: str) -> bool:
    """A word with a capital first letter only ("The", "X"; not "NASA")."""
    return body[:1].isupper() and not body[1:2].isupper()


def lowers_after(style: Style, before: str) -> bool:
    """Whether ``style`` takes the decoder's capital off an ordinary word that follows the text
    ``before``: literal and code everywhere, casual at a sentence's start."""
    if style in (Style.LITERAL, Style.CODE):
        return True
    before = before.rstrip(" ")
    return style is Style.CASUAL and (not before or before.endswith((".", "?", "!", "\n")))


def without_closing_stop(style: Style, out: list[Word], said_last: bool) -> list[Word]:
    """``out`` less a casual text's closing full stop (``said_last``: it ends with a command's
    text, and a full stop the user said stays)."""
    if style is not Style.CASUAL or said_last or not out:
        return out
    text = out[-1].text
    if not text.endswith(".") or text.endswith(".."):
        return out
    return out[:-1] + [replace(out[-1], text=text[:-1])]


def tail_word(style: Style, word: Word, ordinary: Callable[[str], bool]) -> Word:
    """A word of the tentative tail as ``style`` will write it (literal and code: no marks, no
    capital on an ordinary word), so the grey words keep their form when they commit."""
    if style.keeps_marks:
        return word
    lead = word.text[: len(word.text) - len(word.text.lstrip())]
    body = word.text.strip().rstrip(MARKS)
    if is_capitalised(body) and ordinary(body):
        body = body[:1].lower() + body[1:]
    return replace(word, text=lead + body)
