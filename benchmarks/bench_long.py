"""Long recordings: wall time, RTF, peak RSS and WER of the app's file path against bare
faster-whisper on the same audio, in one run; and faster-whisper's batched pipeline against
its sequential path.

The audio is real speech: the shared long-form passages (30 min) concatenated and repeated to
each length, written once as 16-bit WAV. Every measurement runs in a child process of its own,
so each peak RSS is that path's alone. tiny.en int8, beam 5, word timestamps, English.

    python benchmarks/bench_long.py [--minutes 10 60 120] [--batched-minutes 10] [--batch-size 8] [--spread]
                                    [--rotations 0 5 10] [--whole]

``--rotations`` makes one recording per value: the passages in order starting from that one
(other audio, the same speech), so app and bare are compared over several recordings and not
on one decode's luck; each path's windows (30-s decodes) and words are counted, and the
wall time per window shows whether the path itself costs anything. ``restarts`` counts the
app's decodes started again from a word stretched over speech (a window that goes back in time).

``--whole`` also runs the app with the bounded path off: the whole-file decode the app did
before it, whose words the bounded path must give (the same spectrogram, the same decoding).

``--spread`` also runs bare faster-whisper with numpy's BLAS on one thread. On this machine
that is the same computation (the same words), so its wall time against bare's is the
run-to-run noise any comparison of wall times stands on; on another machine (another BLAS
kernel) the spectrogram may differ in the last bit and tiny.en's beam search turn that into a
few different words.
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
import json, logging, resource, sys, time
from dictation_app.engine import FileTranscriber, ModelStore, TranscribeOptions
path, how, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
windows, tokens, restarts, last = [0], [0], [0], [-1.0]
class Count(logging.Handler):  # faster-whisper logs each 30-s window it decodes
    def emit(self, record):
        if record.getMessage().startswith("Processing segment at"):
            windows[0] += 1
            at = sum(float(x) * 60 ** i for i, x in enumerate(reversed(str(record.args[0]).split(":"))))
            restarts[0] += at < last[0]  # the app decoding again from a stretched word
            last[0] = at
logging.getLogger("faster_whisper").addHandler(Count())
logging.getLogger("faster_whisper").setLevel(logging.DEBUG)
model = ModelStore().load("tiny.en")
options = TranscribeOptions(language="en", beam_size=5, word_timestamps=True)
started = time.perf_counter()
if how in ("app", "whole"):  # whole: the app with the bounded path off, as before it
    transcriber = FileTranscriber(model, "tiny.en", **({"long_file_s": float("inf")} if how == "whole" else {}))
    transcript = transcriber.transcribe(path, options)
    text = transcript.text
    tokens[0] = sum(len(s.words) for s in transcript.segments)
elif how == "bare":
    segments, _ = model.transcribe(path, **options.whisper_kwargs(False))
    segments = list(segments)
    text = " ".join(s.text.strip() for s in segments)
    tokens[0] = sum(len(s.words) for s in segments)
else:  # batched
    from faster_whisper import BatchedInferencePipeline
    kwargs = {**options.whisper_kwargs(False), "vad_filter": True}  # it batches the VAD's speech chunks
    segments, _ = BatchedInferencePipeline(model).transcribe(path, batch_size=batch, **kwargs)
    text = " ".join(s.text.strip() for s in segments)
wall = time.perf_counter() - started
print(json.dumps({"wall": wall, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "text": text,
                  "windows": windows[0], "words": tokens[0], "restarts": restarts[0]}))
"""


