"""History: every dictation and file transcript, kept in a local SQLite database (no Qt).

One row per dictation session and per file transcription (a re-transcription is a row of its
own that names its ``parent``), with its time, duration, model, language, where the text went,
the text, and the paths of its audio and transcript; full-text search with FTS5. The database
is ``<data>/history.sqlite3`` (WAL, owner-only); its schema version is SQLite's
``user_version``, and :data:`MIGRATIONS` brings an older file up to date.

The folders stay the source of truth: a dictation's session folder (audio and journal) and a
file transcript's JSON in ``<data>/transcripts``. The database indexes them, so a database that
is corrupt is moved aside and rebuilt from them (:mod:`dictation_app.core.history_files`), and a
fault in it never stops dictation or file transcription: writes raise :class:`HistoryError`,
which callers report and go on.

Each thread gets its own connection (sqlite3 connections are not shared between threads).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from dictation_app.errors import DictationError
from dictation_app.fileio import open_private, private_dir, user_data_dir

__all__ = ["DB_NAME", "Entry", "EntryState", "HistoryError", "HistoryStore", "default_history_path"]

DB_NAME = "history.sqlite3"
#: How long a write or read waits for another process's write (the CLI beside the window).
BUSY_TIMEOUT_S = 3.0


class HistoryError(DictationError):
    """The history database cannot be read or written (busy, disk full, unreadable)."""


class EntryState(str, Enum):
    """Where an entry stands (a ``str``: it compares equal to, and is stored as, its value)."""

    RECORDING = "recording"  # a dictation still running (or killed: see mark_interrupted)
    DONE = "done"
    INTERRUPTED = "interrupted"  # a dictation ended by a crash or a kill

    def __str__(self) -> str:
        return self.value


def default_history_path() -> Path:
    return user_data_dir() / DB_NAME


@dataclass
class Entry:
    """One history entry.

    Attributes:
        entry_id: Its row id.
        kind: "dictation" or "file".
        created: Unix time it began.
        duration: Seconds of audio (0 while unknown).
        model: The model that made its text.
        language: Language setting or detected language.
        destination: Where the text went: "editor", the target application's name, or "" (files).
        title: A short name (the file's name, or the dictation's time).
        text: The text, with the revisions the engine made.
        audio: Path of its audio ("" when none was kept).
        transcript: Path of its session folder (dictation) or transcript JSON (file).
        state: "recording" while a dictation runs, "done", or "interrupted" (ended by a crash).
        parent: The entry this one re-transcribes, or None.
        audio_missing: Its audio file was found gone (its text is kept).
    """

    entry_id: int
    kind: str
    created: float
    duration: float = 0.0
    model: str = ""
    language: str = ""
    destination: str = ""
    title: str = ""
    text: str = ""
    audio: str = ""
    transcript: str = ""
    state: EntryState = EntryState.DONE
    parent: int | None = None
    audio_missing: bool = False

    @property
    def summary(self) -> str:
        """One line: where the text went (or the file's name), length, model, and what is special."""
        parts = [
            self.title if self.kind == "file" else f"→ {self.destination or 'editor'}",
            f"{self.duration:.0f} s",
            self.model,
            f"version of #{self.parent}" if self.parent else "",
            "" if self.state == EntryState.DONE else str(self.state),
            "audio missing" if self.audio_missing else "",
        ]
        return " · ".join(p for p in parts if p)


_COLUMNS = (
    "id",
    "kind",
    "created",
    "duration",
    "model",
    "language",
    "destination",
    "title",
    "text",
    "audio",
    "transcript",
    "state",
    "parent",
    "audio_missing",
)

_SCHEMA_1 = """
CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    created REAL NOT NULL,
    duration REAL NOT NULL DEFAULT 0,
    model TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    destination TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    audio TEXT NOT NULL DEFAULT '',
    transcript TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'done',
    parent INTEGER REFERENCES entries(id) ON DELETE CASCADE,
    audio_missing INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX entries_created ON entries(created);
CREATE INDEX entries_parent ON entries(parent);
CREATE INDEX entries_transcript ON entries(transcript);
CREATE VIRTUAL TABLE entries_fts USING fts5(title, text, content='entries', content_rowid='id',
                                            tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
    INSERT INTO entries_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN
    INSERT INTO entries_fts(entries_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER entries_au AFTER UPDATE OF title, text ON entries BEGIN
    INSERT INTO entries_fts(entries_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO entries_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
"""

#: ``MIGRATIONS[n]`` takes a database at schema version ``n`` to ``n + 1``.
MIGRATIONS: tuple[str, ...] = (_SCHEMA_1,)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryStore:
    """The history database at ``path`` (default: ``<data>/history.sqlite3``).

    Opening never raises for a corrupt file: it is moved aside (``history.sqlite3.corrupt-<time>``),
    a new database is made, and :attr:`problem` says so; :attr:`rebuilt` is then True, and the
    caller refills it from the folders (:func:`~dictation_app.core.history_files.open_history`),
    as it does when :attr:`created` says the file is new.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else default_history_path()
        self.problem: str | None = None
        self.created = not self.path.exists()  # new: the folders from before it are imported
        self.rebuilt = False
        self._local = threading.local()
        self._open_checked()

    # -- connections ----------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        private_dir(self.path.parent)
        open_private(self.path, "ab").close()  # owner-only before SQLite opens it; its -wal and -shm take its mode
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        _set_wal(db)
        db.execute("PRAGMA synchronous=NORMAL")  # in WAL: a killed process loses nothing committed
        db.execute("PRAGMA foreign_keys=ON")
        return db

    @property
    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = self._local.db = self._connect()
            except (OSError, sqlite3.OperationalError) as exc:  # a corrupt file is the caller's to handle
                raise HistoryError(f"Cannot open the history database {self.path}: {_reason(exc)}.") from None
        return db

    def _open_checked(self) -> None:
        """Open, migrate, and check the file; a corrupt one is moved aside and replaced."""
        try:
            self._migrate(self.db)
            if self.db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("integrity check failed")
        except sqlite3.OperationalError as exc:  # busy, read-only, disk I/O: not the file's fault
            self.problem = f"The history database {self.path} cannot be used now: {_reason(exc)}."
        except sqlite3.DatabaseError as exc:  # not a database, malformed: moved aside
            self.close()
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.replace(f"{self.path}{suffix}", f"{aside}{suffix}")
                except FileNotFoundError:
                    pass
                except OSError:
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self.problem = (
                f"The history database could not be read ({exc}); it was moved to {aside} and "
                "is rebuilt from the recordings and transcripts."
            )
            self.rebuilt = True
            self._migrate(self.db)
        except HistoryError as exc:
            self.problem = str(exc)

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        """Bring the schema up to date; the version is read again under the write lock, so two
        processes opening a new database at once do not both create it."""
        if _schema_version(db) == SCHEMA_VERSION:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            for step in range(_schema_version(db), SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[step]):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- writing --------------------------------------------------------------------------

    def _write(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, params)
        except sqlite3.Error as exc:
            raise HistoryError(f"Cannot write to the history database: {_reason(exc)}.") from None

    def add(self, entry: Entry) -> int:
        """Insert ``entry`` (its ``entry_id`` is ignored); returns the new id."""
        values = _values(entry)[1:]
        cursor = self._write(
            f"INSERT INTO entries ({', '.join(_COLUMNS[1:])}) VALUES ({', '.join('?' * len(values))})", values
        )
        entry.entry_id = cursor.lastrowid
        return entry.entry_id

    def update(self, entry_id: int, **fields) -> None:
        """Change some fields of an entry (``text=``, ``duration=``, ``state=`` ...)."""
        unknown = set(fields) - set(_COLUMNS[1:])
        if unknown:
            raise ValueError(f"unknown fields {unknown}")
        sets = ", ".join(f"{name} = ?" for name in fields)
        self._write(f"UPDATE entries SET {sets} WHERE id = ?", (*fields.values(), entry_id))

    def delete(self, entry_id: int) -> list[Entry]:
        """Remove an entry and its re-transcriptions from the database; returns what was removed
        (the caller removes their files: :func:`~dictation_app.core.history_files.delete_entry`)."""
        removed = [
            _entry(r)
            for r in self._read(
                f"SELECT {', '.join(_COLUMNS)} FROM entries WHERE id = ? OR parent = ?", (entry_id, entry_id)
            )
        ]
        self._write("DELETE FROM entries WHERE id = ? OR parent = ?", (entry_id, entry_id))
        return removed

    def interrupted(self) -> int:
        """Mark dictations left "recording" by a crash or a kill as interrupted (at start); one
        another process is still recording (its recorder holds a lock on the audio) stays."""
        from dictation_app.audio.recorder import is_recording

        ended = [
            (row[0],)
            for row in self._read("SELECT id, audio FROM entries WHERE state = 'recording'")
            if not is_recording(Path(row[1]))
        ]
        try:
            self.db.executemany("UPDATE entries SET state = 'interrupted' WHERE id = ?", ended)
        except sqlite3.Error as exc:
            raise HistoryError(f"Cannot write to the history database: {_reason(exc)}.") from None
        return len(ended)

    def transaction(self) -> _Transaction:
        """``with store.transaction():`` many writes at once (an import)."""
        return _Transaction(self)

    # -- reading --------------------------------------------------------------------------

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return self.db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:  # (a query from fts_query is never a syntax error)
            raise HistoryError(f"Cannot read the history database: {_reason(exc)}.") from None

    def get(self, entry_id: int) -> Entry | None:
        rows = self._read(f"SELECT {', '.join(_COLUMNS)} FROM entries WHERE id = ?", (entry_id,))
        return _entry(rows[0]) if rows else None

    def versions(self, entry_id: int) -> list[Entry]:
        """The entry an id belongs to first, then its re-transcriptions, oldest first."""
        entry = self.get(entry_id)
        if entry is None:
            return []
        root = entry.parent or entry.entry_id
        rows = self._read(
            f"SELECT {', '.join(_COLUMNS)} FROM entries WHERE id = ? OR parent = ? "
            "ORDER BY parent IS NOT NULL, created, id",
            (root, root),
        )
        return [_entry(r) for r in rows]

    def search(
        self,
        query: str = "",
        since: float | None = None,
        limit: int | None = None,
        before: tuple[float, int] | None = None,
    ) -> list[Entry]:
        """Entries, newest first, whose text or title match every word of ``query`` (as prefixes:
        typing "kub" finds "Kubernetes"); ``before=(created, id)`` pages on from a last row."""
        where, params = [], []
        if query.strip():
            where.append("id IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)")
            params.append(fts_query(query))
        if since is not None:
            where.append("created >= ?")
            params.append(since)
        if before is not None:
            where.append("(created < ? OR (created = ? AND id < ?))")
            params += [before[0], before[0], before[1]]
        sql = f"SELECT {', '.join(_COLUMNS)} FROM entries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created DESC, id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_entry(r) for r in self._read(sql, tuple(params))]

    def count(self) -> int:
        return self._read("SELECT count(*) FROM entries")[0][0]

    def by_transcript(self, path: str) -> Entry | None:
        rows = self._read(f"SELECT {', '.join(_COLUMNS)} FROM entries WHERE transcript = ?", (path,))
        return _entry(rows[0]) if rows else None

    def all(self) -> Iterator[Entry]:
        yield from (_entry(r) for r in self._read(f"SELECT {', '.join(_COLUMNS)} FROM entries ORDER BY created, id"))


class _Transaction:
    def __init__(self, store: HistoryStore) -> None:
        self.store = store

    def __enter__(self) -> HistoryStore:
        self.store._write("BEGIN IMMEDIATE")
        return self.store

    def __exit__(self, kind, value, traceback) -> None:
        self.store._write("COMMIT" if kind is None else "ROLLBACK")


def fts_query(text: str) -> str:
    """A user's words as an FTS5 query: every word must occur, each as a prefix; quotes and
    operators typed by the user are taken as text. A word with punctuation inside is a phrase
    of its pieces ("one's" is "one" then "s"), and a one-letter last piece after punctuation
    is whole, not a prefix: "one's" finds "one's", not every "one" beside a word in s."""
    phrases = []
    for word in text.split():
        pieces = "".join(c if c.isalnum() else " " for c in word).split()
        if pieces:
            whole = len(pieces) > 1 and len(pieces[-1]) == 1
            phrases.append(f'"{" ".join(pieces)}"' + ("" if whole else "*"))
    return " ".join(phrases) or '""'


def _set_wal(db: sqlite3.Connection) -> None:
    """WAL mode; on a new file that another process is creating at the same moment SQLite
    answers "locked" at once, without its busy handler, so this waits as the handler would."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                db.close()
                raise
            time.sleep(0.05)


def _schema_version(db: sqlite3.Connection) -> int:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise HistoryError(f"The history database was written by a newer version (schema {version}).")
    return version


def _statements(script: str) -> list[str]:
    """A migration script split into statements (triggers keep their bodies whole)."""
    statements, current = [], ""
    for line in script.strip().splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements


def _values(entry: Entry) -> tuple:
    return (
        entry.entry_id,
        entry.kind,
        entry.created,
        entry.duration,
        entry.model,
        entry.language,
        entry.destination,
        entry.title,
        entry.text,
        entry.audio,
        entry.transcript,
        str(entry.state),
        entry.parent,
        int(entry.audio_missing),
    )


def _entry(row: tuple) -> Entry:
    entry = Entry(*row[:13], audio_missing=bool(row[13]))
    try:
        entry.state = EntryState(entry.state)
    except ValueError:
        pass  # a state a newer version wrote: shown as it is
    return entry


def _reason(exc: BaseException) -> str:
    text = str(getattr(exc, "strerror", None) or exc)
    if "full" in text.lower():
        return "the disk is full"
    if "locked" in text.lower() or "busy" in text.lower():
        return "it is busy (another dictation-app process is writing); try again"
    return text
