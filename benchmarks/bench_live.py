"""Live dictation figures on the shared speech sets, in one run.

For each set (the dev set's tune and check halves, split by speaker, and the older long-form
passages; whichever exist under ``../shared/speech``):

* offline WER (the app's file path, text only) and live WER (the streaming engine given 0.1-s
  blocks, as from a microphone, as fast as it decodes them, so independent of machine speed),
  both for the live text as revised when each utterance is heard whole (what the window's
  editor and ``listen --output`` keep) and as first committed (what live typing leaves in
  another application);
* the boundary figure: WER of the live text against the app's offline text of the same audio
  with case and punctuation kept ("resuscitation, With" and "potatoes. and" count), so live
  text is measured by how it reads, not only by its words.

Then, on the first passages of the check half paced in real time: live WER, commit latency
(median, p95) and first-partial latency, and beside them, in the same run, the anchor
ufal/whisper_streaming (``--anchor DIR``, its ``whisper_online.py``; see
``anchor_whisper_streaming.py``) on the same passages with the same model, beam and threads.
Last, CPU use while listening to 30 s of a quiet room, and peak RSS.

    python benchmarks/bench_live.py [--sets tune,check,longform] [--manifest M.tsv] [--limit N]
                                    [--realtime-limit K] [--anchor DIR] [--jobs J]
                                    [--set revise=0 --set chunk_s=1.0 ...]

``--jobs`` splits the (machine-speed independent) live WER pass over J processes with the
cores shared out among them; the real-time and silence figures always run alone.
``--set`` changes one :class:`StreamingOptions` field for the whole run (repeatable), so a
policy variant is measured with the same command as the default.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT.parent / "shared" / "speech"
SETS = {
    "tune": SPEECH / "dev" / "manifest-tune.tsv",
    "check": SPEECH / "dev" / "manifest-check.tsv",
    "longform": SPEECH / "longform" / "manifest.tsv",
    "tests": ROOT / "tests" / "data" / "longform.tsv",  # when ../shared is not there
}
THREADS = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="tune,check,longform", help="comma-separated: " + ", ".join(SETS))
    parser.add_argument("--manifest", type=Path, help="one more set: a manifest of your own")
    parser.add_argument("--limit", type=int, help="passages per set for the WER comparison (default: all)")
    parser.add_argument("--realtime-limit", type=int, default=3, help="check-half passages paced in real time")
    parser.add_argument("--anchor", type=Path, help="folder with whisper_streaming's whisper_online.py")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=1, help="processes for the live WER pass")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="a StreamingOptions field for this run, e.g. pause_s=1.0 (repeatable)",
    )
    args = parser.parse_args()

    from dictation_app.core.dictation import DictationService
    from dictation_app.engine import LoadOptions
    from dictation_app.engine.streaming import StreamingOptions
    from dictation_app.evaluation import read_manifest

    try:
        options = _streaming_options(StreamingOptions(beam_size=args.beam_size), args.set)
    except ValueError as e:
        parser.error(str(e))
    sets = {name: SETS[name] for name in args.sets.split(",") if name in SETS and SETS[name].exists()}
    if args.manifest:
        sets["custom"] = args.manifest
    if not sets:
        sets["tests"] = SETS["tests"]
    service = DictationService()
    model = service.load_now("tiny.en", LoadOptions(cpu_threads=THREADS))
    if args.set:
        print("options " + " ".join(args.set))
    for name, manifest in sets.items():
        _compare(name, read_manifest(manifest, args.limit), service, model, options, args)

    realtime_set = SETS["check"] if SETS["check"].exists() else next(iter(sets.values()))
    entries = read_manifest(realtime_set, None)[: args.realtime_limit]
    _realtime(entries, service, options, args.anchor)

    from dictation_app.evaluation import LiveRecognizer

    silence = LiveRecognizer(service, options, realtime=True)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    text, _ = _quiet_room(silence)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(
        f"quiet room 30 s: cpu={100 * cpu / wall:.1f}% of one core, words={len(text.split())}, "
        f"decodes={silence.decodes}"
    )
    print(f"peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


def _compare(name, entries, service, model, options, args) -> None:
    """Offline and live on one set: WER, and how live text reads against offline text."""
    from dictation_app.engine import FileTranscriber, TranscribeOptions
    from dictation_app.evaluation import LiveRecognizer, formatted_wer, score_files, summarize, wer

    offline = FileTranscriber(model, "tiny.en")
    text_only = TranscribeOptions(language="en", word_timestamps=False, beam_size=args.beam_size)

    def offline_text(path):
        t = offline.transcribe(path, text_only)
        return t.text, t.metadata.duration

    off_scores = list(score_files(entries, offline_text))
    if args.jobs > 1:
        live_scores = _parallel_live(entries, options, args.jobs)
    else:
        recognizer = LiveRecognizer(service, options)
        live_scores = []
        for score in score_files(entries, recognizer):
            live_scores.append((score, recognizer.live_text))
    by_path = {score.path: (score, committed) for score, committed in live_scores}
    live_scores = [by_path[e.path] for e in entries]
    off, live = summarize(off_scores), summarize([s for s, _ in live_scores])
    refs = [e.reference for e in entries]
    committed = [c for _, c in live_scores]
    committed_wer = wer(refs, committed)
    offline_texts = [s.hypothesis for s in off_scores]
    print(f"[{name}] passages={off.files} audio_min={off.audio_s / 60:.1f}")
    print(f"[{name}] offline WER={off.wer * 100:.2f}% RTF={off.rtf:.3f}")
    print(
        f"[{name}] live    WER={live.wer * 100:.2f}% (delta {100 * (live.wer - off.wer):+.2f}) as revised; "
        f"{committed_wer * 100:.2f}% (delta {100 * (committed_wer - off.wer):+.2f}) as first committed; "
        f"RTF={live.rtf:.3f}"
    )
    print(
        f"[{name}] boundary (case- and punctuation-sensitive WER against offline text): "
        f"revised {100 * formatted_wer(offline_texts, [s.hypothesis for s, _ in live_scores]):.2f}%, "
        f"first committed {100 * formatted_wer(offline_texts, committed):.2f}%"
    )
    per = " ".join(
        f"{e.path.stem}:{100 * (lv.wer - of.wer):+.1f}" for e, of, (lv, _) in zip(entries, off_scores, live_scores)
    )
    print(f"[{name}] per passage live-offline: {per}", flush=True)


def _realtime(entries, service, options, anchor: Path | None) -> None:
    from dictation_app.evaluation import LiveRecognizer, score_files, summarize, wer

    realtime = LiveRecognizer(service, options, realtime=True)
    rt = summarize(list(score_files(entries, realtime)))
    names = ",".join(e.path.stem for e in entries)
    print(
        f"realtime app passages={rt.files} ({names}) audio_min={rt.audio_s / 60:.1f} WER={rt.wer * 100:.2f}% "
        f"{realtime.latency.summary()}",
        flush=True,
    )
    if anchor is None:
        print("realtime anchor: not run (give --anchor DIR with whisper_streaming's whisper_online.py)")
        return
    texts, latencies = [], []
    for entry in entries:
        result = subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "anchor_whisper_streaming.py"),
                "--repo",
                str(anchor),
                "--threads",
                str(THREADS),
                str(entry.path),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": str(THREADS)},
        )
        if result.returncode:
            print(f"realtime anchor failed on {entry.path.name}: {result.stderr.strip()[-2000:]}")
            return
        out = json.loads(result.stdout.strip().splitlines()[-1])
        texts.append(out["text"])
        latencies += out["latencies"]
    from dictation_app.core.latency import percentile

    print(
        f"realtime whisper_streaming passages={len(entries)} WER={100 * wer([e.reference for e in entries], texts):.2f}% "
        f"latency_median_s={percentile(latencies, 50):.2f} latency_p95_s={percentile(latencies, 95):.2f}",
        flush=True,
    )


def _streaming_options(options, settings: list[str]):
    """``options`` with ``FIELD=VALUE`` settings applied, each value parsed as its field's type."""
    import dataclasses

    defaults = {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}
    changes = {}
    for setting in settings:
        name, sep, value = setting.partition("=")
        if not sep or name not in defaults or name == "vad":
            raise ValueError(
                f"--set {setting}: expected FIELD=VALUE with FIELD one of "
                + ", ".join(n for n in defaults if n != "vad")
            )
        default = defaults[name]
        if value.lower() == "none":
            changes[name] = None
        elif isinstance(default, bool):
            if value.lower() not in ("0", "1", "true", "false", "on", "off"):
                raise ValueError(f"--set {setting}: {name} takes 1/0 (on/off)")
            changes[name] = value.lower() in ("1", "true", "on")
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

    score = next(score_files([entry], _worker_recognizer))
    return score, _worker_recognizer.live_text


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
