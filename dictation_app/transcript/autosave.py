"""Autosave: every open document is kept on disk while it is open, so a crash loses nothing.

A document's file lives in the autosave folder from its first change until the user closes
it deliberately; whatever is still there at the next start was left by a crash (or a kill),
and is offered back. No Qt: the GUI decides when to save, this decides how.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dictation_app.errors import OutputError
from dictation_app.fileio import atomic_write, private_dir, user_data_dir

__all__ = ["AutosaveStore", "SavedDocument"]

PARTIAL_AGE_S = 60.0  # a partial write older than this was cut short (a save takes milliseconds)


@dataclass
class SavedDocument:
    """One autosaved document.

    Attributes:
        doc_id: Stable identifier (the file name).
        kind: "dictation" (plain text) or "transcript" (a transcript document).
        title: What the tab showed.
        content: The text of a dictation, or a transcript's dictionary (``Transcript.to_dict``).
        extra: Kind-specific fields (the dictation's session folder, the file it was saved to).
    """

    doc_id: str
    kind: str
    title: str
    content: Any
    extra: dict[str, Any] = field(default_factory=dict)


class AutosaveStore:
    """Keeps documents in ``folder`` (default: ``<user data>/autosave``)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder else user_data_dir() / "autosave"

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def save(self, doc: SavedDocument) -> None:
        """Write ``doc`` atomically. Raises OutputError (disk full, no permission)."""
        try:
            private_dir(self.folder)
        except OSError as exc:
            raise OutputError(f"Cannot create {self.folder}: {exc.strerror or exc}.") from None
        payload = {"kind": doc.kind, "title": doc.title, "content": doc.content, "extra": doc.extra}
        atomic_write(
            self.folder / f"{doc.doc_id}.json", json.dumps(payload, ensure_ascii=False).encode("utf-8"), private=True
        )

    def discard(self, doc_id: str) -> None:
        """The document's file, and any write of it a crash cut short, removed."""
        (self.folder / f"{doc_id}.json").unlink(missing_ok=True)
        for partial in self.folder.glob(f".{doc_id}.json.*.part"):
            partial.unlink(missing_ok=True)

    def left_over(self) -> list[SavedDocument]:
        """Documents a previous run did not close: what a crash left, oldest first. Writes a
        crash cut short (hidden ``.part`` files, never read back) are removed: they hold the
        user's words too, and the last whole save is the document."""
        if not self.folder.is_dir():
            return []
        for partial in self.folder.glob(".*.json.*.part"):
            with contextlib.suppress(OSError):
                if time.time() - partial.stat().st_mtime > PARTIAL_AGE_S:  # else a write in flight
                    partial.unlink()
        docs = []
        for path in sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                docs.append(
                    SavedDocument(path.stem, data["kind"], data["title"], data["content"], data.get("extra", {}))
                )
            except (OSError, ValueError, KeyError, TypeError):
                continue  # unreadable: left in place for a human, never deleted
        return docs
