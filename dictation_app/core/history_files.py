"""The history's files: what each entry keeps on disk, and the database rebuilt from them (no Qt).

A dictation keeps its session folder (``audio.wav``, ``transcript.jsonl``, ``session.json``,
see :mod:`dictation_app.audio.recorder`); a file transcription keeps its transcript as
``<data>/transcripts/<time>-<name>.json``. Beside each, a small ``history.json`` (in the session
folder) or ``<name>.history.json`` says what the database row does not get from the file itself:
where the text went and which entry a re-transcription belongs to. That is all
:func:`rebuild` needs to recreate the database, and all :func:`import_folders` reads to bring in
folders from before the database.

Deleting an entry removes what the app made for it (its session folder, its transcript and
autosave copies); a transcribed file of the user's own is never deleted.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dictation_app.audio.recorder import AUDIO_NAME, JOURNAL_NAME, default_sessions_dir, load_session
from dictation_app.core.history import Entry, EntryState, HistoryError, HistoryStore
from dictation_app.errors import OutputError
from dictation_app.fileio import atomic_write, private_dir, user_data_dir
from dictation_app.transcript import Transcript

__all__ = [
    "ImportReport",
    "apply_retention",
    "default_transcripts_dir",
    "delete_entry",
    "entry_transcript",
    "import_folders",
    "open_history",
    "rebuild",
    "retranscribe",
    "save_file_transcript",
    "session_sidecar",
]

SIDECAR_NAME = "history.json"


def default_transcripts_dir() -> Path:
    return user_data_dir() / "transcripts"


@dataclass
class ImportReport:
    added: int = 0
    skipped: int = 0  # already in the database
    unreadable: int = 0


def open_history(path: Path | None = None) -> HistoryStore:
    """The history database, made ready: a new one (the first start of a version with history,
    or one rebuilt after corruption) is filled from the folders; dictations a crash left
    "recording" are marked interrupted."""
    store = HistoryStore(path)
    if store.problem and not store.rebuilt:
        return store
    try:
        if store.created or store.rebuilt:
            import_folders(store)
        store.interrupted()
    except (HistoryError, OSError) as exc:
        store.problem = store.problem or str(exc)
    return store


# -- writing entries ----------------------------------------------------------------------


def session_sidecar(folder: Path, destination: str) -> None:
    """Note where a dictation's text went in its session folder (read back by :func:`rebuild`)."""
    try:
        atomic_write(Path(folder) / SIDECAR_NAME, json.dumps({"destination": destination}).encode(), private=True)
    except OutputError:
        pass  # the database row has it; only a rebuild would miss it


def save_file_transcript(
    store: HistoryStore, transcript: Transcript, parent: Entry | None = None, folder: Path | None = None
) -> Entry:
    """Keep a file's transcript (or a re-transcription of ``parent``) and add its entry.

    Raises:
        HistoryError: the transcript or the entry cannot be written (the transcript in hand
            is still the caller's to show).
    """
    folder = Path(folder) if folder else default_transcripts_dir()
    source = Path(transcript.metadata.source) if transcript.metadata.source else None
    stem = (source.stem if source else "transcript")[:60]
    if parent is not None:  # named after the first version and the model of this one
        stem = f"{Path(parent.transcript).stem[:60]}-{Path(transcript.metadata.model or 'model').name}"
    path = folder / f"{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}-{stem}.json"
    sidecar = {
        "kind": parent.kind if parent else "file",
        "destination": "",
        "parent": parent.transcript if parent else "",
    }
    try:
        private_dir(folder)
        atomic_write(path, transcript.to_json().encode("utf-8"), private=True)
        atomic_write(_sidecar_of(path), json.dumps(sidecar).encode(), private=True)
    except (OSError, OutputError) as exc:
        raise HistoryError(f"Cannot keep the transcript in {folder}: {getattr(exc, 'strerror', None) or exc}") from None
    entry = _file_entry(transcript, path, sidecar, parent)
    store.add(entry)
    return entry


def _sidecar_of(transcript_path: Path) -> Path:
    return transcript_path.with_name(transcript_path.stem + ".history.json")


def _file_entry(transcript: Transcript, path: Path, sidecar: dict, parent: Entry | None) -> Entry:
    meta = transcript.metadata
    try:
        created = datetime.fromisoformat(meta.created).timestamp()
    except (TypeError, ValueError):
        created = path.stat().st_mtime if path.exists() else time.time()
    title = Path(meta.source).name if meta.source else path.stem
    if parent is not None:
        title = parent.title
    return Entry(
        0,
        sidecar.get("kind") or "file",
        created,
        meta.duration,
        meta.model,
        meta.language,
        sidecar.get("destination", "") if parent is None else parent.destination,
        title,
        transcript.text,
        meta.source,
        str(path),
        EntryState.DONE,
        parent.entry_id if parent else None,
        audio_missing=bool(meta.source) and not Path(meta.source).exists(),
    )


