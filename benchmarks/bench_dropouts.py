"""Live dictation against the offline decode of the same speech: spans of words lost.

Real utterances (the single LibriSpeech utterances of ``../shared/speech/manifest.tsv``; the
speakers of the dev set's tune or check half, so what was tuned on one half is confirmed on
the other) are said one after another, each after a silence, as a user dictates: ``--lead``
seconds of silence first (the microphone just opened), then every utterance followed by
``--gap`` seconds of silence. One session per speaker.

* ``--mode audio``: the session streamed through the live engine in audio time (0.1-s blocks
  as fast as they decode; the same words on any machine).
* ``--mode mic``: the session played in real time through the virtual microphone
  (``scripts/virtual-mic.sh``, paplay) into ``dictation-app listen --output``, as a user runs
  it; timing decides the decodes, so words vary from run to run. ``--busy N`` keeps N cores
  busy meanwhile (a slower machine: decodes come later, over more audio at once).

The words each utterance has in the app's offline decode (the file path, utterance by
utterance) are aligned with the session's live words (after Whisper's English normalizer):
a run of 3 or more offline words with no counterpart in the live text is a lost span. Both
live texts are compared: the final one (as revised when each utterance is heard whole: what
``--output``, the history and the window's editor keep) and, in audio mode, the first
committed words (what live typing leaves in another application). Printed: each lost span
with its utterance, totals, and the WER of each against the references.

    python benchmarks/bench_dropouts.py --half check [--mode audio|mic] [--busy N] [--lead 8] [--gap 4] [--limit N]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import wave
from difflib import SequenceMatcher
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT.parent / "shared" / "speech"
RATE = 16000
MIN_SPAN = 3


def utterances(half: str) -> dict[str, list]:
    """The manifest's LibriSpeech utterances of the half's speakers, by speaker."""
    from dictation_app.evaluation import read_manifest

    speakers = {e.path.stem.split("-")[0] for e in read_manifest(SPEECH / "dev" / f"manifest-{half}.tsv")}
    by_speaker: dict[str, list] = {}
    for entry in read_manifest(SPEECH / "manifest.tsv"):
        speaker = entry.path.stem.split("-")[0]
        if "librispeech" in entry.path.parts and speaker in speakers:
            by_speaker.setdefault(speaker, []).append(entry)
    return by_speaker


def lost_spans(offline: list[str], live: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of at least :data:`MIN_SPAN` offline words the live text lacks."""
    spans = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, offline, live, autojunk=False).get_opcodes():
        if tag == "delete" and i2 - i1 >= MIN_SPAN:
            spans.append((i1, i2))
        elif tag == "replace" and (i2 - i1) - (j2 - j1) >= MIN_SPAN:
            spans.append((i1, i2))
    return spans


def session_audio(entries, lead_s: float, gap_s: float) -> np.ndarray:
    from dictation_app.audio import load_audio

    parts = [np.zeros(int(lead_s * RATE), np.float32)]
    for entry in entries:
        parts += [load_audio(entry.path).samples, np.zeros(int(gap_s * RATE), np.float32)]
    return np.concatenate(parts)


