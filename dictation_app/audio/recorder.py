"""Crash-safe session recording: the audio as it arrives, and the committed words beside it.

A session folder holds ``audio.wav`` (16 kHz mono 16-bit; the header is rewritten after
every block, so the file is valid at any instant) and ``transcript.jsonl`` (one JSON line
per commit; a revision of the last commits, when an utterance was heard whole, is a line
``{"revise": N, "words": [...]}`` that replaces the last N words). Both are flushed to disk at
least every second, so a crash or power loss loses at most a second of audio and no committed
text. ``dictation-app transcribe audio.wav`` re-transcribes a session offline;
:func:`load_session` rebuilds its live transcript.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import wave
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import numpy as np

from dictation_app.audio.decode import SAMPLE_RATE
from dictation_app.errors import RecordingError
from dictation_app.fileio import PRIVATE_DIR_MODE, open_private, private_dir, user_data_dir
from dictation_app.transcript import Segment, Transcript, TranscriptMetadata, Word

__all__ = ["SessionRecorder", "default_sessions_dir", "is_recording", "load_session", "new_session_dir"]

AUDIO_NAME = "audio.wav"
JOURNAL_NAME = "transcript.jsonl"
META_NAME = "session.json"
FLUSH_EVERY_S = 1.0


def default_sessions_dir() -> Path:
    return user_data_dir() / "sessions"


def new_session_dir(root: Path | None = None) -> Path:
    """A new, owner-only session folder (0700, in an owner-only sessions folder)."""
    root = root or default_sessions_dir()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(100):
        folder = root / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            private_dir(root)
            folder.mkdir(PRIVATE_DIR_MODE)
            os.chmod(folder, PRIVATE_DIR_MODE)
            return folder
        except FileExistsError:
            continue
        except OSError as exc:
            raise RecordingError(f"Cannot create the session folder {folder}: {exc.strerror or exc}.") from None
    raise RecordingError(f"Cannot create a session folder in {root}.")


class SessionRecorder:
    """Appends audio and committed words to a session folder.

    A write error (disk full) raises :class:`RecordingError` once; what was written stays
    readable, and later writes are ignored so the caller can keep dictating.
    """

    def __init__(self, folder: Path, model: str = "", language: str = "") -> None:
        self.folder = Path(folder)
        self.failed: str | None = None
        self.samples_written = 0
        self._last_sync = time.monotonic()
        try:
            self._audio_file = open_private(self.folder / AUDIO_NAME, "wb")
            # Held while recording: the history tells a running dictation from one a crash ended.
            fcntl.flock(self._audio_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._wav = wave.open(self._audio_file, "wb")
            self._wav.setnchannels(1)
            self._wav.setsampwidth(2)
            self._wav.setframerate(SAMPLE_RATE)
            self._journal = open_private(self.folder / JOURNAL_NAME, "a", encoding="utf-8")
            meta = TranscriptMetadata(source=str(self.folder / AUDIO_NAME), model=model, language=language)
            with open_private(self.folder / META_NAME, "w", encoding="utf-8") as f:
                f.write(json.dumps(asdict(meta)))
        except OSError as exc:
            raise RecordingError(f"Cannot start recording in {self.folder}: {exc.strerror or exc}.") from None

    @property
    def audio_path(self) -> Path:
        return self.folder / AUDIO_NAME

    def write_audio(self, block: np.ndarray) -> None:
        if self.failed or not len(block):
            return
        pcm = (np.clip(block, -1.0, 1.0) * 32767).astype("<i2")
        self._guard(lambda: self._wav.writeframes(pcm.tobytes()))
        self.samples_written += len(block)
        if time.monotonic() - self._last_sync >= FLUSH_EVERY_S:
            self.sync()

    def journal_words(self, words) -> None:
        """Append committed words; synced at once, since text is what a user can't redo."""
        if self.failed or not words:
            return
        self._journal_line(json.dumps(_rows(words), ensure_ascii=False))

    def journal_revision(self, count: int, words) -> None:
        """Record that the last ``count`` journaled words became ``words``."""
        if self.failed:
            return
        self._journal_line(json.dumps({"revise": count, "words": _rows(words)}, ensure_ascii=False))

    def _journal_line(self, line: str) -> None:
        self._guard(lambda: (self._journal.write(line + "\n"), self._journal.flush(), os.fsync(self._journal.fileno())))

    def sync(self) -> None:
        if self.failed:
            return
        self._guard(lambda: (self._audio_file.flush(), os.fsync(self._audio_file.fileno())))
        self._last_sync = time.monotonic()

    def close(self) -> None:
        for closer in (self._wav.close, self._audio_file.close, self._journal.close):
            try:
                closer()
            except OSError:
                pass

    def _guard(self, action) -> None:
        try:
            action()
        except OSError as exc:
            self.failed = (
                f"Recording stopped: cannot write to {self.folder} ({exc.strerror or exc}). "
                "Audio and text up to now are kept."
            )
            raise RecordingError(self.failed) from None


def is_recording(audio: Path) -> bool:
    """Whether a :class:`SessionRecorder` (in any process) is still writing ``audio``."""
    try:
        with open(audio, "rb") as f:
            fcntl.flock(f.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    return False


def _rows(words) -> list[list]:
    return [[w.start, w.end, w.text, w.probability] for w in words]


def load_session(folder: Path) -> Transcript:
    """The live transcript of a session: one segment per journaled commit (a revised
    utterance is one segment)."""
    folder = Path(folder)
    commits: list[list[Word]] = []
    with open(folder / JOURNAL_NAME, encoding="utf-8") as f:
        for line in f:
            try:
                entry = json.loads(line)
                revise = entry["revise"] if isinstance(entry, dict) else 0
                words = [Word(*w) for w in (entry["words"] if isinstance(entry, dict) else entry)]
            except (ValueError, TypeError, KeyError):
                continue  # a line cut by a crash: everything before it is intact
            _drop_last_words(commits, revise)
            if words:
                commits.append(words)
    segments = [Segment(w[0].start, w[-1].end, "".join(x.text for x in w).strip(), w) for w in commits if w]
    duration = 0.0
    try:
        with wave.open(str(folder / AUDIO_NAME), "rb") as w:
            duration = w.getnframes() / w.getframerate()
    except (OSError, EOFError, wave.Error):
        pass
    try:
        meta = TranscriptMetadata(**json.loads((folder / META_NAME).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        meta = TranscriptMetadata(source=str(folder / AUDIO_NAME))
    meta.duration = duration
    return Transcript(segments, meta)


def _drop_last_words(commits: list[list[Word]], count: int) -> None:
    while count > 0 and commits:
        last = commits[-1]
        if len(last) <= count:
            count -= len(commits.pop())
        else:
            del last[len(last) - count :]
            count = 0
