"""Dictated words to text: spoken punctuation and commands, the personal vocabulary and the
user's replacements, between the live engine and everything that shows or types its words (no Qt).

:class:`VoiceInterpreter` reads the engine's events (:class:`Commit`, :class:`Revision`,
:class:`UtteranceEnd`, :class:`Partial`) and hands out the same kinds of events for the text
the user meant: the editor, ``listen``, the history and the typing into other applications
consume them unchanged. Its output is a pure function of the words committed so far and the
pauses between them (:meth:`VoiceInterpreter._render`); each change of that output goes out as
a :class:`Commit` (text added at the end) or a :class:`Revision` naming the commits it replaces
and the command that made it, so a command that changes text already out ("Anna." + "comma" ->
"Anna,", "scratch that") is one edit, one undo step in the editor; a :class:`CommandHeard`
follows each command that took effect (the window has a screen reader say it).

A command is a command only when it stands apart: a pause (or an utterance's start or end, or
another command) before and after it. "In that period of history" is text; "... notes"
*pause* "period" is a full stop. Words that may begin a command at the end of what was heard
wait (shown in the tentative tail) until the next word or the pause decides; ordinary words
never wait.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from dictation_app.core.styles import Style, is_capitalised, lowers_after, tail_word, without_closing_stop
from dictation_app.core.vocabulary import VocabularyCorrector
from dictation_app.core.voice_table import CODE_SYMBOLS, LITERAL, MARKS, Command, VoiceOptions, norm, phrase_words
from dictation_app.engine.events import Commit, Partial, Revision, StreamEvent, UtteranceEnd, apply_committed
from dictation_app.transcript import Word

__all__ = ["CommandHeard", "VoiceInterpreter", "apply_style", "apply_to_transcript"]

#: A silence at least this long between two words sets a command apart (Whisper's word times
#: are good to about 0.1 s; people pause 0.3-1 s around a command).
GAP_S = 0.35
_UNDO_DEPTH = 50


@dataclass(frozen=True)
class CommandHeard:
    """A spoken command took effect (after the edit it made): what a screen reader says,
    since a new paragraph or a removed phrase is otherwise only seen."""

    name: str


@dataclass
class _State:
    """Where rendering stands: the text so far, the undo points, what the next word needs."""

    out: list[Word] = field(default_factory=list)
    undo: list[tuple[str, tuple[Word, ...], bool, bool]] = field(default_factory=list)  # (kind, out, capitalize, glue)
    fired: list[str] = field(default_factory=list)
    capitalize: bool = False
    lower: bool = False  # after a comma, colon or semicolon the decoder's capital goes
    glue: bool = False
    stop: bool = False
    command_end: int = -1  # the word index right after the last command
    style: Style = Style.SENTENCE
    last_command: bool = False  # what is out ends with a command's text ("period" said stays)

    def copy(self) -> _State:
        return _State(
            list(self.out),
            list(self.undo),
            list(self.fired),
            self.capitalize,
            self.lower,
            self.glue,
            self.stop,
            self.command_end,
            self.style,
            self.last_command,
        )

    def save(self, kind: str) -> None:
        self.undo = (self.undo + [(kind, tuple(self.out), self.capitalize, self.glue)])[-_UNDO_DEPTH:]

    def restore(self, index: int) -> None:
        _, out, self.capitalize, self.glue = self.undo[index]
        self.out = list(out)
        del self.undo[index:]


class VoiceInterpreter:
    """Args:
    options: The command table, vocabulary and replacements.
    is_common: Whether a word is an ordinary word the vocabulary must never replace.
    corrector: The vocabulary's corrector, when one is shared (default: made from ``options``).
    """

    def __init__(
        self,
        options: VoiceOptions,
        is_common: Callable[[str], bool] | None = None,
        corrector: VocabularyCorrector | None = None,
    ) -> None:
        self.options = options
        self.table: dict[tuple[str, ...], Command] = {}
        for command in options.table:
            for phrase in command.phrases:
                self.table[phrase_words(phrase)] = command
        self._prefixes = {key[:n] for key in self.table for n in range(1, len(key))}
        self._longest = max((len(k) for k in self.table), default=0)
        self._symbols = {phrase_words(p): c for c in CODE_SYMBOLS for p in c.phrases}  # said inline, in code
        self._symbol_prefixes = {key[:n] for key in self._symbols for n in range(1, len(key))}
        self.replacements = dict(options.replacements)
        self._longest_replacement = max((len(k) for k in self.replacements), default=0)
        self.corrector = corrector or VocabularyCorrector(options.vocabulary, is_common)
        self.is_common = is_common
        self.raw: list[Word] = []  # the engine's committed words
        self._ends: set[int] = set()  # utterance ends: raw indices a pause came before
        self._final = False
        self._emitted: list[tuple[Word, ...]] = []  # the commits handed out
        self._held: list[Word] = []
        self._checkpoints: list[tuple[int, _State]] = [(0, self._start())]  # rendering as it stood at utterance ends
        self._words: list[Word] = []  # raw, corrected by the vocabulary
        self.fired: list[str] = []  # every command that took effect, in order (benchmarks, tests)
        self.stop_requested = False
        self._style = options.style  # as the text so far ends ("switch to code mode" changes it)
        self._switches: dict[int, Style] = {}  # raw word index -> the style picked there, from outside

    def _start(self) -> _State:
        return _State(style=self.options.style)

    @property
    def words(self) -> list[Word]:
        """The words handed out so far (commits with their revisions applied)."""
        return [w for c in self._emitted for w in c]

    @property
    def text(self) -> str:
        return "".join(w.text for w in self.words).strip()

    # -- events -----------------------------------------------------------------------------

    def feed(self, events: list[StreamEvent], final: bool = False) -> list[StreamEvent]:
        """The events for the text meant, from a step's engine events (``final``: the stream ended)."""
        out: list[StreamEvent] = []
        partial: Partial | None = None
        for event in events:
            if isinstance(event, (Commit, Revision)):
                before = len(self.raw)
                changed = before - event.count if isinstance(event, Revision) else before
                apply_committed(self.raw, event)
                if isinstance(event, Revision) and before in self._ends:  # it still ends where it ended
                    self._ends.discard(before)
                    self._ends.add(len(self.raw))
                out += self._update(changed, engine_revision=isinstance(event, Revision))
            elif isinstance(event, UtteranceEnd):
                self._ends.add(len(self.raw))
                out += self._update(len(self.raw))
                out.append(event)
            elif isinstance(event, Partial):
                partial = event
            else:
                out.append(event)
        if final and not self._final:
            self._final = True
            out += self._update(len(self.raw))
        if partial is not None or self._held or out:
            tail = tuple(self._held) + (partial.words if partial is not None else ())
            out.append(Partial(tuple(tail_word(self._style, w, self._ordinary) for w in tail)))
        return out

    def _update(self, changed: int, engine_revision: bool = False) -> list[StreamEvent]:
        """Render again from the latest checkpoint at or before raw index ``changed``; the
        difference to what was handed out, as events, and each command that newly took effect."""
        fired_before = list(self.fired)
        out = self._edit(changed, engine_revision)
        if self.fired[: len(fired_before)] == fired_before:  # not a command heard again as words
            out += [CommandHeard(name) for name in self.fired[len(fired_before) :]]
        return out

    def _edit(self, changed: int, engine_revision: bool) -> list[StreamEvent]:
        state = self._render(changed)
        self._style = state.style
        fired_before, self.fired = list(self.fired), state.fired
        self.stop_requested = state.stop
        new = without_closing_stop(state.style, state.out, state.last_command)
        flat = [w for c in self._emitted for w in c]
        same = 0
        while same < min(len(flat), len(new)) and flat[same] == new[same]:
            same += 1
        if same == len(flat):
            if len(new) == same:
                return []
            self._emitted.append(tuple(new[same:]))
            return [Commit(tuple(new[same:]))]
        k, start = len(self._emitted), len(flat)  # the first commit that changed, and all after it
        while start > same:
            k -= 1
            start -= len(self._emitted[k])
        replaced = len(self._emitted) - k
        self._emitted[k:] = [tuple(new[start:])] if len(new) > start else []
        if self.fired != fired_before:  # a command fired (or, heard again, is no longer one): a spoken edit
            command = self.fired[-1] if len(self.fired) > len(fired_before) else "edit"
        else:
            command = "" if engine_revision else "edit"  # "": the engine's own revision of what it heard
        return [Revision(tuple(new[start:]), count=len(flat) - start, commits=replaced, command=command)]

    # -- rendering --------------------------------------------------------------------------

    def _render(self, changed: int) -> _State:
        self._checkpoints = [c for c in self._checkpoints if c[0] <= changed] or [(0, self._start())]
        begin, saved = self._checkpoints[-1]
        state = saved.copy()
        ends = sorted(e for e in self._ends if e > begin)
        self._words = self._words[:begin]
        for a, b in zip([begin] + ends, ends + [len(self.raw)]):  # the vocabulary within an utterance
            self._words += self.corrector.correct(self.raw[a:b])
        words, self._held = self._words, []
        i, done = begin, begin - 1
        while i < len(words):
            self._switch(state, done, i)
            if i in self._ends and i > self._checkpoints[-1][0]:
                self._checkpoints = (self._checkpoints + [(i, state.copy())])[-4:]
            done, i = i, self._step(words, i, state)
            if i < 0:
                self._held = list(words[-i - 1 :])
                break
        self._switch(state, done, len(words))  # picked after the last word (the tail is shown in it)
        return state

    def switch_style(self, style: Style) -> None:
        """From the next word on, write in ``style`` (a mode picked while dictating; on the
        dictation's thread: :meth:`~dictation_app.core.stages.VoiceStage.switch_style`)."""
        self._switches[len(self.raw)] = self._style = style

    def _switch(self, state: _State, after: int, upto: int) -> None:
        for index in sorted(k for k in self._switches if after < k <= upto):
            state.style = self._switches[index]

    def _step(self, words: list[Word], i: int, state: _State) -> int:
        """Render what starts at ``words[i]``; the index after it, or ``-(i + 1)`` to hold from i."""
        found = self._command_at(words, i, state)
        if found == "hold":
            return -(i + 1)
        if found is not None:
            command, n = found
            self._apply(command, words[i : i + n], state)
            state.command_end = i + n
            state.last_command = True
            return i + n
        state.last_command = False
        if not words[i].text:
            return i + 1  # a word the vocabulary merged into the one before
        if i == 0 or i in self._ends or i == state.command_end:
            state.save("phrase")  # an undo point: a phrase begins at a pause or after a command
        if norm(words[i].text) == LITERAL and i + 1 < len(words):
            found = self._command_at(words, i + 1, state, literal=True)
            if found is not None and found != "hold":
                spoken = words[i + 1 : i + 1 + found[1]]
                lead = words[i].text[: len(words[i].text) - len(words[i].text.lstrip())]
                text = lead + " ".join(w.text.strip().strip(MARKS) for w in spoken) + _trailing_mark(spoken[-1])
                self._add(state, Word(words[i].start, spoken[-1].end, text, 1.0))
                return i + 1 + found[1]
        n, text = self._replacement_at(words, i)
        if n:
            self._add(
                state, Word(words[i].start, words[i + n - 1].end, " " + text + _trailing_mark(words[i + n - 1]), 1.0)
            )
            return i + n
        self._add(state, words[i])
        return i + 1

    def _apply(self, command: Command, spoken: list[Word], state: _State) -> None:
        state.fired.append(command.name)
        if command.action == "scratch":
            phrases = [n for n, entry in enumerate(state.undo) if entry[0] == "phrase"]
            if phrases:
                before = ("scratch", tuple(state.out), state.capitalize, state.glue)
                state.restore(phrases[-1])
                state.undo.append(before)
        elif command.action == "undo":
            if state.undo:
                state.restore(len(state.undo) - 1)
        elif command.action == "stop":
            state.stop = True
        elif command.action == "style":
            state.style = Style(command.text)
        else:
            state.save("command")
            if command.attach and state.out:
                last = state.out[-1]
                if command.replace_mark and not last.text.strip(MARKS + " "):
                    state.out.pop()  # a mark after a mark takes its place ("comma" heard twice, "comma period")
                elif command.replace_mark:
                    state.out[-1] = replace(last, text=last.text.rstrip(MARKS).rstrip(" "))
                else:
                    state.out[-1] = replace(last, text=last.text.rstrip(" "))
            text = command.text if state.out and not state.glue else command.text.lstrip(" ")
            state.out.append(Word(spoken[0].start, spoken[-1].end, text, 1.0))
            state.capitalize = command.capitalize_next and state.style.adds_capitals
            state.lower = command.replace_mark and not command.capitalize_next
            state.glue = command.glue_next

    def _add(self, state: _State, word: Word) -> None:
        text = word.text
        if state.glue or not state.out:
            text = text.lstrip()
        body = text.lstrip()
        if not state.style.keeps_marks:
            body = body.rstrip(MARKS)  # the decoder's punctuation; a mark said is a command's
            if not body:
                return
            text = text[: len(text) - len(text.lstrip())] + body
        before = state.out[-1].text if state.out else ""
        if state.capitalize:
            text = text[: len(text) - len(body)] + body[:1].upper() + body[1:]
        elif is_capitalised(body) and (state.lower or lowers_after(state.style, before)) and self._ordinary(body):
            text = text[: len(text) - len(body)] + body[:1].lower() + body[1:]  # "Good morning," + "The" -> "the"
        state.capitalize = state.lower = state.glue = False
        state.out.append(replace(word, text=text) if text != word.text else word)

    def _ordinary(self, word: str) -> bool:
        """Whether a capitalised word is an ordinary word (the model spells it in lower case
        as one token: "The", not "Anna" or "I")."""
        bare = word.strip(MARKS + "\"' ")
        return (
            self.is_common is not None
            and bare not in ("I", "I'm", "I'll", "I've", "I'd")
            and self.is_common(bare.lower())
        )

    # -- matching ---------------------------------------------------------------------------

    def _apart_after(self, words: list[Word], j: int) -> bool | None:
        """Whether the words before ``j`` are set apart from what follows; None: not known yet."""
        if j == len(words):
            return True if (self._final or j in self._ends) else None
        return j in self._ends or words[j].start - words[j - 1].end >= GAP_S or self._starts_command(words, j)

    def _starts_command(self, words: list[Word], j: int) -> bool:
        keys = [norm(w.text) for w in words[j : j + self._longest]]
        return any(tuple(keys[:n]) in self.table for n in range(1, len(keys) + 1))

    def _command_at(self, words: list[Word], i: int, state: _State, literal: bool = False):
        """(command, words it spans) at ``i``, "hold" while undecided, or None."""
        if state.style is Style.CODE and not literal:
            found = self._symbol_at(words, i)
            if found is not None:
                return found
        if not self.table:
            return None
        apart = i == 0 or i in self._ends or i == state.command_end or words[i].start - words[i - 1].end >= GAP_S
        if not (literal or apart):
            return None
        keys = [norm(w.text) for w in words[i : i + self._longest]]
        for n in range(len(keys), 0, -1):
            command = self.table.get(tuple(keys[:n]))
            if command is None:
                continue
            if literal:
                return command, n
            after = self._apart_after(words, i + n)
            if after is None:
                return "hold"
            if after:
                return command, n
        if not literal and tuple(keys) in self._prefixes and i + len(keys) == len(words):
            if not (self._final or len(words) in self._ends):
                return "hold"  # "new" at the end of what was heard: "new line" or a new word
        return None

    def _symbol_at(self, words: list[Word], i: int):
        """A code symbol said at ``i`` (no pause needed), "hold" while it may be one, or None."""
        keys = [norm(w.text) for w in words[i : i + 2]]
        if tuple(keys) in self._symbol_prefixes and i + len(keys) == len(words):
            if not (self._final or len(words) in self._ends):
                return "hold"  # "open" at the end of what was heard: "open paren" or a word
        for n in range(len(keys), 0, -1):
            command = self._symbols.get(tuple(keys[:n]))
            if command is not None:
                return command, n
        return None

    def _replacement_at(self, words: list[Word], i: int) -> tuple[int, str]:
        if not self.replacements:
            return 0, ""
        keys = [norm(w.text) for w in words[i : i + self._longest_replacement]]
        for n in range(len(keys), 0, -1):
            text = self.replacements.get(tuple(keys[:n]))
            if text is not None:
                return n, text
        return 0, ""


