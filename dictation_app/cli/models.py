"""``models``: the model manager on the command line.

``models`` (or ``models list``) shows the catalogue: installed or not, sizes, languages, published
accuracy, what this machine measured; ``models download NAME`` (resumes an interrupted one),
``models remove NAME``, ``models import PATH``, ``models speed [NAME...]`` (measure and recommend).
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from dictation_app.cli.common import EXIT_FAILED, EXIT_OK, PROG, error
from dictation_app.engine.installs import megabytes

__all__ = ["register"]


def register(commands) -> None:
    models = commands.add_parser("models", help="list, download, remove, import and measure models")
    models.set_defaults(handler=_cmd_list)
    actions = models.add_subparsers(dest="models_command", metavar="ACTION")
    actions.add_parser("list", help="the catalogue and what is installed (the default)").set_defaults(handler=_cmd_list)
    download = actions.add_parser("download", help="download a model (goes on from an interrupted download)")
    download.add_argument("name", metavar="NAME", help="a catalogue name (small.en) or a hub id (org/repo)")
    download.set_defaults(handler=_cmd_download)
    remove = actions.add_parser("remove", help="delete a model and any partial download of it")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=_cmd_remove)
    imported = actions.add_parser("import", help="install a model folder or archive copied by hand")
    imported.add_argument("path", type=Path, metavar="PATH")
    imported.add_argument("--name", help="the name to use (default: from the folder's name)")
    imported.set_defaults(handler=_cmd_import)
    speed = actions.add_parser("speed", help="measure installed models on this machine and recommend one")
    speed.add_argument("names", nargs="*", metavar="NAME", help="default: every installed model")
    speed.set_defaults(handler=_cmd_speed)


def _store():
    from dictation_app.engine.models import ModelStore

    return ModelStore()


def _cmd_list(args: argparse.Namespace) -> int:
    from dictation_app.core.model_speed import saved

    store = _store()
    measured = saved(store)
    rows = [("NAME", "STATE", "SIZE", "LANGUAGES", "LIBRISPEECH WER", "ON THIS MACHINE", "SOURCE")]
    for info in store.list_models():
        item = info.entry
        if info.installed:
            state = "installed"
        elif info.partial:
            state = f"partial {info.partial[0] * 100 // max(1, info.partial[1])} %"
        else:
            state = "-"
        size = info.size_label or "-"
        wer = f"{item.wer[0]:.1f} / {item.wer[1]:.1f} %" if item and item.wer else "-"
        speed = measured.get(info.name)
        here = f"{speed.file_speed:.0f}x, live {'ok' if speed.keeps_up else 'slow'}" if speed else "-"
        rows.append((info.name, state, size, item.languages if item else "-", wer, here, info.source))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1])
    print(f"\nModels folder: {store.models_dir} ({megabytes(store.installer.disk_used())} used)")
    return EXIT_OK


def _cmd_download(args: argparse.Namespace) -> int:
    from dictation_app.engine.catalog import entry
    from dictation_app.engine.hub import DownloadCancelled, endpoint

    store = _store()
    item = entry(args.name)
    if not store.needs_download(args.name):
        store.resolve(args.name)  # no network here; an unknown name is said (ModelError)
        print(f"{PROG}: model '{args.name}' is installed already.", file=sys.stderr)
        return EXIT_OK
    partial = store.installer.partial(args.name)
    size = f"about {megabytes(item.download_mb * 1_000_000)}" if item else "its size is asked of the hub"
    going_on = f", going on from {megabytes(partial[0])}" if partial else ""
    print(f"{PROG}: downloading model '{args.name}' from {endpoint()} ({size}{going_on}); Ctrl+C stops "
          "it and keeps what arrived", file=sys.stderr, flush=True)  # fmt: skip
    cancel = threading.Event()
    bar = _DownloadLine() if sys.stderr.isatty() else None
    try:
        folder = store.installer.download(args.name, bar.show if bar else None, cancel)
    except KeyboardInterrupt:
        cancel.set()
        error("download stopped; what arrived is kept: run the same command to go on.")
        return EXIT_FAILED
    except DownloadCancelled:
        return EXIT_FAILED
    finally:
        if bar:
            bar.close()
    print(f"{args.name}: installed in {folder}; use it with --model {args.name} or pick it in the window.")
    return EXIT_OK


def _cmd_remove(args: argparse.Namespace) -> int:
    freed = _store().remove(args.name)
    print(f"{args.name}: removed ({megabytes(freed)} freed).")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    name, folder = _store().installer.import_model(args.path, args.name)
    print(f"{name}: imported and checked, in {folder}; use it with --model {name}.")
    return EXIT_OK


def _cmd_speed(args: argparse.Namespace) -> int:
    from dictation_app.core.model_speed import LIVE_TARGET_MEDIAN_S, measure, recommend, save

    store = _store()
    names = args.names or [m.name for m in store.list_models() if m.installed]
    results = []
    for name in names:
        print(f"measuring {name} (the 11-s sample as a file, then live in real time)...", file=sys.stderr, flush=True)
        try:
            result = measure(store, name)
        except Exception as exc:  # one model that fails to load does not stop the others
            error(f"{name}: {exc}")
            continue
        save(store, result)
        results.append(result)
        print(result.line())
    best = recommend(results)
    if best is None:
        print(f"None of these keeps live dictation within {LIVE_TARGET_MEDIAN_S:.1f} s here; tiny.en is the fastest.")
    else:
        print(f"Recommended for live dictation on this machine: {best.name}.")
    return EXIT_OK if results else EXIT_FAILED


class _DownloadLine:
    """``downloading small.en  120 of 484 MB  5.2 MB/s  1 min 10 s left`` on one line of stderr."""

    def __init__(self) -> None:
        self.shown = False

    def show(self, p) -> None:
        sys.stderr.write(f"\r{p.name}  {p.describe()}\x1b[K")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
