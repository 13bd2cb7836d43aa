"""The app's file transcription path against bare faster-whisper, same model, files and settings.

Wall time is measured in one process, interleaved file by file (the order of the two paths
alternates so neither always runs on a warm cache). Peak RSS is measured in two fresh child
processes, one per path, over the same files. Prints both and their ratios.

    python benchmarks/bench_transcribe.py [--manifest M.tsv] [--limit N] [--no-word-timestamps]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MANIFESTS = [
    ROOT.parent / "shared" / "speech" / "longform" / "manifest.tsv",
    ROOT / "tests" / "data" / "manifest.tsv",
]


def _setup(word_timestamps: bool):
    from dictation_app.engine import FileTranscriber, ModelStore, TranscribeOptions

    model = ModelStore().load("tiny.en")
    options = TranscribeOptions(language="en", word_timestamps=word_timestamps)
    kwargs = options.whisper_kwargs(model.model.is_multilingual)
    app = FileTranscriber(model, "tiny.en")

    def run_app(path: Path) -> str:
        return app.transcribe(path, options).text

    def run_bare(path: Path) -> str:
        segments, _ = model.transcribe(str(path), **kwargs)
        return " ".join(s.text.strip() for s in segments)

    return {"app": run_app, "bare": run_bare}


def _files(manifest: Path, limit: int | None) -> list[Path]:
    from dictation_app.evaluation import read_manifest

    return [e.path for e in read_manifest(manifest, limit)]


def _child_peak_rss(path_name: str, args: argparse.Namespace) -> float:
    """Run one path alone in a child process; return its peak RSS in MB."""
    cmd = [sys.executable, __file__, "--child", path_name, "--manifest", str(args.manifest)]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    if not args.word_timestamps:
        cmd.append("--no-word-timestamps")
    process = subprocess.Popen(cmd)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise SystemExit(f"child {path_name} failed with status {status}")
    return usage.ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=next((m for m in DEFAULT_MANIFESTS if m.exists()), None))
    parser.add_argument("--limit", type=int)
    parser.add_argument("--no-word-timestamps", dest="word_timestamps", action="store_false")
    parser.add_argument("--child", choices=["app", "bare"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    from dictation_app.audio import load_audio

    files = _files(args.manifest, args.limit)
    paths = _setup(args.word_timestamps)
    if args.child:
        for f in files:
            paths[args.child](f)
        return

    audio_s = sum(load_audio(f).duration for f in files)
    wall = {"app": 0.0, "bare": 0.0}
    texts: dict[str, list[str]] = {"app": [], "bare": []}
    paths["bare"](files[0])  # warm-up: first decode pays one-time allocations
    for i, f in enumerate(files):
        order = ("app", "bare") if i % 2 == 0 else ("bare", "app")
        for name in order:
            started = time.perf_counter()
            texts[name].append(paths[name](f))
            wall[name] += time.perf_counter() - started
    rss = {name: _child_peak_rss(name, args) for name in ("app", "bare")}

    same = sum(a == b for a, b in zip(texts["app"], texts["bare"]))
    print(f"files={len(files)} audio_s={audio_s:.1f} word_timestamps={args.word_timestamps} manifest={args.manifest}")
    for name in ("bare", "app"):
        print(f"{name:5s} wall_s={wall[name]:.2f} RTF={wall[name] / audio_s:.4f} peak_rss_mb={rss[name]:.0f}")
    print(
        f"ratio app/bare: wall={wall['app'] / wall['bare']:.3f} peak_rss={rss['app'] / rss['bare']:.3f} "
        f"identical_texts={same}/{len(files)}"
    )


if __name__ == "__main__":
    main()
