"""The model manager's service: downloads on their own threads, their progress, cancel, removal,
imports and speed tests, reported through ``post`` (the window's GUI thread) as events.

The window's Models dialog only shows these events and calls these methods; the command line
(``cli/models.py``) calls the same store directly, on its own thread.
"""

from __future__ import annotations

import inspect
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dictation_app.core.model_speed import SpeedResult, measure, recommend, save, saved
from dictation_app.engine.catalog import entry
from dictation_app.engine.hub import DownloadCancelled, endpoint
from dictation_app.engine.installs import DownloadProgress
from dictation_app.engine.models import LoadOptions, ModelInfo, ModelStore
from dictation_app.errors import DictationError

__all__ = [
    "DownloadEnded",
    "DownloadStarted",
    "ModelManager",
    "ModelsChanged",
    "SpeedMeasured",
    "WorkFailed",
]

Post = Callable[[Callable[[], None]], None]


@dataclass(frozen=True)
class DownloadStarted:
    """Said before any connection: what is fetched, from where, about how much."""

    name: str
    endpoint: str
    about_mb: int | None
    resumed_bytes: int


@dataclass(frozen=True)
class DownloadEnded:
    """``ok``: installed; ``cancelled``: stopped by the user (kept); else ``message`` says why."""

    name: str
    ok: bool
    cancelled: bool
    message: str


@dataclass(frozen=True)
class ModelsChanged:
    """Something was installed, removed or measured: list again."""


@dataclass(frozen=True)
class SpeedMeasured:
    result: SpeedResult


@dataclass(frozen=True)
class WorkFailed:
    message: str


def _call_now(func: Callable[[], None]) -> None:
    func()


class ModelManager:
    """Args:
    store: The models (the dictation service's own store).
    post: Runs a function on the listeners' thread.
    """

    def __init__(self, store: ModelStore, post: Post = _call_now) -> None:
        self.store = store
        self._post = post
        self._listeners: list[Callable[[object], None]] = []
        self._cancels: dict[str, threading.Event] = {}
        self.measuring = False

    def subscribe(self, listener: Callable[[object], None]) -> None:
        """A window's method is held weakly: the manager outlives the dialogs that listen to it,
        and a cycle through a Qt object would be freed by the garbage collector on whichever
        thread runs it (PySide must free Qt objects on the GUI thread)."""
        self._listeners.append(weakref.WeakMethod(listener) if inspect.ismethod(listener) else lambda: listener)

    def _announce(self, event: object) -> None:
        for ref in list(self._listeners):
            listener = ref()
            if listener is None:
                self._listeners.remove(ref)
            else:
                listener(event)

    def _report(self, event: object) -> None:
        self._post(lambda: self._announce(event))

    # -- what there is ------------------------------------------------------------------------

    def models(self) -> list[ModelInfo]:
        return self.store.list_models()

    def measured(self) -> dict[str, SpeedResult]:
        return saved(self.store)

    def recommendation(self) -> SpeedResult | None:
        return recommend(list(self.measured().values()))

    def disk_used(self) -> int:
        return self.store.installer.disk_used()

    def downloading(self, name: str) -> bool:
        return name in self._cancels

    # -- downloads ----------------------------------------------------------------------------

    def download(self, name: str) -> None:
        """Start downloading ``name`` (announced at once, before any connection)."""
        if name in self._cancels:
            return
        known = entry(name)
        partial = self.store.installer.partial(name)
        cancel = self._cancels[name] = threading.Event()
        self._announce(
            DownloadStarted(name, endpoint(), known.download_mb if known else None, partial[0] if partial else 0)
        )
        threading.Thread(target=self._download, args=(name, cancel), name=f"download-{name}", daemon=True).start()

    def _download(self, name: str, cancel: threading.Event) -> None:
        def progress(p: DownloadProgress) -> None:
            self._report(p)

        try:
            self.store.installer.download(name, progress, cancel)
        except DownloadCancelled:
            ended = DownloadEnded(name, False, True, f"Download of '{name}' cancelled; what arrived is kept.")
        except DictationError as exc:
            ended = DownloadEnded(name, False, False, str(exc))
        except Exception as exc:  # a bug is still a message, never a dead download
            ended = DownloadEnded(name, False, False, f"Unexpected error: {type(exc).__name__}: {exc}")
        else:
            ended = DownloadEnded(name, True, False, f"'{name}' is downloaded and checked.")
        self._post(lambda: self._ended(ended))

    def _ended(self, ended: DownloadEnded) -> None:
        self._cancels.pop(ended.name, None)
        self._announce(ended)
        self._announce(ModelsChanged())

    def cancel(self, name: str) -> None:
        if name in self._cancels:
            self._cancels[name].set()

    def shutdown(self) -> None:
        for cancel in self._cancels.values():
            cancel.set()

    # -- the rest -----------------------------------------------------------------------------

    def remove(self, name: str) -> int:
        """Raises DictationError (bundled, not installed, downloading)."""
        freed = self.store.remove(name)
        self._announce(ModelsChanged())
        return freed

    def import_model(self, path: Path) -> None:
        """Import on a worker thread (it is checked by loading it: seconds for a big model)."""

        def work() -> None:
            try:
                name, _ = self.store.installer.import_model(path)
            except DictationError as exc:
                self._report(WorkFailed(str(exc)))
            else:
                self._report(DownloadEnded(name, True, False, f"'{name}' is imported and checked."))
            self._report(ModelsChanged())

        threading.Thread(target=work, name="model-import", daemon=True).start()

    def measure(self, names: list[str], load: LoadOptions | None = None) -> None:
        """Measure ``names`` one after another on a worker thread; each result is announced."""
        if self.measuring:
            return
        self.measuring = True

        def work() -> None:
            try:
                for name in names:
                    try:
                        result = measure(self.store, name, load)
                    except DictationError as exc:
                        self._report(WorkFailed(f"{name}: {exc}"))
                        continue
                    save(self.store, result)
                    self._report(SpeedMeasured(result))
            finally:
                self._post(self._measured)

        threading.Thread(target=work, name="model-speed", daemon=True).start()

    def _measured(self) -> None:
        self.measuring = False
        self._announce(ModelsChanged())
