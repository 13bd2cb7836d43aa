"""Long recordings: wall time, RTF, peak RSS and WER of the app's file path against bare
faster-whisper on the same audio, in one run; and faster-whisper's batched pipeline against
its sequential path.

The audio is real speech: the shared long-form passages (30 min) concatenated and repeated to
each length, written once as 16-bit WAV. Every measurement runs in a child process of its own,
so each peak RSS is that path's alone. tiny.en int8, beam 5, word timestamps, English.

    python benchmarks/bench_long.py [--minutes 10 60 120] [--batched-minutes 10] [--batch-size 8] [--spread]

``--spread`` also runs bare faster-whisper with numpy's BLAS on one thread: its spectrogram
then differs from the two-thread one in the last bit (1e-7), as it does between machines, and
tiny.en's beam search turns that into a few different words. That is the noise floor any
comparison with "the whole-file decode" stands on.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LONG = ROOT.parent / "shared" / "speech" / "longform" / "manifest.tsv"

CHILD = r"""
import json, resource, sys, time
from dictation_app.engine import FileTranscriber, ModelStore, TranscribeOptions
path, how, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = ModelStore().load("tiny.en")
options = TranscribeOptions(language="en", beam_size=5, word_timestamps=True)
started = time.perf_counter()
if how == "app":
    text = FileTranscriber(model, "tiny.en").transcribe(path, options).text
elif how == "bare":
    segments, _ = model.transcribe(path, **options.whisper_kwargs(False))
    text = " ".join(s.text.strip() for s in segments)
else:  # batched
    from faster_whisper import BatchedInferencePipeline
    kwargs = {**options.whisper_kwargs(False), "vad_filter": True}  # it batches the VAD's speech chunks
    segments, _ = BatchedInferencePipeline(model).transcribe(path, batch_size=batch, **kwargs)
    text = " ".join(s.text.strip() for s in segments)
wall = time.perf_counter() - started
print(json.dumps({"wall": wall, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "text": text}))
"""


def make_audio(minutes: float, folder: Path) -> tuple[Path, str]:
    """The long-form passages in order, repeated to ``minutes``; whole passages only."""
    from dictation_app.audio.decode import load_audio

    with open(LONG, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    path = folder / f"speech-{minutes:g}min.wav"
    texts, total = [], 0.0
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        while total < minutes * 60:
            for row in rows:
                samples = load_audio(LONG.parent / row["path"]).samples
                out.writeframes((samples * 32768).clip(-32768, 32767).astype("<i2").tobytes())
                texts.append(row["reference_text"])
                total += len(samples) / 16_000
                if total >= minutes * 60:
                    break
    return path, " ".join(texts)


def measure(path: Path, how: str, batch: int = 8, env: dict | None = None) -> dict:
    import os

    out = subprocess.run([sys.executable, "-c", CHILD, str(path), how, str(batch)], capture_output=True, text=True,
                         check=True, env={**os.environ, **(env or {})})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[10, 60, 120])
    parser.add_argument("--batched-minutes", type=float, default=10)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--spread", action="store_true", help="also bare faster-whisper with one BLAS thread")
    args = parser.parse_args()
    from dictation_app.evaluation import wer

    folder = Path(tempfile.mkdtemp(prefix="bench-long-"))
    print("minutes  path      wall_s   RTF    peak_RSS_MB  WER")
    for minutes in args.minutes:
        path, reference = make_audio(minutes, folder)
        audio_s = wave.open(str(path)).getnframes() / 16_000
        results = {}
        runs = [("bare", "bare", None), ("app", "app", None)]
        if args.spread:
            runs.append(("bare-1", "bare", {"OPENBLAS_NUM_THREADS": "1"}))
        for name, how, env in runs:
            r = results[name] = measure(path, how, env=env)
            print(f"{audio_s / 60:7.1f}  {name:8s} {r['wall']:7.1f}  {r['wall'] / audio_s:.3f}  {r['rss_mb']:11.0f}  "
                  f"{wer([reference], [r['text']]) * 100:.2f}%", flush=True)
        app, bare = results["app"], results["bare"]
        print(f"         app/bare: wall {app['wall'] / bare['wall']:.3f}, peak RSS {app['rss_mb'] / bare['rss_mb']:.3f}, "
              f"WER {100 * (wer([reference], [app['text']]) - wer([reference], [bare['text']])):+.2f} points, "
              f"words differ {wer([bare['text']], [app['text']]) * 100:.2f}%", flush=True)
        if "bare-1" in results:
            one = results["bare-1"]
            print(f"         bare, 1 BLAS thread vs 2: WER {100 * (wer([reference], [one['text']]) - wer([reference], [bare['text']])):+.2f} "
                  f"points, words differ {wer([bare['text']], [one['text']]) * 100:.2f}%", flush=True)
        path.unlink()
    if args.batched_minutes:
        path, reference = make_audio(args.batched_minutes, folder)
        audio_s = wave.open(str(path)).getnframes() / 16_000
        for how in ("bare", "batched"):
            r = measure(path, how, args.batch_size)
            label = "sequential" if how == "bare" else f"batched (batch {args.batch_size})"
            print(f"{audio_s / 60:7.1f}  {label}: wall {r['wall']:.1f} s, RTF {r['wall'] / audio_s:.3f}, "
                  f"peak RSS {r['rss_mb']:.0f} MB, WER {wer([reference], [r['text']]) * 100:.2f}%", flush=True)
        path.unlink()


if __name__ == "__main__":
    main()
