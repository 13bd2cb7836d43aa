"""What the app keeps is its user's alone: owner-only folders and files whatever the umask,
old ones tightened, and another local user cannot read a recording."""

import os
import shutil
import stat
import subprocess
import sys
import textwrap

import pytest

from conftest import speak


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def tree_modes(root):
    out = {}
    for folder, _, files in os.walk(root):
        out[os.path.relpath(folder, root)] = mode(folder)
        for f in files:
            out[os.path.relpath(os.path.join(folder, f), root)] = mode(os.path.join(folder, f))
    return out


def assert_owner_only(root):
    modes = tree_modes(root)
    assert modes, root
    bad = {p: oct(m) for p, m in modes.items() if m & 0o077}
    assert bad == {}, bad


WRITES = textwrap.dedent("""
    import os, sys
    os.umask(0)  # the loosest umask there is
    from dictation_app.audio.recorder import SessionRecorder, new_session_dir
    from dictation_app.transcript import Word
    from dictation_app.transcript.autosave import AutosaveStore, SavedDocument
    from dictation_app.engine import ModelStore
    import numpy as np
    recorder = SessionRecorder(new_session_dir(), model="tiny.en", language="en")
    recorder.write_audio(np.zeros(16000, np.float32))
    recorder.journal_words([Word(0.0, 0.5, " secret", 0.9)])
    recorder.close()
    AutosaveStore().save(SavedDocument(AutosaveStore.new_id(), "dictation", "Dictation", "secret words"))
    ModelStore().load("base")  # assembled into the cache from the two packages
    from dictation_app.export import save
    from dictation_app.transcript import Transcript
    save(Transcript(), "txt", sys.argv[1])  # an export: the user's file, the user's permissions
""")


def test_everything_kept_is_owner_only_even_with_umask_000(tmp_path):
    env = {
        **os.environ,
        "DICTATION_APP_DATA_DIR": str(tmp_path / "data"),
        "DICTATION_APP_CACHE_DIR": str(tmp_path / "cache"),
    }
    subprocess.run([sys.executable, "-c", WRITES, str(tmp_path / "export.txt")], env=env, check=True, timeout=300)
    assert_owner_only(tmp_path / "data")  # sessions/<time>/audio.wav, transcript.jsonl, session.json; autosave/
    assert {p.name for p in (tmp_path / "data" / "sessions").iterdir().__next__().iterdir()} == {
        "audio.wav",
        "transcript.jsonl",
        "session.json",
    }
    assert_owner_only(tmp_path / "cache")  # models/base/model.bin, ...
    assert mode(tmp_path / "export.txt") == 0o666  # umask 000: exports keep the user's normal permissions


def test_old_readable_folders_are_tightened_at_start(tmp_path, monkeypatch):
    from dictation_app.core.privacy import secure_storage

    session = tmp_path / "data" / "sessions" / "20250101-120000"
    session.mkdir(parents=True)
    (session / "audio.wav").write_bytes(b"RIFF")
    (session / "transcript.jsonl").write_text("[]\n")
    for path in (tmp_path / "data", tmp_path / "data" / "sessions", session):
        path.chmod(0o755)
    for path in session.iterdir():
        path.chmod(0o644)
    settings = tmp_path / "config" / "dictation-app" / "dictation-app.conf"
    monkeypatch.setenv("DICTATION_APP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DICTATION_APP_CACHE_DIR", str(tmp_path / "cache"))
    assert secure_storage(settings) == []
    assert_owner_only(tmp_path / "data")
    assert mode(settings.parent) == 0o700  # made before Qt writes the settings file into it


def test_the_windows_settings_file_is_owner_only(tmp_path):
    script = textwrap.dedent("""
        import os
        os.umask(0)
        from pathlib import Path
        from PySide6.QtCore import QSettings
        from dictation_app.core.privacy import secure_storage
        from dictation_app.ui.app import create_application
        app = create_application()
        path = Path(QSettings().fileName())
        secure_storage(path)
        from dictation_app.settings.store import Settings
        s = Settings(); s.set_value("decoding/hotwords", "private names"); s.sync()
        print(path)
    """)
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    path = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()
    assert path.startswith(str(tmp_path)) and os.path.exists(path)
    assert mode(os.path.dirname(path)) == 0o700


def test_another_local_user_cannot_read_a_dictation(virtual_mic, data_dir, tmp_path):
    if os.getuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("needs root to act as another user (CI runs as root)")
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o755)  # a home folder others may enter, as many distributions make them
    tmp_path.chmod(0o755)
    env = {**virtual_mic, "DICTATION_APP_DATA_DIR": str(home / "data")}
    listener = subprocess.Popen(
        [sys.executable, "-m", "dictation_app", "listen", "--seconds", "6"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.umask(0o022),
    )
    speak(data_dir / "jfk.flac", env, delay_s=1.0)
    _, stderr = listener.communicate(timeout=120)
    assert listener.returncode == 0, stderr
    (session,) = (home / "data" / "sessions").iterdir()
    assert_owner_only(home / "data")
    for name in ("audio.wav", "transcript.jsonl"):
        denied = subprocess.run(["runuser", "-u", "nobody", "--", "cat", str(session / name)], capture_output=True)
        assert denied.returncode != 0 and b"Permission denied" in denied.stderr
