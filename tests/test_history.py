"""The history database: entries made as dictations commit, searched, re-transcribed, imported,
rebuilt, deleted; its faults (corrupt, locked, disk full, audio gone). Real files throughout."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dictation_app.audio.sources import FileSource
from dictation_app.core.dictation import DictationService
from dictation_app.core.dictation_history import DictationHistory
from dictation_app.core.history import Entry, HistoryError, HistoryStore
from dictation_app.core.history_files import (
    apply_retention,
    delete_entry,
    entry_transcript,
    import_folders,
    open_history,
    rebuild,
    retranscribe,
    save_file_transcript,
)
from dictation_app.core.options import app_options, defaults_with
from dictation_app.engine.streaming import Commit, StreamError
from dictation_app.evaluation import wer as _wer

from conftest import DATA, assert_clean_error, run_cli, speak


def wer(reference: str, hypothesis: str) -> float:
    return _wer([reference], [hypothesis])


JFK = DATA / "jfk.flac"
#: 5.4 s, "For a full hour he had paced up and down...": where the words are not what a test is about
HOUR = DATA / "1089-134691-0001.flac"


@pytest.fixture
def data(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("DICTATION_APP_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def service(model, data):
    service = DictationService(history=open_history())
    service.model, service.model_name = model, "tiny.en"
    return service


def _dictate(service, path=HOUR, destination="editor", each=None):
    dictation = service.dictation(FileSource(path), app_options(defaults_with({})).streaming, destination=destination)
    events = []
    for event in dictation.run():
        events.append(event)
        if each is not None:
            each(event, dictation)
    return dictation, events


def test_a_dictation_is_searchable_as_it_commits_and_complete_when_it_ends(service, data, references):
    reader = HistoryStore()  # another connection, as the CLI would have
    seen = []

    def each(event, dictation):
        if isinstance(event, Commit):
            entry = reader.get(dictation.stage(DictationHistory).entry_id)
            seen.append((entry.state, entry.text))

    dictation, _ = _dictate(service, JFK, destination="xterm", each=each)
    assert seen and seen[0][0] == "recording" and seen[0][1]  # the first commit is in the database at once
    (entry,) = reader.search("country")
    assert entry.state == "done" and entry.destination == "xterm" and entry.model == "tiny.en"
    assert entry.kind == "dictation" and entry.duration == pytest.approx(11.0, abs=0.2)
    assert Path(entry.audio).exists() and entry.transcript == dictation.folder
    assert wer(references["jfk.flac"], entry.text) < 0.15
    assert reader.search("amer") == [entry]  # a prefix finds the word
    assert reader.search("fellow kangaroo") == []  # every word must be there
    assert reader.search('"country" (can*') == [entry]  # quotes and operators typed are text, not syntax
    assert (data / "history.sqlite3").stat().st_mode & 0o777 == 0o600


def test_a_word_with_an_apostrophe_is_searched_as_written(data):
    store = HistoryStore()
    texts = ["It was the one's own choice.", "One sunny day it was.", "Don't go.", "Done, then."]
    for n, text in enumerate(texts):
        store.add(Entry(0, "dictation", 1000.0 + n, 2.0, "tiny.en", "en", "editor", "", text, "", "", "done"))
    assert [e.text for e in store.search("one's")] == [texts[0]]  # not every "one" beside an s-word
    assert [e.text for e in store.search("don't")] == [texts[2]]
    assert [e.text for e in store.search("on")] == [texts[1], texts[0]]  # a prefix, as typed; newest first
    assert [e.text for e in store.search("it's")] == []  # "it s": no entry has it


def test_sigkill_while_dictating_through_the_microphone_keeps_the_spoken_words(virtual_mic, tmp_path):
    """`listen` from the PulseAudio virtual microphone, killed with SIGKILL mid-speech."""
    data = tmp_path / "data"
    env = {**virtual_mic, "DICTATION_APP_DATA_DIR": str(data)}
    speech = DATA / "longform-163-122947.flac"
    listen = subprocess.Popen(
        [sys.executable, "-m", "dictation_app", "listen", "--seconds", "120"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    player = None
    try:
        deadline = time.monotonic() + 120
        db = data / "history.sqlite3"
        while time.monotonic() < deadline and player is None:  # the microphone is open once the entry exists
            if db.exists() and HistoryStore(db).count():
                player = speak(speech, env)
            time.sleep(0.2)
        assert player is not None, listen.stderr.read() if listen.poll() is not None else "listen never started"
        text = ""
        while time.monotonic() < deadline and len(text.split()) < 12:
            time.sleep(0.5)
            text = HistoryStore(db).search()[0].text
        listen.send_signal(signal.SIGKILL)
        listen.wait(10)
    finally:
        for process in (listen, player):
            if process is not None and process.poll() is None:
                process.kill()
    assert len(text.split()) >= 12
    found = run_cli("history", text.split()[3], "--json", env=env)
    assert found.returncode == 0, found.stderr
    (entry,) = json.loads(found.stdout)
    said = set(text.split())  # (the last utterance may have been revised since it was read)
    assert len(said & set(entry["text"].split())) >= 0.8 * len(said)
    assert entry["state"] == "interrupted"  # marked at the next open
    assert Path(entry["audio"]).stat().st_size > 16000 * 2 * 3  # the recording is there too


def test_retranscribe_with_base_keeps_both_versions(service, data, references, model_store):
    from dictation_app.engine.transcriber import FileTranscriber

    _dictate(service)
    store = service.history
    (first,) = store.search()
    version = retranscribe(store, first, FileTranscriber(model_store.load("base"), "base"))
    assert version.parent == first.entry_id and version.model == "base" and version.kind == "dictation"
    versions = store.versions(version.entry_id)
    assert [v.model for v in versions] == ["tiny.en", "base"]
    assert versions[0].text == first.text  # the first version is kept as it was
    assert wer(references[HOUR.name], version.text) < 0.1
    timed = entry_transcript(version)
    assert timed.metadata.model == "base" and timed.segments[0].words  # a timestamped transcript
    assert Path(version.transcript).stat().st_mode & 0o777 == 0o600


def test_missing_audio_marks_the_entry_and_keeps_its_text(service, data, transcriber):
    dictation, _ = _dictate(service)
    (entry,) = service.history.search()
    Path(entry.audio).unlink()
    with pytest.raises(HistoryError, match="audio of this entry is gone"):
        retranscribe(service.history, entry, transcriber)
    again = service.history.get(entry.entry_id)
    assert again.audio_missing and again.text == entry.text


def test_file_transcripts_are_kept_and_the_cli_exports_them(data, transcriber, tmp_path):
    store = open_history()
    transcript = transcriber.transcribe(JFK)
    entry = save_file_transcript(store, transcript)
    assert entry.kind == "file" and entry.title == "jfk.flac" and entry.audio == str(JFK)
    listed = run_cli("history", "--json")
    assert [e["entry_id"] for e in json.loads(listed.stdout)] == [entry.entry_id]
    shown = run_cli("history", "show", str(entry.entry_id))
    assert "jfk.flac" in shown.stdout and transcript.text in shown.stdout
    srt = run_cli("history", "export", str(entry.entry_id), "--format", "srt")
    assert srt.returncode == 0 and "00:00:00," in srt.stdout and "-->" in srt.stdout
    docx = tmp_path / "out.docx"
    assert run_cli("history", "export", str(entry.entry_id), "--format", "docx", "--output", str(docx)).returncode == 0
    assert docx.read_bytes()[:2] == b"PK"
    for bad, expected in ((("show", "999"), "no history entry 999"), (("export", "1", "--format", "odt"), "odt")):
        result = run_cli("history", *bad)
        assert result.returncode != 0 and expected in result.stderr
        assert_clean_error(result.stderr)
    assert run_cli("history", "--since", "yesterday-ish").returncode != 0


def test_cli_transcribe_keeps_its_transcript_unless_told_not_to(data):
    assert run_cli("transcribe", str(HOUR)).returncode == 0
    assert run_cli("transcribe", "--no-history", str(HOUR)).returncode == 0
    (entry,) = HistoryStore().search("hour")
    assert entry.kind == "file" and Path(entry.transcript).parent == data / "transcripts"


def test_session_folders_from_before_the_database_are_imported_once(service, data):
    _dictate(service, JFK)
    _dictate(service)
    os.remove(data / "history.sqlite3")
    store = open_history()  # as an upgrade from a version without history finds it
    entries = store.search()
    assert len(entries) == 2 and store.search("hour")[0].text.lower().startswith("for a full hour")
    assert store.search("country")[0].destination == "editor"  # from the session's history.json
    assert import_folders(store).added == 0  # once: nothing doubles
    rebuilt = run_cli("history", "rebuild")
    assert rebuilt.returncode == 0 and "2 entries" in rebuilt.stderr
    assert HistoryStore().count() == 2


def test_rebuild_restores_re_transcriptions_as_versions(service, data, transcriber):
    _dictate(service)
    (first,) = service.history.search()
    retranscribe(service.history, first, transcriber)
    report = rebuild(service.history)
    assert report.added == 2
    (root,) = [e for e in service.history.search() if e.parent is None]
    assert [v.parent for v in service.history.versions(root.entry_id)] == [None, root.entry_id]


def test_a_corrupt_database_is_moved_aside_and_rebuilt_and_dictation_goes_on(service, data):
    _dictate(service)
    service.history.close()
    db = data / "history.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    store = open_history()
    assert store.rebuilt and "moved to" in store.problem
    assert store.search("hour")  # rebuilt from the session folder
    assert list(data.glob("history.sqlite3.corrupt-*"))
    service.history = store
    _, events = _dictate(service)
    assert not [e for e in events if isinstance(e, StreamError)] and len(store.search("hour")) == 2


def test_a_database_that_cannot_be_written_never_stops_dictation(service, data):
    """Disk full (SQLite's own limit makes it real): one message, and the recording and
    journal keep everything."""
    store = service.history
    store.db.execute(f"PRAGMA max_page_count = {store.db.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(HistoryError, match="disk is full"):
        for n in range(1000):  # fill the free space the file has
            store.add(Entry(0, "file", 0, text=f"filler {n} " * 20))
    dictation, events = _dictate(service)
    errors = [e.message for e in events if isinstance(e, StreamError)]
    assert len(errors) == 1 and "disk is full" in errors[0] and "kept" in errors[0]
    from dictation_app.audio.recorder import load_session

    assert "hour" in load_session(Path(dictation.folder)).text.lower()


def test_a_locked_database_waits_then_reports(data, monkeypatch):
    import dictation_app.core.history as history

    monkeypatch.setattr(history, "BUSY_TIMEOUT_S", 0.3)
    store, other = open_history(), sqlite3.connect(data / "history.sqlite3")
    other.execute("BEGIN IMMEDIATE")  # another process writing
    try:
        assert store.search() == []  # WAL: reading is never blocked by a writer (the CLI beside the app)
        started = time.monotonic()
        with pytest.raises(HistoryError, match="busy"):
            store.add(Entry(0, "dictation", time.time()))
        assert time.monotonic() - started >= 0.25
    finally:
        other.rollback()


def test_the_cli_reads_while_a_dictation_writes(service, data):
    outputs = []

    def each(event, dictation):
        if isinstance(event, Commit) and not outputs:
            outputs.append(run_cli("history", "--json"))

    _dictate(service, each=each)
    (listed,) = json.loads(outputs[0].stdout)
    assert listed["state"] == "recording" and listed["text"]


def test_delete_removes_recording_transcripts_and_autosaves_but_not_the_users_file(
    service, data, transcriber, tmp_path
):
    import shutil

    dictation, _ = _dictate(service)
    (entry,) = service.history.search()
    retranscribe(service.history, entry, transcriber)
    autosave = data / "autosave"
    autosave.mkdir()
    (autosave / "a.json").write_text(
        json.dumps(
            {"kind": "dictation", "title": "Dictation", "content": entry.text, "extra": {"session": dictation.folder}}
        )
    )
    (autosave / "other.json").write_text(json.dumps({"kind": "dictation", "title": "D", "content": "", "extra": {}}))
    assert delete_entry(service.history, entry.entry_id) == []
    assert not Path(dictation.folder).exists() and service.history.count() == 0
    assert not list((data / "transcripts").iterdir())
    assert [p.name for p in autosave.iterdir()] == ["other.json"]

    mine = tmp_path / "mine.flac"
    shutil.copy(HOUR, mine)
    kept = save_file_transcript(service.history, transcriber.transcribe(mine))
    assert run_cli("history", "delete", str(kept.entry_id), stdin=subprocess.DEVNULL).returncode != 0  # asks first
    assert run_cli("history", "delete", str(kept.entry_id), "--yes").returncode == 0
    assert mine.exists() and not Path(kept.transcript).exists() and HistoryStore().count() == 0


def test_retention_deletes_by_age_and_by_size(service, data):
    for _ in range(3):
        _dictate(service)  # 5.4 s: 0.17 MB each
    entries = service.history.search()  # newest first
    service.history.update(entries[-1].entry_id, created=time.time() - 40 * 86400)
    assert apply_retention(service.history, keep_days=30) == 1
    assert not Path(entries[-1].transcript).exists()
    assert apply_retention(service.history, max_mb=0.4) == 0  # both fit
    assert apply_retention(service.history, max_mb=0.2) == 1  # the older goes
    assert [e.entry_id for e in service.history.search()] == [entries[0].entry_id]


def test_history_files_are_owner_only_with_umask_000(service, data):
    old = os.umask(0)
    try:
        _dictate(service)
        store = service.history
        (entry,) = store.search()
        version = save_file_transcript(store, entry_transcript(entry), parent=entry)
    finally:
        os.umask(old)
    for path in [data / "history.sqlite3", Path(version.transcript), data / "transcripts"] + list(
        data.glob("history.sqlite3-*")
    ):
        mode = path.stat().st_mode & 0o777
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_processes_opening_a_new_database_at_once_all_get_one(data):
    """The window, `listen` and the CLI may start together: one creates the schema, none moves it aside."""
    code = "from dictation_app.core.history_files import open_history; s = open_history(); print(s.problem or 'ok')"
    env = {**os.environ, "DICTATION_APP_DATA_DIR": str(data)}
    children = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True) for _ in range(4)
    ]
    assert [child.communicate(timeout=60)[0].strip() for child in children] == ["ok"] * 4
    assert not list(data.glob("*.corrupt-*")) and HistoryStore().count() == 0
