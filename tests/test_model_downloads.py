"""Model downloads, imports and removal against a real local hub (tests/local_hub.py) serving the
real tiny.en and base files under their hub names: progress, cancel, resume, a corrupted byte,
the server going away, a full disk, offline. No test touches the internet."""

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest
from local_hub import TINY

from dictation_app.engine import hub
from dictation_app.engine.installs import MANIFEST, DownloadProgress, Installer
from dictation_app.engine.models import ModelStore, _bundled_path
from dictation_app.errors import ModelError

DATA = Path(__file__).parent / "data"


def _model_bin_size() -> int:
    return (_bundled_path() / "model.bin").stat().st_size


def test_a_download_is_watched_checked_sealed_and_loads(tmp_path, local_hub):
    seen: list[DownloadProgress] = []
    folder = Installer(tmp_path).download("tiny.en", seen.append)
    assert folder == tmp_path / "tiny.en"
    total = sum(f.size for f in local_hub.repos[TINY].values())
    assert seen[0].done == 0 and seen[-1].done == seen[-1].total == total
    assert all(a.done <= b.done for a, b in zip(seen, seen[1:], strict=False))
    assert any(p.rate > 0 and p.eta_s is not None for p in seen)
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["source"] == TINY and manifest["commit"] == local_hub.commit
    assert manifest["sha256"]["model.bin"] == local_hub.repos[TINY]["model.bin"].sha256
    assert not (tmp_path / ".staging" / "tiny.en").exists()
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    # large files came the hub's way: a redirect to the CDN
    assert local_hub.ranges("model.bin") == [None]
    from faster_whisper import WhisperModel

    segments, _ = WhisperModel(str(folder), compute_type="int8").transcribe(str(DATA / "jfk.flac"))
    assert "ask not what your country" in " ".join(s.text for s in segments).lower()


def test_cancel_keeps_what_arrived_and_the_next_download_asks_only_for_the_rest(tmp_path, local_hub):
    local_hub.rate = 40e6
    installer = Installer(tmp_path)
    cancel = threading.Event()

    def watch(p: DownloadProgress) -> None:
        if p.done > 20_000_000:
            cancel.set()

    with pytest.raises(hub.DownloadCancelled):
        installer.download("tiny.en", watch, cancel)
    have, total = installer.partial("tiny.en")
    assert 20_000_000 < have < total
    assert not (tmp_path / "tiny.en").exists()  # nothing loadable until the end
    part = tmp_path / ".staging" / "tiny.en" / "model.bin.part"
    kept = part.stat().st_size
    local_hub.rate = None
    seen: list[DownloadProgress] = []
    installer.download("tiny.en", seen.append)
    assert local_hub.ranges("model.bin") == [None, f"bytes={kept}-"]
    assert seen[0].done == have  # the bar starts where it stopped
    assert installer.partial("tiny.en") is None
    assert (tmp_path / "tiny.en" / "model.bin").stat().st_size == _model_bin_size()


def test_a_corrupted_byte_is_caught_and_never_becomes_a_model(tmp_path, local_hub):
    local_hub.corrupt["model.bin"] = 1_234_567
    with pytest.raises(ModelError, match="model.bin .*not the hub's file.*deleted"):
        Installer(tmp_path).download("tiny.en")
    assert not (tmp_path / "tiny.en").exists()
    assert not (tmp_path / ".staging" / "tiny.en" / "model.bin.part").exists()
    del local_hub.corrupt["model.bin"]
    assert (Installer(tmp_path).download("tiny.en") / "model.bin").is_file()


