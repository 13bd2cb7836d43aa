"""Putting models into the store and taking them out: hub downloads that resume, imports of a
folder or archive copied by hand, removal, and what it all takes on disk.

A model is built in ``<models>/.staging/<name>/`` and becomes ``<models>/<name>/`` in one rename,
only after every file's size and hash passed, so a failed, cancelled or partial download is never
a model anything can load. A download's staging folder holds ``snapshot.json`` (the repository at
one commit, with the hub's sizes and hashes) and one ``<file>.part`` per file in flight; a later
download of the same model goes on from there. An installed model keeps ``.verified.json``: the
SHA-256 of each file, which an import on another machine checks again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dictation_app.engine import hub
from dictation_app.engine.catalog import entry
from dictation_app.errors import ModelError
from dictation_app.fileio import open_private, private_dir

__all__ = ["MANIFEST", "DownloadProgress", "Installer", "folder_name", "is_model_dir", "megabytes"]

MANIFEST = ".verified.json"
_SNAPSHOT = "snapshot.json"
_MARGIN = 20_000_000  # bytes kept free beyond the model (the disk is not ours alone)
_WANTED = ("config.json", "preprocessor_config.json", "model.bin", "tokenizer.json")
_ARCHIVES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".zip")
_REPORT_EVERY_S = 0.1  # progress reports at most this often (each one is drawn by the window)


def megabytes(n: float) -> str:
    """``484 MB``, ``1.53 GB``: a size as the catalogue, the window and the CLI say it."""
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


@dataclass(frozen=True)
class DownloadProgress:
    """Where a download stands.

    Attributes:
        name: The model.
        done: Bytes on disk (resumed ones included).
        total: Bytes of the whole model.
        rate: Bytes per second over the last seconds (0 until known).
    """

    name: str
    done: int
    total: int
    rate: float

    @property
    def eta_s(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate > 0 else None

    def describe(self) -> str:
        """``120 MB of 484 MB · 5.2 MB/s · 1 min 10 s left``."""
        parts = [f"{megabytes(self.done)} of {megabytes(self.total)}"]
        if self.rate > 0:
            parts.append(f"{self.rate / 1e6:.1f} MB/s")
        if self.eta_s is not None:
            parts.append(f"{_duration(self.eta_s)} left")
        return " · ".join(parts)


def folder_name(name: str) -> str:
    return name.replace("/", "--")


def is_model_dir(folder: Path) -> bool:
    return (folder / "model.bin").is_file() and (folder / "config.json").is_file()


def _wanted(file: str) -> bool:
    return file in _WANTED or file.startswith("vocabulary.")


class Installer:
    """Downloads, imports and removes models under ``models_dir``."""

    def __init__(self, models_dir: Path) -> None:
        self.models_dir = models_dir
        self._lock = threading.Lock()
        self._active: set[str] = set()

    def staging(self, name: str) -> Path:
        return self.models_dir / ".staging" / folder_name(name)

    def partial(self, name: str) -> tuple[int, int] | None:
        """(bytes here, bytes in all) of a download that stopped before the end, or None."""
        try:
            snap = hub.HubSnapshot.from_json(json.loads((self.staging(name) / _SNAPSHOT).read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return self._have(snap, self.staging(name)), snap.size

    # -- downloads --------------------------------------------------------------------------

    def download(
        self,
        name: str,
        progress: Callable[[DownloadProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Path:
        """Download ``name`` (a catalogue name or ``org/repo``), resuming what an earlier try
        left, and install it once every file is the hub's. One download per model at a time.

        Raises:
            hub.DownloadCancelled, hub.DownloadInterrupted: stopped; what arrived is kept.
            hub.DiskFull: no space; what arrived was removed.
            ModelError: offline, unknown repository, a damaged file.
        """
        with self._lock:
            if name in self._active:
                raise ModelError(f"Model '{name}' is being downloaded already.")
            self._active.add(name)
        try:
            return self._download(name, progress or (lambda p: None), cancel or threading.Event())
        finally:
            with self._lock:
                self._active.discard(name)

    def _download(self, name: str, progress, cancel: threading.Event) -> Path:
        target = self.models_dir / folder_name(name)
        if is_model_dir(target):
            return target
        repo = _repo_of(name)
        staging = self.staging(name)
        try:
            private_dir(staging)
            snap = self._snapshot(repo, staging)
        except hub.HubUnreachable as exc:
            _remove_if_empty(staging)
            raise ModelError(self._offline(name, str(exc))) from None
        except ModelError:
            _remove_if_empty(staging)
            raise
        except OSError as exc:
            raise ModelError(f"Cannot write in {staging.parent}: {exc.strerror or exc}.") from None
        have = self._have(snap, staging)
        free = shutil.disk_usage(staging).free
        if free < snap.size - have + _MARGIN:
            raise hub.DiskFull(self._full(name, snap.size - have, free, kept=bool(have)))
        meter = hub.Throughput()
        done, reported = [have], [0.0]

        def on_bytes(n: int) -> None:
            done[0] += n
            meter.add(done[0])
            now = time.monotonic()
            if now - reported[0] >= _REPORT_EVERY_S or done[0] >= snap.size:
                reported[0] = now
                progress(DownloadProgress(name, done[0], snap.size, meter.rate()))

        meter.add(have)
        progress(DownloadProgress(name, have, snap.size, 0.0))
        try:
            for file in snap.files:
                final = staging / file.name
                if final.is_file() and final.stat().st_size == file.size:
                    continue  # verified before its rename
                part = staging / (file.name + ".part")
                part.parent.mkdir(parents=True, exist_ok=True)
                hub.fetch_file(snap, file, part, on_bytes, cancel)
                os.replace(part, final)
        except hub.DiskFull:
            shutil.rmtree(staging, ignore_errors=True)
            free = shutil.disk_usage(self.models_dir).free
            raise hub.DiskFull(self._full(name, snap.size, free, kept=False)) from None
        except hub.DownloadInterrupted as exc:
            raise hub.DownloadInterrupted(
                f"{exc} What arrived ({done[0] * 100 // max(1, snap.size)} %) is kept: download "
                f"'{name}' again to go on from there."
            ) from None
        except hub.HubUnreachable as exc:
            kept = f" What arrived ({done[0] * 100 // max(1, snap.size)} %) is kept for a resume."
            raise hub.DownloadInterrupted(self._offline(name, str(exc)) + kept) from None
        return self._install(name, staging, target, snap.repo, snap.commit)

    def _snapshot(self, repo: str, staging: Path) -> hub.HubSnapshot:
        saved = staging / _SNAPSHOT
        try:
            snap = hub.HubSnapshot.from_json(json.loads(saved.read_text("utf-8")))
            if snap.repo == repo:
                return snap
        except (OSError, ValueError, KeyError, TypeError):
            pass
        for leftover in staging.iterdir():  # parts of another snapshot cannot be resumed
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        snap = hub.snapshot(repo, _wanted)
        if not any(f.name == "model.bin" for f in snap.files):
            raise ModelError(f"'{repo}' on the Hugging Face hub is not a CTranslate2 Whisper model (no model.bin).")
        with open_private(saved, "w", encoding="utf-8") as out:
            json.dump(snap.to_json(), out)
        return snap

    @staticmethod
    def _have(snap: hub.HubSnapshot, staging: Path) -> int:
        total = 0
        for file in snap.files:
            for path in (staging / file.name, staging / (file.name + ".part")):
                if path.is_file():
                    total += min(path.stat().st_size, file.size)
                    break
        return total

    def _offline(self, name: str, reason: str) -> str:
        return (
            f"Cannot download model '{name}' from the Hugging Face hub: {reason} Connect to the internet "
            f"and retry, or put a CTranslate2 Whisper model in {self.models_dir / folder_name(name)} "
            "(dictation-app models import PATH); the installed models still work offline, the bundled "
            "'tiny.en' among them."
        )

    def _full(self, name: str, needed: int, free: int, kept: bool) -> str:
        after = "What arrived is kept." if kept else "Nothing of it was left on the disk."
        return (
            f"Not enough disk space for '{name}': it needs {needed / 1e6:.0f} MB more in {self.models_dir} "
            f"and {free / 1e6:.0f} MB are free. {after} Free some space and download again."
        )

    # -- installing --------------------------------------------------------------------------

    def _install(self, name: str, staging: Path, target: Path, source: str, commit: str | None) -> Path:
        """Seal a checked staging folder (its manifest) and make it the model in one rename."""
        (staging / _SNAPSHOT).unlink(missing_ok=True)
        missing = [f for f in ("model.bin", "config.json", "tokenizer.json") if not (staging / f).is_file()]
        if missing:
            shutil.rmtree(staging, ignore_errors=True)
            raise ModelError(f"'{name}' is not a complete CTranslate2 Whisper model: missing {', '.join(missing)}.")
        hashes = {p.name: _sha256(p) for p in sorted(staging.iterdir()) if p.is_file() and p.name != MANIFEST}
        manifest = {"name": name, "source": source, "commit": commit, "sha256": hashes, "installed": time.time()}
        with open_private(staging / MANIFEST, "w", encoding="utf-8") as out:
            json.dump(manifest, out, indent=1)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
        return target

    def import_model(self, source: Path, name: str | None = None) -> tuple[str, Path]:
        """Install a model folder or archive someone copied by hand (an air-gapped machine).

        Its files are copied (archives extracted safely) into staging and checked: the model's
        own files, the manifest's SHA-256 when it came from another dictation-app, and a trial
        load. Returns (name, folder).
        """
        source = source.expanduser()
        if not source.exists():
            raise ModelError(f"{source} does not exist.")
        name = name or _name_from(source)
        if not name or name.startswith("."):
            raise ModelError(f"Cannot tell a model name from {source.name}: give one (--name).")
        target = self.models_dir / folder_name(name)
        if is_model_dir(target):
            raise ModelError(f"A model '{name}' is installed already: remove it first or import under another name.")
        staging = self.staging(name)
        shutil.rmtree(staging, ignore_errors=True)
        scratch = Path(tempfile.mkdtemp(prefix="import-", dir=private_dir(self.models_dir / ".staging")))
        try:
            folder = _unpack(source, scratch)
            _check_copy(folder)
            private_dir(staging)
            for path in folder.iterdir():
                if path.is_file() and path.name != MANIFEST:
                    shutil.copyfile(path, staging / path.name)  # symlinks (a hub cache) are followed
                    os.chmod(staging / path.name, 0o600)
            manifest = _read_manifest(folder)
            if manifest:
                _check_hashes(staging, manifest.get("sha256", {}))
            _trial_load(staging)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise ModelError(f"Cannot import {source}: {exc.strerror or exc}.") from None
        except ModelError:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        origin = (manifest or {}).get("source") or f"imported from {source}"
        return name, self._install(name, staging, target, origin, (manifest or {}).get("commit"))

    # -- removing and counting ---------------------------------------------------------------

    def remove(self, name: str) -> int:
        """Delete an installed model and any partial download of it; returns the bytes freed."""
        with self._lock:
            if name in self._active:
                raise ModelError(f"Model '{name}' is being downloaded: cancel the download first.")
        freed = 0
        for folder in (self.models_dir / folder_name(name), self.staging(name)):
            if folder.is_dir():
                freed += _size(folder)
                shutil.rmtree(folder)
        return freed

    def disk_used(self) -> int:
        return _size(self.models_dir) if self.models_dir.is_dir() else 0

    def installed_names(self) -> list[str]:
        """Folders under the store that hold a model (downloaded, assembled or imported)."""
        if not self.models_dir.is_dir():
            return []
        folders = [p for p in self.models_dir.iterdir() if not p.name.startswith(".") and is_model_dir(p)]
        return sorted(p.name.replace("--", "/") for p in folders)

    def partial_names(self) -> list[str]:
        """Downloads that stopped before the end (what ``partial`` describes)."""
        staging = self.models_dir / ".staging"
        if not staging.is_dir():
            return []
        return sorted(p.name.replace("--", "/") for p in staging.iterdir() if (p / _SNAPSHOT).is_file())

    def source_of(self, name: str) -> str | None:
        manifest = _read_manifest(self.models_dir / folder_name(name))
        return manifest.get("source") if manifest else None


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _repo_of(name: str) -> str:
    """The hub repository of a catalogue name, of another faster-whisper name, or ``org/repo``."""
    known = entry(name)
    if known is not None:
        return known.repo
    from faster_whisper.utils import _MODELS

    return _MODELS.get(name, name)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(4 << 20):
            digest.update(block)
    return digest.hexdigest()


def _read_manifest(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _name_from(source: Path) -> str:
    stem = source.name
    for suffix in sorted(_ARCHIVES, key=len, reverse=True):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    stem = stem.rpartition("--")[2]  # a hub cache folder: models--Systran--faster-whisper-small.en
    for prefix, keep in (("faster-distil-whisper-", "distil-"), ("faster-whisper-", "")):
        if stem.startswith(prefix):
            return keep + stem[len(prefix) :]
    return stem


def _unpack(source: Path, scratch: Path) -> Path:
    """The folder holding model.bin: ``source`` itself, or inside it, or inside the archive."""
    if source.is_file():
        if not source.name.endswith(_ARCHIVES):
            raise ModelError(f"{source.name} is neither a model folder nor an archive ({', '.join(_ARCHIVES)}).")
        try:
            if source.name.endswith(".zip"):
                with zipfile.ZipFile(source) as archive:
                    for member in archive.namelist():
                        if member.startswith("/") or ".." in Path(member).parts:
                            raise ModelError(f"{source.name} holds a path outside itself ({member}); not imported.")
                    archive.extractall(scratch)
            else:
                with tarfile.open(source) as archive:
                    archive.extractall(scratch, filter="data")
        except (tarfile.TarError, zipfile.BadZipFile, EOFError) as exc:
            raise ModelError(f"{source.name} is not a readable archive ({exc}).") from None
        source = scratch
    found = sorted(source.rglob("model.bin"), key=lambda p: len(p.parts))
    if not found:
        raise ModelError(f"No model.bin in {source}: not a CTranslate2 Whisper model.")
    return found[0].parent


def _check_copy(folder: Path) -> None:
    missing = [f for f in ("model.bin", "config.json", "tokenizer.json") if not (folder / f).is_file()]
    if missing:
        raise ModelError(f"The model in {folder} is incomplete: missing {', '.join(missing)}.")
    try:
        json.loads((folder / "config.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise ModelError(f"{folder / 'config.json'} is damaged (not JSON).") from None


def _check_hashes(folder: Path, expected: dict[str, str]) -> None:
    for file, digest in expected.items():
        path = folder / file
        if not path.is_file() or _sha256(path) != digest:
            raise ModelError(f"{file} differs from the model it was copied from (checksum); the copy is damaged.")


def _trial_load(folder: Path) -> None:
    """CTranslate2 reads the whole model.bin: a truncated or foreign file fails here."""
    try:
        import ctranslate2

        model = ctranslate2.models.Whisper(str(folder), device="cpu", compute_type="int8")
        del model
    except (RuntimeError, ValueError, OSError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelError(f"The model in {folder.name} does not load: {first}.") from None
