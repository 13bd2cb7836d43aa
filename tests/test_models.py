import os

import pytest

from dictation_app.engine import LoadOptions, ModelStore
from dictation_app.engine.models import _BASE_SIZE, physical_core_count
from dictation_app.errors import ModelError


def test_default_model_is_bundled_and_listed(tmp_path):
    store = ModelStore(tmp_path)
    path = store.resolve("tiny.en")
    assert (path / "model.bin").is_file()
    listed = {m.name: m for m in store.list_models()}
    assert listed["tiny.en"].installed and listed["tiny.en"].size_bytes > 10_000_000
    assert not listed["large-v3"].installed


def test_loaded_model_is_cached(tmp_path):
    store = ModelStore(tmp_path)
    assert store.load("tiny.en") is store.load("tiny.en")


def test_defaults_suit_the_machine():
    opts = LoadOptions().resolved()
    assert (opts.device, opts.compute_type) in {("cpu", "int8"), ("cuda", "float16")}
    assert 1 <= opts.cpu_threads == physical_core_count() <= (os.cpu_count() or 1)


def test_base_is_assembled_once_and_verified(tmp_path):
    store = ModelStore(tmp_path)
    folder = store.resolve("base")
    model_bin = folder / "model.bin"
    assert model_bin.stat().st_size == _BASE_SIZE
    mtime = model_bin.stat().st_mtime_ns
    assert store.resolve("base") == folder and model_bin.stat().st_mtime_ns == mtime  # not redone
    model = store.load("base")
    assert model.model.is_multilingual

    # A half-written file (crash mid-copy) is never loaded: it is assembled again.
    with open(model_bin, "r+b") as f:
        f.truncate(_BASE_SIZE // 2)
    assert ModelStore(tmp_path).resolve("base") == folder
    assert model_bin.stat().st_size == _BASE_SIZE
    assert not (folder / "model.bin.partial").exists()


def test_local_model_folder(tmp_path):
    store = ModelStore(tmp_path)
    bundled = store.resolve("tiny.en")
    local = tmp_path / "my-model"
    local.mkdir()
    for f in bundled.iterdir():
        os.symlink(f, local / f.name)
    assert store.resolve(str(local)) == local
    (local / "model.bin").unlink()
    with pytest.raises(ModelError, match="missing model.bin"):
        store.resolve(str(local))


def test_unknown_model_name(tmp_path):
    with pytest.raises(ModelError, match="Unknown model 'tiny.fr'.*large-v3"):
        ModelStore(tmp_path).resolve("tiny.fr")


def test_hub_model_offline_fails_fast_with_guidance(tmp_path, monkeypatch):
    # A closed local port stands in for "no network" even on a machine that is online.
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:9")
    with pytest.raises(ModelError) as info:
        ModelStore(tmp_path).resolve("small")
    message = str(info.value)
    assert "Cannot download model 'small'" in message
    assert str(tmp_path / "models" / "small") in message and "tiny.en" in message