def test_the_server_going_away_mid_file_is_said_and_resumed(tmp_path, local_hub):
    local_hub.cut_after["model.bin"] = 5_000_000
    installer = Installer(tmp_path)
    with pytest.raises(hub.DownloadInterrupted) as info:
        installer.download("tiny.en")
    assert "broke during model.bin (5 of 76 MB)" in str(info.value) and "kept" in str(info.value)
    local_hub.stop()  # and now the hub is gone altogether: one clear line, nothing lost
    with pytest.raises(ModelError) as info:
        installer.download("tiny.en")
    message = str(info.value)
    assert message.startswith("Cannot download model 'tiny.en'") and "installed models still work" in message
    assert message.endswith("What arrived (6 %) is kept for a resume.")
    assert installer.partial("tiny.en")[0] >= 5_000_000
    local_hub.start()
    os.environ["HF_ENDPOINT"] = local_hub.url  # a new port; monkeypatch restores it
    installer.download("tiny.en")
    assert local_hub.ranges("model.bin")[-1] == "bytes=5000000-"


def test_a_server_that_ignores_ranges_gets_the_file_again_whole(tmp_path, local_hub):
    local_hub.cut_after["model.bin"] = 5_000_000
    installer = Installer(tmp_path)
    with pytest.raises(hub.DownloadInterrupted):
        installer.download("tiny.en")
    local_hub.ignore_range = True
    folder = installer.download("tiny.en")
    assert local_hub.ranges("model.bin")[-2:] == ["bytes=5000000-", None]  # sent whole: asked again from 0
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["sha256"]["model.bin"] == local_hub.repos[TINY]["model.bin"].sha256


