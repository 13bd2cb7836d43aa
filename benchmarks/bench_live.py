"""Live dictation figures on the long-form passages, in one run.

* offline WER (the app's file path, text only) and live WER (the streaming engine given
  0.1-s blocks, as from a microphone, as fast as it decodes them, so independent of machine
  speed) on the same passages;
* commit latency (median, p95) and first-partial latency with audio paced in real time;
* CPU use while listening to 30 s of silence (real time), and words emitted there;
* peak RSS of this process.

    python benchmarks/bench_live.py [--manifest M.tsv] [--limit N] [--realtime-limit K] [--jobs J]
                                    [--set pause_s=1.0 --set chunk_s=1.0 ...]

``--jobs`` splits the (machine-speed independent) live WER pass over J processes with the
cores shared out among them; the real-time and silence figures always run alone.
``--set`` changes one :class:`StreamingOptions` field for the whole run (repeatable), so a
policy variant is measured with the same command as the default.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MANIFESTS = [ROOT.parent / "shared" / "speech" / "longform" / "manifest.tsv", ROOT / "tests" / "data" / "longform.tsv"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=next((m for m in DEFAULT_MANIFESTS if m.exists()), None))
    parser.add_argument("--limit", type=int, help="passages for the WER comparison (default: all)")
    parser.add_argument("--realtime-limit", type=int, default=3, help="passages paced in real time for latency")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=1, help="processes for the live WER pass")
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                        help="a StreamingOptions field for this run, e.g. pause_s=1.0 (repeatable)")
    args = parser.parse_args()

    from dictation_app.core.dictation import DictationService
    from dictation_app.engine import FileTranscriber, TranscribeOptions
    from dictation_app.engine.streaming import StreamingOptions
    from dictation_app.evaluation import LiveRecognizer, read_manifest, score_files, summarize

    service = DictationService()
    model = service.load_now("tiny.en")
    entries = read_manifest(args.manifest, args.limit)
    offline = FileTranscriber(model, "tiny.en")
    text_only = TranscribeOptions(language="en", word_timestamps=False, beam_size=args.beam_size)
    try:
        options = _streaming_options(StreamingOptions(beam_size=args.beam_size), args.set)
    except ValueError as e:
        parser.error(str(e))

    def offline_text(path):
        t = offline.transcribe(path, text_only)
        return t.text, t.metadata.duration

    off = summarize(list(score_files(entries, offline_text)))
    if args.jobs > 1:
        live = summarize(_parallel_live(entries, options, args.jobs))
    else:
        live = summarize(list(score_files(entries, LiveRecognizer(service, options))))
    print(f"passages={off.files} audio_s={off.audio_s:.1f} manifest={args.manifest}")
    if args.set:
        print("options " + " ".join(args.set))
    print(f"offline WER={off.wer * 100:.2f}% RTF={off.rtf:.3f}")
    print(f"live    WER={live.wer * 100:.2f}% RTF={live.rtf:.3f} (delta {100 * (live.wer - off.wer):+.2f} points)")

    realtime = LiveRecognizer(service, options, realtime=True)
    rt = summarize(list(score_files(entries[: args.realtime_limit], realtime)))
    print(f"realtime passages={rt.files} WER={rt.wer * 100:.2f}% {realtime.latency.summary()}")

    silence = LiveRecognizer(service, options, realtime=True)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    text, _ = _quiet_room(silence)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(f"quiet room 30 s: cpu={100 * cpu / wall:.1f}% of one core, words={len(text.split())}, "
          f"decodes={silence.decodes}")
    print(f"peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def _streaming_options(options, settings: list[str]):
    """``options`` with ``FIELD=VALUE`` settings applied, each value parsed as its field's type."""
    import dataclasses

    defaults = {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}
    changes = {}
    for setting in settings:
        name, sep, value = setting.partition("=")
        if not sep or name not in defaults or name == "vad":
            raise ValueError(f"--set {setting}: expected FIELD=VALUE with FIELD one of "
                             + ", ".join(n for n in defaults if n != "vad"))
        default = defaults[name]
        if value.lower() == "none":
            changes[name] = None
        elif isinstance(default, (int, float)) and not isinstance(default, bool):
            try:
                changes[name] = type(default)(value)
            except ValueError:
                raise ValueError(f"--set {setting}: {name} takes a number") from None
        else:
            changes[name] = value
    return dataclasses.replace(options, **changes)


_worker_recognizer = None


def _start_worker(options, threads: int) -> None:
    global _worker_recognizer
    from dictation_app.core.dictation import DictationService
    from dictation_app.engine import LoadOptions
    from dictation_app.evaluation import LiveRecognizer

    service = DictationService()
    service.load_now("tiny.en", LoadOptions(cpu_threads=threads))
    _worker_recognizer = LiveRecognizer(service, options)


def _score_one(entry):
    from dictation_app.evaluation import score_files

    return next(score_files([entry], _worker_recognizer))


def _parallel_live(entries, options, jobs: int):
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    threads = max(1, (os.cpu_count() or 1) // jobs)
    context = multiprocessing.get_context("spawn")
    # longest first, so one long passage does not finish alone at the end
    ordered = sorted(entries, key=lambda e: e.path.stat().st_size, reverse=True)
    with ProcessPoolExecutor(jobs, context, initializer=_start_worker, initargs=(options, threads)) as pool:
        return list(pool.map(_score_one, ordered))


def _quiet_room(recognizer):
    """30 s of a quiet room (noise at -60 dBFS) through the real-time live path."""
    import tempfile
    import wave

    noise = (np.random.default_rng(0).standard_normal(30 * 16_000) * 0.001 * 32767).astype("<i2")
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        with wave.open(f.name, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16_000)
            w.writeframes(noise.tobytes())
        return recognizer(Path(f.name))


if __name__ == "__main__":
    main()