def write_wav(path: Path, samples: np.ndarray) -> None:
    """16-bit mono (paplay plays 16-bit files faithfully)."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def live_in_audio_time(service, path: Path) -> tuple[str, str]:
    from dictation_app.evaluation import LiveRecognizer

    recognizer = LiveRecognizer(service)
    final, _ = recognizer(path)
    return final, recognizer.live_text


def live_through_microphone(path: Path, seconds: float, env: dict, load: int = 0) -> tuple[str, str]:
    """``dictation-app listen --output`` while paplay plays ``path`` into the virtual microphone
    (and ``load`` processes keep a core busy each, as other work on a slower machine would)."""
    out = path.with_suffix(".txt")
    listener = subprocess.Popen(
        [sys.executable, "-m", "dictation_app", "listen", "--no-commands", "--output", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    busy = []
    try:
        line = listener.stderr.readline()
        if "Listening on" not in line:
            raise SystemExit(f"listen did not start: {line}{listener.stderr.read()}")
        busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(load)]
        subprocess.run(["paplay", str(path)], env=env, check=True, timeout=seconds + 60)
        time.sleep(1.0)
    finally:
        for process in busy:
            process.kill()
        listener.send_signal(signal.SIGINT)
    stdout, stderr = listener.communicate(timeout=180)
    if listener.returncode != 0:
        raise SystemExit(f"listen failed: {stderr}")
    return out.read_text(encoding="utf-8"), stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=["tune", "check"], default="tune")
    parser.add_argument("--mode", choices=["audio", "mic"], default="audio")
    parser.add_argument("--lead", type=float, default=8.0, help="seconds of silence before the first utterance")
    parser.add_argument("--gap", type=float, default=4.0, help="seconds of silence after each utterance")
    parser.add_argument("--limit", type=int, help="utterances per speaker")
    parser.add_argument("--speakers", nargs="*", help="only these speakers")
    parser.add_argument("--busy", type=int, default=0, help="mic mode: processes that keep a core busy meanwhile")
    args = parser.parse_args()

    from dictation_app.engine import FileTranscriber, TranscribeOptions
    from dictation_app.evaluation import normalize, wer

    sessions = utterances(args.half)
    if args.speakers:
        sessions = {s: e for s, e in sessions.items() if s in args.speakers}
    from dictation_app.core.dictation import DictationService
    from dictation_app.engine import LoadOptions

    service = DictationService()
    model = service.load_now("tiny.en", LoadOptions(cpu_threads=2))
    env = dict(os.environ)
    if args.mode == "mic":
        runtime = subprocess.run(
            ["bash", str(ROOT / "scripts" / "virtual-mic.sh")], check=True, capture_output=True, text=True
        ).stdout.strip()
        env = {**env, "XDG_RUNTIME_DIR": runtime, "DICTATION_APP_DATA_DIR": tempfile.mkdtemp(prefix="dropouts-")}
    offline_path = FileTranscriber(model, "tiny.en")
    options = TranscribeOptions(language="en")
    totals = {"utterances": 0, "offline_words": 0}
    lost = {"final": [], "first": []}
    refs, hyps = [], {"offline": [], "final": [], "first": []}
    work = Path(tempfile.mkdtemp(prefix="bench-dropouts-"))
    for speaker, entries in sessions.items():
        entries = entries[: args.limit]
        offline = [offline_path.start(e.path, options).run().text for e in entries]
        audio = session_audio(entries, args.lead, args.gap)
        wav = work / f"{speaker}.wav"
        write_wav(wav, audio)
        if args.mode == "mic":
            final, first = live_through_microphone(wav, len(audio) / RATE, env, args.busy)
        else:
            final, first = live_in_audio_time(service, wav)
        words = [normalize(t).split() for t in offline]
        flat = [w for ws in words for w in ws]
        owner = [i for i, ws in enumerate(words) for _ in ws]
        texts = {"final": final} if args.mode == "mic" else {"final": final, "first": first}
        for kind, text in texts.items():
            for i1, i2 in lost_spans(flat, normalize(text).split()):
                lost[kind].append((speaker, entries[owner[i1]].path.stem, " ".join(flat[i1:i2])))
                print(f"  {kind:5s} lost in {entries[owner[i1]].path.stem}: {' '.join(flat[i1:i2])!r}", flush=True)
        totals["utterances"] += len(entries)
        totals["offline_words"] += len(flat)
        refs.append(" ".join(e.reference for e in entries))
        hyps["offline"].append(" ".join(offline))
        for kind, text in texts.items():
            hyps[kind].append(text)
        cells = "  ".join(f"{k}={wer([refs[-1]], [h[-1]]) * 100:.2f}%" for k, h in hyps.items() if h)
        print(f"speaker {speaker}: {len(entries)} utterances, {len(audio) / RATE:.0f} s  {cells}", flush=True)

    print(f"half={args.half} mode={args.mode} lead={args.lead} gap={args.gap} {totals}")
    for kind, spans in lost.items():
        if hyps[kind]:
            words = sum(len(s[2].split()) for s in spans)
            print(
                f"{kind:5s}: {len(spans)} spans of >= {MIN_SPAN} words lost ({words} words); "
                f"WER {wer(refs, hyps[kind]) * 100:.2f}% (offline {wer(refs, hyps['offline']) * 100:.2f}%)"
            )


if __name__ == "__main__":
    main()