def test_offline_is_one_clear_line_and_the_installed_models_still_work(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    store = ModelStore(tmp_path)
    with pytest.raises(ModelError) as info:
        store.resolve("small.en")
    message = str(info.value)
    assert message.startswith("Cannot download model 'small.en' from the Hugging Face hub: Cannot reach")
    assert "\n" not in message and str(tmp_path / "models" / "small.en") in message
    assert not (tmp_path / "models" / ".staging" / "small.en").exists()  # nothing left behind
    assert store.load("tiny.en") is not None


def test_an_unknown_repository_is_named(tmp_path, local_hub):
    with pytest.raises(ModelError, match="has no public model 'nobody/nothing' \\(HTTP 404\\)"):
        Installer(tmp_path).download("nobody/nothing")


def test_base_downloads_where_its_packages_are_missing(tmp_path, local_hub, monkeypatch):
    from dictation_app.engine import models

    monkeypatch.setattr(models, "_base_parts_installed", lambda: False)
    store = ModelStore(tmp_path)
    listed = {m.name: m for m in store.list_models()}
    assert not listed["base"].installed and store.needs_download("base")
    done: list[tuple[int, int]] = []
    assert store.load("base", progress=lambda d, t: done.append((d, t))).model.is_multilingual
    assert done[-1][0] == done[-1][1] == sum(f.size for f in local_hub.repos["Systran/faster-whisper-base"].values())
    assert not store.needs_download("base") and {m.name: m for m in store.list_models()}["base"].installed
    freed = store.remove("base")
    assert freed > 140_000_000 and not (tmp_path / "models" / "base").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root (CI runs as root)")
def test_a_full_disk_is_said_plainly_and_cleaned_up(tmp_path, local_hub):
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=120m", "tmpfs", str(disk)], check=True)
    try:
        installer = Installer(disk / "models")
        filler = disk / "other-application-data"
        filler.write_bytes(b"\0" * 40_000_000)
        # Not enough room from the start: said before a byte is fetched.
        with pytest.raises(hub.DiskFull, match=r"Not enough disk space for 'tiny.en': it needs 78 MB more"):
            installer.download("tiny.en")
        assert local_hub.ranges("model.bin") == []
        filler.unlink()

        # Room at the start, then another program fills the disk mid-download.
        def fill(p: DownloadProgress) -> None:
            if p.done > 10_000_000 and not filler.exists():
                with open(filler, "wb") as f:
                    try:
                        f.write(b"\0" * 60_000_000)
                    except OSError:
                        pass

        with pytest.raises(hub.DiskFull) as info:
            installer.download("tiny.en", fill)
        assert "Nothing of it was left on the disk" in str(info.value)
        assert not (disk / "models" / "tiny.en").exists() and installer.partial("tiny.en") is None
        assert not any((disk / "models" / ".staging").iterdir())
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_import_a_folder_or_archive_copied_by_hand(tmp_path, local_hub):
    downloaded = Installer(tmp_path / "online").download("tiny.en")
    offline = Installer(tmp_path / "air-gapped")
    # a folder from another dictation-app, checked against its manifest
    name, folder = offline.import_model(downloaded, "english-tiny")
    assert name == "english-tiny" and (folder / "model.bin").stat().st_size == _model_bin_size()
    # an archive of a hub download, named from its folder
    archive = tmp_path / "faster-whisper-tiny.en.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(_bundled_path(), arcname="faster-whisper-tiny.en")
    assert offline.import_model(archive)[0] == "tiny.en"
    # a damaged copy is refused and leaves nothing behind
    damaged = tmp_path / "damaged"
    shutil.copytree(downloaded, damaged)
    with open(damaged / "model.bin", "r+b") as f:
        f.seek(1000)
        f.write(b"\xff\xff")
    with pytest.raises(ModelError, match="model.bin differs from the model it was copied from"):
        offline.import_model(damaged, "damaged")
    (damaged / MANIFEST).unlink()
    with open(damaged / "model.bin", "r+b") as f:
        f.truncate(_model_bin_size() // 2)
    with pytest.raises(ModelError, match="does not load"):
        offline.import_model(damaged, "damaged")
    assert offline.installed_names() == ["english-tiny", "tiny.en"]
    with pytest.raises(ModelError, match="neither a model folder nor an archive"):
        offline.import_model(DATA / "jfk.flac")


def test_the_local_hub_speaks_the_hubs_api_to_huggingface_hub(tmp_path, local_hub):
    """The server the tests download from answers the official client too."""
    import huggingface_hub

    path = huggingface_hub.hf_hub_download(TINY, "config.json", endpoint=local_hub.url, cache_dir=tmp_path)
    assert Path(path).read_bytes() == (_bundled_path() / "config.json").read_bytes()
    info = huggingface_hub.HfApi(endpoint=local_hub.url).model_info(TINY, files_metadata=True)
    assert {s.rfilename for s in info.siblings} == set(local_hub.repos[TINY])


def test_the_command_line_downloads_lists_removes_and_imports(tmp_path, local_hub):
    env = {**os.environ, "DICTATION_APP_CACHE_DIR": str(tmp_path / "cache"), "HF_ENDPOINT": local_hub.url}

    def cli(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "dictation_app", "models", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    local_hub.cut_after["model.bin"] = 3_000_000
    stopped = cli("download", TINY)
    assert stopped.returncode == 1 and "Traceback" not in stopped.stderr
    assert f"downloading model '{TINY}' from {local_hub.url} (its size is asked of the hub)" in stopped.stderr
    assert f"What arrived (3 %) is kept: download '{TINY}' again to go on from there." in stopped.stderr
    assert re.search(f"{TINY} +partial 3 %", cli("list").stdout)
    resumed = cli("download", TINY)
    assert resumed.returncode == 0 and "going on from 3 MB" in resumed.stderr, resumed.stderr
    assert local_hub.ranges("model.bin")[-1] == "bytes=3000000-"
    listed = cli().stdout
    assert "Models folder:" in listed and "(78 MB used)" in listed
    removed = cli("remove", TINY)
    assert removed.returncode == 0 and f"{TINY}: removed (78 MB freed)." in removed.stdout
    refused = cli("remove", "tiny.en")
    assert refused.returncode == 1 and "bundled with the app and cannot be removed" in refused.stderr
    imported = cli("import", str(_bundled_path()), "--name", "copied-tiny")
    assert imported.returncode == 0 and "copied-tiny: imported and checked" in imported.stdout
    assert "copied-tiny" in cli("list").stdout
