"""The dictation editor: live words go in at the user's cursor, the user edits freely.

Committed words are inserted as one undoable edit per commit. The tentative tail is drawn
as a pre-edit area of the text layout (the mechanism input methods use for text still being
composed), so it shows inline, in grey, after the insertion point, and is never part of the
document or its undo history. While the user is typing, commits wait (shown in the tail)
until they pause, so live text never lands inside a word being typed.

A dictation's words start with no space (the engine's first word has none); where they go in
right after other text (the last dictation's words, "Notes:"), a space keeps the two apart.

When an utterance ends, the engine may revise its words (it heard the utterance whole): the
commits of that utterance are replaced by the revised text in one undoable edit, if they are
still in the document as they were inserted, one after another; if the user changed them, the
live text stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QColor, QKeyEvent, QTextCharFormat, QTextCursor, QTextFormat, QTextLayout
from PySide6.QtWidgets import QTextEdit, QWidget

from dictation_app.engine.events import Revision
from dictation_app.transcript import Word

__all__ = ["DictationEditor", "DICTATED_PROPERTY"]

#: Char-format property set on dictated text (typed text lacks it).
DICTATED_PROPERTY = QTextFormat.Property.UserProperty + 1
_DICTATED = QTextCharFormat()
_DICTATED.setProperty(DICTATED_PROPERTY, True)


_REMEMBERED = 100  # commits a revision can reach back to (it covers one utterance)
_OPENERS = "([{\"'\u201c\u2018/-"  # a dictation's first word goes right after these


@dataclass
class _Insertion:
    """A commit as inserted: where it is now, and the text it went in as."""

    begin: QTextCursor
    end: QTextCursor
    text: str
    count: int
    first: bool  # a dictation's first words (spaced from the text before them)


class DictationEditor(QTextEdit):
    #: Commits wait this long after the user's last keystroke.
    TYPING_PAUSE_MS = 800

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)  # Tab moves on to the next control: the editor is no focus trap
        self.setPlaceholderText(self.tr("Press Record (F9) and speak; your words appear at the cursor."))
        self.review_below = 0.5
        self._pending: list[tuple[Word, ...]] = []
        self._tentative: tuple[Word, ...] = ()
        self._tail_block = None
        self._tail_text = ""
        self._review: list[tuple[QTextCursor, QTextCursor]] = []  # (start, end) of words to review
        self._inserted: list[_Insertion] = []  # the latest commits in the document, oldest first
        self._placing_tail = False
        self._starting = True  # the next words inserted are a dictation's first
        self._typing = QTimer(self, singleShot=True, interval=self.TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.flush)
        self.cursorPositionChanged.connect(self._show_tail)
        self.document().contentsChanged.connect(self._show_tail)
        self.document().contentsChanged.connect(self._show_review)

    # -- what the dictation worker calls --------------------------------------------------

    @Slot(object)
    def add_committed(self, words: tuple[Word, ...]) -> None:
        if not words:
            return
        self._pending.append(tuple(words))
        if not self._typing.isActive():
            self.flush()
        else:
            self._show_tail()

    def revise(self, revision: Revision) -> bool:
        """Replace the last ``revision.count`` committed words (whole commits) with its words;
        False where they are not all as dictated any more (the user edited them: they stay)."""
        count, words = revision.count, revision.words
        # Which commits: the newest pending ones first, then the newest inserted ones.
        pending_n, words_left = 0, count
        for commit in reversed(self._pending):
            if len(commit) > words_left:
                return False
            pending_n, words_left = pending_n + 1, words_left - len(commit)
            if not words_left:
                break
        inserted_n = 0
        for insertion in reversed(self._inserted):
            if not words_left:
                break
            if insertion.count > words_left:
                return False
            inserted_n, words_left = inserted_n + 1, words_left - insertion.count
        if words_left:
            return False  # not all of it is ours any more
        if inserted_n and not self._replace(self._inserted[-inserted_n:], tuple(words)):
            return False  # the user edited them: the live text stays
        del self._pending[len(self._pending) - pending_n :]
        if not inserted_n:
            self._pending.append(tuple(words))
        self._show_tail()
        return True

    def _replace(self, insertions: list[_Insertion], words: tuple[Word, ...]) -> bool:
        begin, end = insertions[0].begin.position(), insertions[-1].end.position()
        for a, b in zip(insertions, insertions[1:]):
            if a.end.position() != b.begin.position():
                return False
        text = self.toPlainText()
        if text[begin:end] != "".join(i.text for i in insertions):
            return False
        raw = "".join(w.text for w in words)
        first = insertions[0].first
        new = self._leading(raw, begin, first)
        shift = len(new) - len(raw)
        new += " " if insertions[-1].text.endswith(" ") and not raw.endswith(" ") else ""
        cursor = QTextCursor(self.document())
        cursor.setPosition(begin)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.beginEditBlock()
        cursor.insertText(new, _DICTATED)
        cursor.endEditBlock()
        del self._inserted[len(self._inserted) - len(insertions) :]
        self._remember(begin, new, len(words), first)
        self._mark_review(words, begin + shift)
        return True

    @Slot(object)
    def set_tentative(self, words: tuple[Word, ...]) -> None:
        self._tentative = tuple(words)
        self._show_tail()

    @Slot()
    def flush(self) -> None:
        """Insert commits that waited for the user to stop typing."""
        pending, self._pending = self._pending, []
        for words in pending:
            self._insert(words)
        self._show_tail()

    def end_dictation(self) -> None:
        self._typing.stop()
        self._tentative = ()
        self.flush()
        self._starting = True

    @property
    def tentative_text(self) -> str:
        return self._tail_text

    def words_for_review(self) -> list[str]:
        text = self.toPlainText()
        return [text[b.position() : e.position()] for b, e in self._review if e.position() > b.position()]

    # -- user input -----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.text():
            self._plain_typing()
        super().keyPressEvent(event)
        if event.text() or event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self._typing.start()

    def _plain_typing(self) -> None:
        """What the user types is never marked dictated: a different format also keeps Qt from
        merging typing after live text into that commit's undo step."""
        if not self.textCursor().hasSelection() and self.currentCharFormat().hasProperty(DICTATED_PROPERTY):
            self.setCurrentCharFormat(QTextCharFormat())

    # -- insertion ------------------------------------------------------------------------

    def _insertion_point(self) -> int:
        return self.textCursor().selectionEnd()  # never inside or over the user's selection

    def _leading(self, text: str, pos: int, starting: bool) -> str:
        """``text`` going in at ``pos`` with the leading space its place wants: none at a line
        start or after a space; at a dictation's start (``starting``), one after other text."""
        before = self.document().characterAt(pos - 1) if pos > 0 else "\n"
        if before.isspace():  # a line start is a paragraph separator, a space too
            return text.lstrip()
        if starting and text[:1].isalnum() and before not in _OPENERS:
            return " " + text
        return text

    def _trailing(self, text: str, pos: int) -> str:
        """``text`` going in at ``pos`` with a space after it where the user's text follows."""
        after = self.document().characterAt(pos)
        if after and not after.isspace() and after not in "\u2029.,;:!?)" and text and not text.endswith(" "):
            text += " "  # dictating before the user's text: keep the two apart
        return text

    def _insert(self, words: tuple[Word, ...]) -> None:
        pos = self._insertion_point()
        raw = "".join(w.text for w in words)
        led = self._leading(raw, pos, self._starting)
        text = self._trailing(led, pos)
        cursor = QTextCursor(self.document())
        cursor.setPosition(pos)
        cursor.beginEditBlock()
        cursor.insertText(text, _DICTATED)
        cursor.endEditBlock()
        self._remember(pos, text, len(words), self._starting)
        self._starting = False
        self._plain_typing()
        self._mark_review(words, pos + len(led) - len(raw))  # where the first word landed

    def _remember(self, pos: int, text: str, count: int, first: bool) -> None:
        begin, end = QTextCursor(self.document()), QTextCursor(self.document())
        begin.setPosition(pos)
        end.setPosition(pos + len(text))
        end.setKeepPositionOnInsert(True)  # typing right after a commit is not part of it
        self._inserted = (self._inserted + [_Insertion(begin, end, text, count, first)])[-_REMEMBERED:]

    def _mark_review(self, words: tuple[Word, ...], pos: int) -> None:
        """Underline low-confidence words. Each is a pair of cursors, so it follows later edits
        without growing: the end cursor stays put when text is typed right after the word."""
        for w in words:
            start, pos = pos, pos + len(w.text)
            if w.probability < self.review_below and w.text.strip():
                begin, end = QTextCursor(self.document()), QTextCursor(self.document())
                begin.setPosition(start + len(w.text) - len(w.text.lstrip()))
                end.setPosition(pos)
                end.setKeepPositionOnInsert(True)
                self._review.append((begin, end))
        self._review = [(b, e) for b, e in self._review if e.position() > b.position()]
        self._show_review()

    def _show_review(self) -> None:
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor(230, 126, 34))
        selections = []
        for begin, end in self._review:
            sel = QTextEdit.ExtraSelection()
            sel.cursor = QTextCursor(begin)
            sel.cursor.setPosition(end.position(), QTextCursor.MoveMode.KeepAnchor)
            sel.format = fmt
            selections.append(sel)
        self.setExtraSelections(selections)

    def select_unsure(self, forward: bool = True) -> tuple[int, int, str] | None:
        """Select the next (or previous) underlined word after (before) the cursor, wrapping
        around; its number, how many there are, and the word (None: there are none). A screen
        reader reads the selection; the window says "unsure word 2 of 5"."""
        marks = sorted((b.position(), e.position()) for b, e in self._review if e.position() > b.position())
        if not marks:
            return None
        here = self.textCursor()
        if forward:
            index = next((i for i, (b, _) in enumerate(marks) if b >= here.selectionEnd()), 0)
        else:
            index = next((i for i in reversed(range(len(marks))) if marks[i][1] <= here.selectionStart()), -1)
            index %= len(marks)
        begin, end = marks[index]
        cursor = QTextCursor(self.document())
        cursor.setPosition(begin)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        return index + 1, len(marks), cursor.selectedText()

    # -- the tentative tail ---------------------------------------------------------------

    def _show_tail(self) -> None:
        if self._placing_tail:
            return
        self._placing_tail = True
        try:
            self._place_tail()
        finally:
            self._placing_tail = False

    def _place_tail(self) -> None:
        waiting = [w for words in self._pending for w in words] + list(self._tentative)
        pos = self._insertion_point()
        text = "".join(w.text for w in waiting)
        text = self._trailing(self._leading(text, pos, self._starting), pos) if text else ""
        block = self.document().findBlock(pos)
        if self._tail_block is not None and self._tail_block.isValid() and self._tail_block != block:
            self._set_preedit(self._tail_block, 0, "")
        self._tail_block = block if text else None
        if text or self._tail_text:
            self._set_preedit(block, pos - block.position(), text)
        self._tail_text = text

    def _set_preedit(self, block, offset: int, text: str) -> None:
        layout = block.layout()
        layout.setPreeditArea(offset if text else -1, text)
        if text:
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(128, 128, 128))
            grey = QTextLayout.FormatRange()
            grey.start, grey.length, grey.format = offset, len(text), fmt
            layout.setFormats([grey])
        else:
            layout.clearFormats()
        self.document().markContentsDirty(block.position(), block.length())
