"""The file path in noise: the app against bare faster-whisper in the same run, same model.

Real read speech (the dev passages of ``../shared/speech/dev``, about 4 minutes each, split by
speaker into a tune half and a check half) is mixed with real recorded noise (Speech Commands'
background noises, CC BY 4.0: ``data/_background_noise_/`` of the public repository
chaeyoung-lee/wids_tutorial) at the given SNRs; each passage meets a different noise at each
SNR, looped from an offset that depends on the passage. Clean long-form passages can be added.

Bare faster-whisper is run as its users run it (tiny.en, beam 5, its temperature fallback, word
timestamps); the app through :class:`~dictation_app.engine.FileTranscriber`. Printed: corpus and
per-file WER for each condition, hypotheses holding a loop (an n-gram of up to 10 words said 3
times in a row that the reference does not have), windows the app decoded again, wall time,
and with ``--twice`` whether the app gave the same words on a second run.

    python benchmarks/bench_noise.py --half tune --snr 5 10 [inf] --noise DIR [--longform] [--twice]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT.parent / "shared" / "speech"
RECORDED = ("doing_the_dishes", "running_tap", "exercise_bike", "dude_miaowing")


def mix(speech: np.ndarray, noise: np.ndarray, snr_db: float, offset_s: float) -> np.ndarray:
    """``speech`` with ``noise`` (looped from ``offset_s``) at ``snr_db`` dB below it (RMS over
    the whole passage), scaled down only if the sum would clip."""
    start = int(offset_s * 16000) % len(noise)
    reps = -(-(start + len(speech)) // len(noise))
    looped = np.tile(noise, reps)[start : start + len(speech)]
    gain = np.sqrt(np.mean(speech**2) / (np.mean(looped**2) * 10 ** (snr_db / 10)))
    mixed = speech + gain * looped
    peak = np.max(np.abs(mixed))
    return (mixed / peak * 0.99 if peak > 0.99 else mixed).astype(np.float32)


def loops(hypothesis: str, reference: str) -> bool:
    """A run of 3 or more of one n-gram (n <= 10) in the hypothesis that the reference lacks."""
    from dictation_app.engine.guards import repetition_start
    from dictation_app.evaluation import normalize

    return repetition_start(normalize(hypothesis).split(), 3, 10) is not None and (
        repetition_start(normalize(reference).split(), 3, 10) is None
    )


def conditions(args) -> list[tuple[str, str, str, np.ndarray]]:
    """(condition, name, reference, samples) for every file of the run."""
    from dictation_app.audio import load_audio
    from dictation_app.evaluation import read_manifest

    files = []
    halves = ("tune", "check") if args.half == "both" else (args.half,)
    entries = [e for h in halves for e in read_manifest(SPEECH / "dev" / f"manifest-{h}.tsv")][: args.limit]
    noises = [(n, load_audio(args.noise / f"{n}.wav").samples) for n in args.noises]
    for k, snr in enumerate(args.snr):
        for i, entry in enumerate(entries):
            speech = load_audio(entry.path).samples
            if snr == float("inf"):
                files.append(("clean", entry.path.stem, entry.reference, speech))
                continue
            name, noise = noises[(i + k) % len(noises)]
            samples = mix(speech, noise, snr, offset_s=7.3 * i)
            files.append((f"{snr:g} dB", f"{entry.path.stem}+{name}", entry.reference, samples))
    if args.longform:
        for entry in read_manifest(SPEECH / "longform" / "manifest.tsv")[: args.limit]:
            files.append(("clean long-form", entry.path.stem, entry.reference, load_audio(entry.path).samples))
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["tune", "check", "both"], default="tune")
    parser.add_argument("--snr", type=float, nargs="*", default=[5.0, 10.0], help="dB; inf: the passages clean")
    parser.add_argument("--noise", type=Path, default=ROOT.parent / "noise", help="folder of the noise .wav files")
    parser.add_argument("--noises", nargs="+", default=list(RECORDED))
    parser.add_argument("--longform", action="store_true", help="add the clean long-form passages")
    parser.add_argument("--twice", action="store_true", help="run the app a second time and compare")
    parser.add_argument("--limit", type=int, help="passages per condition")
    parser.add_argument("--only", choices=["app", "bare"], help="run one side")
    parser.add_argument("--unguarded", action="store_true", help="the app without its re-decoding (to compare)")
    args = parser.parse_args()

    from dictation_app.engine import FileTranscriber, ModelStore, TranscribeOptions
    from dictation_app.evaluation import wer

    model = ModelStore().load("tiny.en")
    app = FileTranscriber(model, "tiny.en")
    if args.unguarded:
        app._guarded = model
    options = TranscribeOptions(language="en")

    def run_app(samples):
        transcription = app.start_samples(samples, options)
        text = transcription.run().text
        return text, getattr(transcription, "redecoded", 0)

    def run_bare(samples):
        segments, _ = model.transcribe(samples, language="en", beam_size=5, word_timestamps=True)
        return " ".join(s.text.strip() for s in segments), 0

    sides = {"app": run_app, "bare": run_bare}
    sides = {args.only: sides[args.only]} if args.only else sides
    files = conditions(args)
    results: dict[str, list] = {side: [] for side in sides}
    wall = dict.fromkeys(sides, 0.0)
    changed = 0
    for i, (condition, name, reference, samples) in enumerate(files):
        order = list(sides) if i % 2 == 0 else list(sides)[::-1]
        line = [f"{condition:>15s} {name:32s}"]
        for side in order:
            started = time.perf_counter()
            text, redecoded = sides[side](samples)
            wall[side] += time.perf_counter() - started
            results[side].append((condition, reference, text, redecoded))
        for side in sides:
            _, _, text, redecoded = results[side][-1]
            mark = " LOOP" if loops(text, reference) else ""
            extra = f" redecoded={redecoded}" if side == "app" else ""
            line.append(f"{side}={wer([reference], [text]) * 100:6.2f}%{extra}{mark}")
        if args.twice and "app" in sides:
            again, _ = run_app(samples)
            if again != results["app"][-1][2]:
                changed += 1
                line.append("SECOND RUN DIFFERS")
        print("  ".join(line), flush=True)

    audio_s = sum(len(f[3]) for f in files) / 16000
    print(f"files={len(files)} audio_s={audio_s:.0f} half={args.half} snr={args.snr} noises={args.noises}")
    for condition in dict.fromkeys(f[0] for f in files):
        cells = []
        for side, rows in results.items():
            mine = [r for r in rows if r[0] == condition]
            score = wer([r[1] for r in mine], [r[2] for r in mine]) * 100
            looped = sum(loops(r[2], r[1]) for r in mine)
            cells.append(f"{side} WER={score:.2f}% loops={looped}")
        print(f"{condition:>15s}: " + "  ".join(cells))
    for side, rows in results.items():
        redecoded = sum(r[3] for r in rows)
        print(
            f"{side:5s} wall_s={wall[side]:.1f} RTF={wall[side] / audio_s:.4f}"
            + (f" windows_redecoded={redecoded}" if side == "app" else "")
        )
    if len(sides) == 2:
        worse = [
            (f[1], wer([a[1]], [a[2]]) - wer([b[1]], [b[2]])) for f, a, b in zip(files, results["app"], results["bare"])
        ]
        over = [f"{n} (+{d * 100:.1f})" for n, d in worse if d > 0.01]
        print(
            f"ratio app/bare wall={wall['app'] / wall['bare']:.3f}; files over 1 point worse than bare: {over or 'none'}"
        )
    if args.twice:
        print(f"second app run: {changed} of {len(files)} files differ")


if __name__ == "__main__":
    main()