def make_audio(minutes: float, folder: Path, rotation: int = 0) -> tuple[Path, str]:
    """The long-form passages in order from passage ``rotation``, repeated to ``minutes``;
    whole passages only."""
    from dictation_app.audio.decode import load_audio

    with open(LONG, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    rows = rows[rotation:] + rows[:rotation]
    path = folder / f"speech-{minutes:g}min-{rotation}.wav"
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

    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), how, str(batch)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _compare(results: dict, reference: str, wer) -> None:
    app, bare = results["app"], results["bare"]
    print(
        f"         app/bare: wall {app['wall'] / bare['wall']:.3f}, peak RSS {app['rss_mb'] / bare['rss_mb']:.3f}, "
        f"WER {100 * (wer([reference], [app['text']]) - wer([reference], [bare['text']])):+.2f} points, "
        f"words differ {wer([bare['text']], [app['text']]) * 100:.2f}%",
        flush=True,
    )
    if "whole" in results:
        whole = results["whole"]
        print(
            f"         app/whole-file app: wall {app['wall'] / whole['wall']:.3f}, peak RSS "
            f"{app['rss_mb'] / whole['rss_mb']:.3f}, WER {100 * (wer([reference], [app['text']]) - wer([reference], [whole['text']])):+.2f} "
            f"points, words differ {wer([whole['text']], [app['text']]) * 100:.2f}%",
            flush=True,
        )
    if "bare-1" in results:
        one = results["bare-1"]
        print(
            f"         bare, 1 BLAS thread vs 2: wall {one['wall'] / bare['wall']:.3f}, "
            f"WER {100 * (wer([reference], [one['text']]) - wer([reference], [bare['text']])):+.2f} "
            f"points, words differ {wer([bare['text']], [one['text']]) * 100:.2f}%",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[10, 60, 120])
    parser.add_argument("--batched-minutes", type=float, default=10)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--whole", action="store_true", help="also the app with the bounded path off")
    parser.add_argument("--spread", action="store_true", help="also bare faster-whisper with one BLAS thread")
    parser.add_argument("--rotations", type=int, nargs="+", default=[0], help="first passage of each recording")
    args = parser.parse_args()
    from dictation_app.evaluation import wer

    folder = Path(tempfile.mkdtemp(prefix="bench-long-"))
    print("minutes  rotation  path      wall_s   RTF    peak_RSS_MB  WER     windows  words  ms/window  restarts")
    totals: dict[tuple[float, str], list[float]] = {}
    for minutes in args.minutes:
        for rotation in args.rotations:
            path, reference = make_audio(minutes, folder, rotation)
            audio_s = wave.open(str(path)).getnframes() / 16_000
            results = {}
            runs = [("bare", "bare", None), ("app", "app", None)]
            if args.whole:
                runs.append(("whole", "whole", None))
            if args.spread:
                runs.append(("bare-1", "bare", {"OPENBLAS_NUM_THREADS": "1"}))
            for name, how, env in runs:
                r = results[name] = measure(path, how, env=env)
                total = totals.setdefault((minutes, name), [0.0, 0, 0])
                total[0] += r["wall"]
                total[1] += r["windows"]
                total[2] += 1
                print(
                    f"{audio_s / 60:7.1f}  {rotation:8d}  {name:8s} {r['wall']:7.1f}  {r['wall'] / audio_s:.3f}  "
                    f"{r['rss_mb']:11.0f}  {wer([reference], [r['text']]) * 100:5.2f}%  {r['windows']:7d}  "
                    f"{r['words']:5d}  {1000 * r['wall'] / max(1, r['windows']):9.0f}  {r['restarts']:8d}",
                    flush=True,
                )
            _compare(results, reference, wer)
            path.unlink()
        if len(args.rotations) > 1:
            bare = totals[(minutes, "bare")]
            for name in [n for (m, n) in totals if m == minutes]:
                wall, windows, count = totals[(minutes, name)]
                print(
                    f"{minutes:7g}  all {count}: {name:8s} wall {wall:.1f} s ({wall / bare[0]:.3f} of bare), "
                    f"{windows} windows ({windows / max(1, bare[1]):.3f} of bare)",
                    flush=True,
                )
    if args.batched_minutes:
        path, reference = make_audio(args.batched_minutes, folder)
        audio_s = wave.open(str(path)).getnframes() / 16_000
        for how in ("bare", "batched"):
            r = measure(path, how, args.batch_size)
            label = "sequential" if how == "bare" else f"batched (batch {args.batch_size})"
            print(
                f"{audio_s / 60:7.1f}  {label}: wall {r['wall']:.1f} s, RTF {r['wall'] / audio_s:.3f}, "
                f"peak RSS {r['rss_mb']:.0f} MB, WER {wer([reference], [r['text']]) * 100:.2f}%",
                flush=True,
            )
        path.unlink()


if __name__ == "__main__":
    main()