def _trailing_mark(word: Word) -> str:
    text = word.text.strip()
    return text[len(text.rstrip(MARKS)) :]


def apply_style(text: str, style: Style, is_common: Callable[[str], bool] | None = None) -> str:
    """``text`` (a recording heard whole: on-finish typing) written in ``style``; the same text
    in the sentence style. Its words are not commands: only the style's form changes."""
    if style is Style.SENTENCE or not text.strip():
        return text
    words = tuple(Word(0.0, 0.0, " " + w) for w in text.split())
    interpreter = VoiceInterpreter(VoiceOptions(commands=False, style=style), is_common)
    interpreter.feed([Commit(words)], final=True)
    return interpreter.text


def apply_to_transcript(transcript, options: VoiceOptions, is_common: Callable[[str], bool] | None = None):
    """A file transcript with the vocabulary's corrections and (when the user applies them to
    files) the replacements, segment by segment; never the spoken commands: a file is not
    dictation. The same transcript when there is nothing to apply."""
    voice = VoiceOptions(
        commands=False,
        vocabulary=options.vocabulary,
        replacements=options.replacements if options.replace_in_files else (),
    )
    if not voice.replacements and not voice.vocabulary:
        return transcript
    segments = []
    corrector = VocabularyCorrector(voice.vocabulary, is_common)  # (made once: 500 entries cost a few ms)
    for segment in transcript.segments:
        words = segment.words or [Word(segment.start, segment.end, " " + w) for w in segment.text.split()]
        interpreter = VoiceInterpreter(voice, is_common, corrector)
        interpreter.feed([Commit(tuple(words))], final=True)
        new = interpreter.words
        lead = words[0].text[: len(words[0].text) - len(words[0].text.lstrip())] if words else ""
        if new and lead and not new[0].text.startswith(lead):
            new[0] = replace(new[0], text=lead + new[0].text)  # words keep the decoder's spacing
        text = "".join(w.text for w in new).strip()
        segments.append(replace(segment, text=text, words=new if segment.words else []))
    return replace(transcript, segments=segments)