def entry_transcript(entry: Entry) -> Transcript:
    """An entry's timestamped transcript, from its kept files.

    Raises:
        HistoryError: the files are gone or unreadable (the entry's text is still in the database).
    """
    try:
        if entry.kind == "dictation" and entry.parent is None:
            return load_session(Path(entry.transcript))
        return Transcript.from_json(Path(entry.transcript).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HistoryError(
            f"The transcript of this entry cannot be read ({getattr(exc, 'strerror', None) or exc}); "
            "its text is still in the history."
        ) from None


# -- bringing folders in ------------------------------------------------------------------


def import_folders(store: HistoryStore, sessions: Path | None = None, transcripts: Path | None = None) -> ImportReport:
    """Add every session folder and kept transcript that has no entry yet (idempotent)."""
    report = ImportReport()
    sessions = Path(sessions) if sessions else default_sessions_dir()
    transcripts = Path(transcripts) if transcripts else default_transcripts_dir()
    pending: list[tuple[Path, dict]] = []
    with store.transaction():
        for folder in sorted(p for p in sessions.glob("*") if (p / JOURNAL_NAME).exists()) if sessions.is_dir() else []:
            if store.by_transcript(str(folder)) is not None:
                report.skipped += 1
                continue
            try:
                store.add(_session_entry(folder))
                report.added += 1
            except (OSError, ValueError, TypeError, KeyError):
                report.unreadable += 1
        names = (
            sorted(p for p in transcripts.glob("*.json") if not p.name.endswith(".history.json"))
            if transcripts.is_dir()
            else []
        )
        for path in names:
            if store.by_transcript(str(path)) is not None:
                report.skipped += 1
                continue
            try:
                sidecar = (
                    json.loads(_sidecar_of(path).read_text(encoding="utf-8")) if _sidecar_of(path).exists() else {}
                )
                transcript = Transcript.from_json(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, TypeError, KeyError):
                report.unreadable += 1
                continue
            pending.append((path, sidecar))
            store.add(_file_entry(transcript, path, sidecar, None))
            report.added += 1
        for path, sidecar in pending:  # re-transcriptions find their first version
            parent = store.by_transcript(sidecar.get("parent") or "")
            if parent is not None:
                store.update(
                    store.by_transcript(str(path)).entry_id,
                    parent=parent.entry_id,
                    kind=parent.kind,
                    title=parent.title,
                    destination=parent.destination,
                )
    return report


def _session_entry(folder: Path) -> Entry:
    transcript = load_session(folder)
    meta = transcript.metadata
    try:
        created = datetime.strptime(folder.name[:15], "%Y%m%d-%H%M%S").timestamp()
    except ValueError:
        created = folder.stat().st_mtime
    sidecar = folder / SIDECAR_NAME
    destination = json.loads(sidecar.read_text(encoding="utf-8")).get("destination", "") if sidecar.exists() else ""
    audio = folder / AUDIO_NAME
    return Entry(
        0,
        "dictation",
        created,
        meta.duration,
        meta.model,
        meta.language,
        destination,
        datetime.fromtimestamp(created).strftime("Dictation %H:%M"),
        transcript.text,
        str(audio),
        str(folder),
        EntryState.DONE,
        None,
        audio_missing=not audio.exists(),
    )


def rebuild(store: HistoryStore, sessions: Path | None = None, transcripts: Path | None = None) -> ImportReport:
    """Recreate every entry from the folders (``dictation-app history rebuild``)."""
    with store.transaction():
        store._write("DELETE FROM entries")
    return import_folders(store, sessions, transcripts)


# -- removing -----------------------------------------------------------------------------


def delete_entry(store: HistoryStore, entry_id: int, autosave_folder: Path | None = None) -> list[str]:
    """Delete an entry with its re-transcriptions and everything the app kept for them: the
    session folder (audio, journal), kept transcripts, and autosaved copies. Returns problems
    as sentences (a file that could not be removed); the user's own media files stay.

    Raises:
        HistoryError: the entry is a dictation still being recorded, or the database cannot be written.
    """
    entry = store.get(entry_id)
    if entry is not None and entry.state == EntryState.RECORDING:
        raise HistoryError("This dictation is still being recorded; stop it before deleting it.")
    problems = []
    kept_roots = (default_sessions_dir().resolve(), default_transcripts_dir().resolve())
    for entry in store.delete(entry_id):
        path = Path(entry.transcript) if entry.transcript else None
        if path is None or not any(path.resolve().is_relative_to(root) for root in kept_roots):
            continue
        marks = _autosave_marks(entry, path)
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
                _sidecar_of(path).unlink(missing_ok=True)
        except OSError as exc:
            problems.append(f"Cannot remove {path}: {exc.strerror or exc}.")
        problems += _discard_autosaves(marks, autosave_folder)
    return problems


def _autosave_marks(entry: Entry, path: Path) -> set[tuple[str, str]]:
    """What an autosaved copy of an entry's text carries: the dictation editor's session
    folder, or a transcript's source and creation time."""
    if path.is_dir():
        return {("session", str(path)), ("source", str(path / AUDIO_NAME))}
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        return {("transcript", f"{meta.get('source')}|{meta.get('created')}")}
    except (OSError, ValueError, AttributeError):
        return set()


def _discard_autosaves(marks: set[tuple[str, str]], folder: Path | None) -> list[str]:
    folder = Path(folder) if folder else user_data_dir() / "autosave"
    problems = []
    for path in folder.glob("*.json") if folder.is_dir() and marks else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            content = data.get("content")
            meta = content.get("metadata", {}) if isinstance(content, dict) else {}
            found = {
                ("session", data.get("extra", {}).get("session", "")),
                ("source", meta.get("source", "")),
                ("transcript", f"{meta.get('source')}|{meta.get('created')}"),
            }
            if found & marks:
                path.unlink()
        except (OSError, ValueError, AttributeError) as exc:
            problems.append(f"Cannot check the autosave {path}: {getattr(exc, 'strerror', None) or exc}.")
    return problems


def apply_retention(store: HistoryStore, keep_days: int = 0, max_mb: float = 0) -> int:
    """Delete entries older than ``keep_days`` and, oldest first, those past ``max_mb`` of kept
    audio and transcripts (0: no limit). Returns how many entries were deleted."""
    deleted = 0
    entries = [e for e in store.all() if e.parent is None]  # oldest first
    if keep_days > 0:
        cutoff = time.time() - keep_days * 86400
        for entry in [e for e in entries if e.created < cutoff and e.state != EntryState.RECORDING]:
            delete_entry(store, entry.entry_id)
            deleted += 1
        entries = [e for e in entries if e.created >= cutoff or e.state == EntryState.RECORDING]
    if max_mb > 0:
        sizes = [(e, _kept_bytes(e)) for e in entries]
        total = sum(size for _, size in sizes)
        for entry, size in sizes:
            if total <= max_mb * 1024 * 1024 or entry.state == EntryState.RECORDING:
                break
            delete_entry(store, entry.entry_id)
            total -= size
            deleted += 1
    return deleted


def _kept_bytes(entry: Entry) -> int:
    path = Path(entry.transcript)
    try:
        if path.is_dir():
            return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
        return path.stat().st_size if path.exists() else 0
    except OSError:
        return 0


# -- transcribing again -------------------------------------------------------------------


def retranscribe(store: HistoryStore, entry: Entry, transcriber, options=None, cancel=None, on_progress=None) -> Entry:
    """Transcribe an entry's kept audio again (with another model or settings), keeping both
    versions: the new transcript is an entry of its own whose ``parent`` is the first version.

    Args:
        transcriber: A :class:`~dictation_app.engine.transcriber.FileTranscriber` with the model to use.
        options: Its :class:`~dictation_app.engine.transcriber.TranscribeOptions`.
        cancel: A threading.Event that stops it.
        on_progress: Called with the fraction done.

    Raises:
        HistoryError: the audio is gone (the entry is marked, its text kept) or cannot be decoded.
        TranscriptionCancelled: ``cancel`` was set.
    """
    from dictation_app.errors import AudioDecodeError

    root = store.versions(entry.entry_id)[0] if entry.parent else entry
    audio = Path(root.audio) if root.audio else None
    if audio is None or not audio.exists():
        store.update(root.entry_id, audio_missing=1)
        raise HistoryError(f"The audio of this entry is gone ({root.audio or 'none was kept'}); its text is kept.")
    try:
        job = transcriber.start(audio, options, cancel)
        for step in job:
            if on_progress is not None:
                on_progress(step.fraction)
    except AudioDecodeError as exc:
        raise HistoryError(f"The audio of this entry cannot be read again: {exc}") from None
    return save_file_transcript(store, job.transcript, parent=root)
