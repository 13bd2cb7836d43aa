"""Crash-safe recording and the session loop's fault handling."""

import os
import wave

import numpy as np
import pytest

from dictation_app.audio.recorder import SessionRecorder, load_session, new_session_dir
from dictation_app.audio.sources import FileSource
from dictation_app.engine.backend import WhisperBackend
from dictation_app.engine.session import LiveSession
from dictation_app.engine.streaming import Commit, StreamError, StreamingOptions, StreamingTranscriber, apply_committed
from dictation_app.errors import AudioDeviceError, RecordingError
from dictation_app.transcript import Word


def test_audio_and_words_survive_a_crash(tmp_path):
    recorder = SessionRecorder(new_session_dir(tmp_path))
    tone = (0.2 * np.sin(np.arange(48_000) / 5)).astype(np.float32)
    recorder.write_audio(tone)
    recorder.journal_words([Word(0.1, 0.5, " hello", 0.9), Word(0.5, 0.9, " world", 0.8)])
    recorder.sync()
    # No close(): the process "dies" here. The files on disk are still complete.
    with wave.open(str(recorder.audio_path), "rb") as w:
        assert w.getnframes() == 48_000 and w.getframerate() == 16_000
        samples = np.frombuffer(w.readframes(48_000), "<i2") / 32767
    np.testing.assert_allclose(samples, tone, atol=1e-4)
    transcript = load_session(recorder.folder)
    assert transcript.text == "hello world" and transcript.metadata.duration == pytest.approx(3.0)


def test_a_revised_utterance_replaces_its_commits_in_the_journal(tmp_path):
    recorder = SessionRecorder(new_session_dir(tmp_path))
    recorder.journal_words([Word(0.0, 0.4, " Before.", 1.0)])
    recorder.journal_words([Word(1.0, 1.2, " he", 0.9), Word(1.2, 1.5, " hope", 0.9)])
    recorder.journal_words([Word(1.5, 1.7, " it", 0.9)])
    recorder.journal_revision(
        3, [Word(1.0, 1.2, " He", 0.9), Word(1.2, 1.5, " hoped", 0.9), Word(1.5, 1.7, " it.", 0.9)]
    )
    recorder.journal_words([Word(3.0, 3.4, " After", 0.9)])
    recorder.close()
    transcript = load_session(recorder.folder)
    assert transcript.text == "Before. He hoped it. After"
    assert [s.text for s in transcript.segments] == ["Before.", "He hoped it.", "After"]


def test_a_journal_line_cut_by_a_crash_loses_only_itself(tmp_path):
    recorder = SessionRecorder(new_session_dir(tmp_path))
    recorder.journal_words([Word(0.0, 0.4, " kept", 1.0)])
    recorder.close()
    with open(recorder.folder / "transcript.jsonl", "a", encoding="utf-8") as f:
        f.write('[[0.5, 0.9, " half')
    assert load_session(recorder.folder).text == "kept"


def test_full_disk_is_reported_once_and_dictation_goes_on(tmp_path, model, data_dir):
    folder = new_session_dir(tmp_path)
    os.symlink("/dev/full", folder / "audio.wav")  # every write fails with ENOSPC
    recorder = SessionRecorder(folder)
    options = StreamingOptions()
    source = FileSource(data_dir / "jfk.flac", block_s=0.5)
    session = LiveSession(source, StreamingTranscriber(WhisperBackend(model, options), options), lambda: recorder)
    events = list(session.run())
    errors = [e.message for e in events if isinstance(e, StreamError)]
    assert len(errors) == 1 and "No space left on device" in errors[0] and "kept" in errors[0]
    assert "fellow Americans" in " ".join(e.text for e in events if isinstance(e, Commit))


class VanishingSource(FileSource):
    """A file source whose 'device' is unplugged after a few seconds."""

    def read(self, timeout=None):
        if self.position > 6 * 16_000:
            raise AudioDeviceError("The input device 'USB mic' stopped delivering audio (unplugged?).")
        return super().read(timeout)


def test_unplugged_device_keeps_text_and_audio_and_can_restart(tmp_path, model, data_dir):
    recorder = SessionRecorder(new_session_dir(tmp_path))
    options = StreamingOptions()
    transcriber = StreamingTranscriber(WhisperBackend(model, options), options)
    session = LiveSession(VanishingSource(data_dir / "jfk.flac", block_s=0.5), transcriber, lambda: recorder)
    events = list(session.run())
    assert [e.message for e in events if isinstance(e, StreamError)] == [
        "The input device 'USB mic' stopped delivering audio (unplugged?)."
    ]
    text = " ".join(e.text for e in events if isinstance(e, Commit))
    assert "fellow Americans" in text
    final: list = []  # as committed, then revised where the utterance was heard whole: what the journal keeps
    for event in events:
        apply_committed(final, event)
    assert load_session(recorder.folder).text == "".join(w.text for w in final).strip()
    with wave.open(str(recorder.audio_path), "rb") as w:
        assert w.getnframes() >= 6 * 16_000
    again = list(LiveSession(FileSource(data_dir / "jfk.flac", block_s=0.5), transcriber).run())
    assert "fellow Americans" in " ".join(e.text for e in again if isinstance(e, Commit))


def test_unwritable_session_folder(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(RecordingError, match="Cannot create the session folder"):
        new_session_dir(tmp_path / "file")
