"""A dictation's history entry, kept up to date as a dictation stage (no Qt)."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.audio.recorder import AUDIO_NAME
from dictation_app.core.history import Entry, EntryState, HistoryError, HistoryStore
from dictation_app.core.history_files import session_sidecar
from dictation_app.core.stages import Step
from dictation_app.engine.events import StreamError, StreamEvent
from dictation_app.engine.ledger import CommitLedger

__all__ = ["DictationHistory"]


class DictationHistory:
    """A dictation's history entry: made when it starts, its text updated at each commit (so a
    crash or ``kill -9`` leaves an entry with every committed word), closed when it ends.

    The history never stops a dictation: the first failure to write is reported once as a
    :class:`StreamError` (the recording and its journal go on), later ones are skipped.
    """

    def __init__(self, store: HistoryStore, model: str, language: str, destination: str = "editor") -> None:
        self.store, self.model, self.language, self.destination = store, model, language, destination
        self.entry_id: int | None = None
        self.ledger = CommitLedger()
        self._failed = False

    def begin(self, folder: Path | None) -> list[StreamEvent]:
        """Make the entry (state "recording"); a failure is reported with the dictation's first events."""
        if folder is None:
            return []
        destination = self.destination
        session_sidecar(Path(folder), destination)
        now = time.time()
        entry = Entry(
            0,
            "dictation",
            now,
            0.0,
            self.model,
            self.language,
            destination,
            datetime.fromtimestamp(now).strftime("Dictation %H:%M"),
            "",
            str(Path(folder) / AUDIO_NAME),
            str(folder),
            EntryState.RECORDING.value,
        )
        problems = self._write(lambda: self.store.add(entry))
        self.entry_id = entry.entry_id or None
        return problems

    def feed(self, events: list[StreamEvent], step: Step) -> list[StreamEvent]:
        """Bring the entry up to date with a step's events; a problem is added as a StreamError."""
        changed = False
        for event in events:
            changed = self.ledger.apply(event) is not None or changed
        if self.entry_id is None or not (changed or step.ended):
            return events
        fields = {"text": self.ledger.text, "duration": step.samples / SAMPLE_RATE}
        if step.ended:
            fields["state"] = EntryState.DONE.value
        return events + self._write(lambda: self.store.update(self.entry_id, **fields))

    def set_destination(self, destination: str) -> None:
        """Say where the text went after all (a target that refused it: the text is kept here)."""
        if self.entry_id is not None:
            self._write(lambda: self.store.update(self.entry_id, destination=destination))

    def _write(self, action) -> list[StreamEvent]:
        if self._failed:
            return []
        try:
            action()
        except HistoryError as exc:
            self._failed = True
            return [StreamError(f"{exc} The recording and its text are kept in the session folder.")]
        return []
