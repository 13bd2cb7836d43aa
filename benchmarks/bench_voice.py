"""Spoken commands, vocabulary and their costs, on the shared real speech (tiny.en int8, 2 cores).

Parts (``--parts``, default all):

* ``commands``: false commands. Every recording of ``../shared/speech`` (the 149 utterances, the
  long-form and dev passages) whose reference contains a command phrase, dictated through the
  file source with commands on as a user has them, and with ``--all`` the 149 utterances too;
  the count of commands that fired (the target is zero), and the WER with commands on and off.
* ``names``: the personal vocabulary. The utterances of the shared set whose names tiny.en
  misspells (found by aligning its offline output with the references; the names are listed
  below), dictated without and with those names as the vocabulary: name accuracy (name
  occurrences heard right); two dev passages (check half) dictated without and with it: live
  WER on speech the names are not in (given to every decode, the list had changed ordinary
  words there: 4.12 -> 4.63 %); and every recording of the shared set transcribed as a file,
  before and after the vocabulary's corrections: name accuracy and WER (it must not get worse).
* ``cost``: decode time with a vocabulary of 0, 20 and 500 words (the bounded hotwords the app
  gives the decoder, and for contrast all 500 unbounded), and the interpreter's own time per
  step with 500 words and replacements on an hour of dictated words.
* ``latency``: commit latency in real time on one dev passage with commands on and off (what
  holding a possible command word back costs), and with the names as the vocabulary (what its
  decode at each utterance end costs).

    python benchmarks/bench_voice.py [--parts commands,names,names-files,cost,latency] [--all]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT.parent / "shared" / "speech"
sys.path.insert(0, str(ROOT))

from dictation_app.core.dictation import DictationService  # noqa: E402
from dictation_app.core.options import app_options, defaults_with  # noqa: E402
from dictation_app.core.voice_table import COMMANDS, parse_voice, phrase_words  # noqa: E402
from dictation_app.evaluation import LiveRecognizer, normalize, wer  # noqa: E402

#: names of the shared set that tiny.en misspells offline (utterance stem -> names in it)
NAMES = {
    "118-47824-0003": ["Paredes"],
    "118-47824-0004": ["Paredes"],
    "118-47824-0007": ["Katherine"],
    "1867-154075-0000": ["Ronicky"],
    "1867-154075-0003": ["Ronicky"],
    "1867-154075-0004": ["Ronicky"],
    "1867-154075-0007": ["Ronicky", "Doone"],
    "2136-5147-0000": ["Knollys"],
    "3242-8112-0000": ["Quillan"],
    "3242-8112-0001": ["Puya", "Manon"],
    "3242-8112-0003": ["Quillan"],
    "3242-8112-0004": ["Quillan"],
    "3242-8112-0007": ["Holati"],
    "332-128985-0006": ["Esquemeling"],
    "19-198-0004": ["Morland"],
    "19-198-0007": ["Morlands"],
    "226-122538-0000": ["Deryck"],
    "226-122538-0007": ["Deryck", "Wimpole"],
    "2416-152139-0001": ["Jimmie"],
    "2416-152139-0002": ["Jimmie"],
    "2416-152139-0003": ["Jimmie"],
    "2416-152139-0004": ["Jimmie"],
    "2416-152139-0005": ["Jimmie"],
    "1088-134318-0000": ["Kara"],
    "1088-134318-0001": ["Durazzo"],
    "1088-134318-0005": ["Pezara"],
    "1088-134318-0008": ["Kara"],
    "1088-134318-0010": ["Kara"],
    "1088-134318-0014": ["Kara", "Gathercole"],
    "1088-134318-0019": ["Kara"],
    "1088-134318-0020": ["Kara"],
    "1898-145715-0001": ["Lagree"],
}
#: dev passages (check half) the vocabulary's names are not in ("Jimmie" is: "Jimmie Dale")
ORDINARY = ("32-21631-0008", "3526-176653-0008")
VOCABULARY = sorted({n for names in NAMES.values() for n in names} - {"Morlands"} | {"Morland"})


def manifest_rows() -> list[tuple[Path, str]]:
    rows = []
    for manifest in sorted(SPEECH.glob("**/manifest*.tsv")):
        if manifest.name == "manifest.tsv" and manifest.parent.name == "dev":
            continue
        with open(manifest, encoding="utf-8") as f:
            rows += [(manifest.parent / r["path"], r["reference_text"]) for r in csv.DictReader(f, delimiter="\t")]
    return list(dict.fromkeys(rows))


def service() -> DictationService:
    svc = DictationService()
    svc.load_now("tiny.en")
    return svc


def part_commands(svc, everything: bool) -> None:
    phrases = [phrase_words(p) for c in COMMANDS for p in c.phrases]
    chosen = []
    for path, ref in manifest_rows():
        words = phrase_words(ref)
        if any(tuple(words[i : i + len(p)]) == p for p in phrases for i in range(len(words))):
            chosen.append((path, ref))
    if everything:
        chosen += [
            (p, r)
            for p, r in manifest_rows()
            if p.parent.parent.name in ("librispeech", "other") or p.parent.name in ("librispeech", "other")
        ]
    chosen = list(dict.fromkeys(chosen))
    options = app_options(defaults_with({}))
    on = LiveRecognizer(svc, options.streaming, voice=options.voice)
    off = LiveRecognizer(svc, options.streaming, voice=None)
    refs, texts_on, texts_off = [], [], []
    for path, ref in chosen:
        refs.append(ref)
        texts_on.append(on(path)[0])
        texts_off.append(off(path)[0])
    audio = sum(len(t) for t in refs)
    print(
        f"commands: {len(chosen)} recordings ({audio:,} reference characters) with command words; "
        f"commands fired: {len(on.fired)} {on.fired}"
    )
    print(f"commands: WER with commands on {wer(refs, texts_on) * 100:.2f} %, off {wer(refs, texts_off) * 100:.2f} %")


def _name_hits(text: str, names: list[str]) -> int:
    said = normalize(text).split()
    return sum(min(said.count(normalize(n)), 1) for n in names)


def part_names(svc) -> None:
    rows = {p.stem: (p, r) for p, r in manifest_rows() if p.suffix in (".flac", ".wav")}
    chosen = [rows[s] for s in NAMES if s in rows]
    total = sum(len(NAMES[p.stem]) for p, _ in chosen)
    base = app_options(defaults_with({}))
    personal = app_options(defaults_with({"voice/vocabulary": "\n".join(VOCABULARY)}))
    print(
        f"names: vocabulary of {len(VOCABULARY)}: {', '.join(VOCABULARY)}; hotwords given: "
        f"{personal.streaming.vocabulary!r}"
    )
    for label, options in (("without", base), ("with", personal)):
        live = LiveRecognizer(svc, options.streaming, voice=options.voice)
        texts = [live(p)[0] for p, _ in chosen]
        hits = sum(_name_hits(t, NAMES[p.stem]) for t, (p, _) in zip(texts, chosen))
        print(
            f"names {label} the vocabulary, live (heard again with the names, corrections): {hits}/{total} names right, WER of "
            f"those {len(chosen)} utterances {wer([r for _, r in chosen], texts) * 100:.2f} %",
            flush=True,
        )
        ordinary = [(p, r) for p, r in manifest_rows() if p.stem in ORDINARY]
        texts = [live(p)[0] for p, _ in ordinary]
        print(
            f"names {label} the vocabulary, live, {len(ordinary)} dev passages without those names: WER "
            f"{wer([r for _, r in ordinary], texts) * 100:.2f} %",
            flush=True,
        )


def part_names_files(svc) -> None:
    """Files: decoded once (the vocabulary is not given to file decoding: it made long-form
    WER worse), then corrected after decoding."""
    from dictation_app.core.vocabulary import tokenizer_is_common
    from dictation_app.core.voice import apply_to_transcript
    from dictation_app.engine import FileTranscriber

    rows = {p.stem: (p, r) for p, r in manifest_rows() if p.suffix in (".flac", ".wav")}
    total = sum(len(NAMES[s]) for s in NAMES if s in rows)
    base = app_options(defaults_with({}))
    personal = app_options(defaults_with({"voice/vocabulary": "\n".join(VOCABULARY)}))
    transcriber = FileTranscriber(svc.model, "tiny.en")
    is_common = tokenizer_is_common(svc.model.hf_tokenizer)
    refs, plain, corrected, hits_plain, hits_corrected = [], [], [], 0, 0
    for path, ref in rows.values():
        transcript = transcriber.transcribe(path, base.transcribe)
        fixed = apply_to_transcript(transcript, personal.voice, is_common)
        refs.append(ref)
        plain.append(transcript.text)
        corrected.append(fixed.text)
        if path.stem in NAMES:
            hits_plain += _name_hits(transcript.text, NAMES[path.stem])
            hits_corrected += _name_hits(fixed.text, NAMES[path.stem])
    print(
        f"names, files: {hits_plain}/{total} names right, {hits_corrected}/{total} with the vocabulary's "
        f"corrections; WER of all {len(refs)} recordings (utterances, long-form and dev passages) "
        f"{wer(refs, plain) * 100:.2f} % -> {wer(refs, corrected) * 100:.2f} %"
    )


def part_cost(svc) -> None:
    from dictation_app.audio import load_audio
    from dictation_app.core.voice import VoiceInterpreter
    from dictation_app.engine.backend import WhisperBackend
    from dictation_app.engine.events import Commit, UtteranceEnd
    from dictation_app.transcript import Word

    audio = load_audio(ROOT / "tests" / "data" / "1089-134686-0000.flac").samples[: 8 * 16000]
    words500 = sorted({w.capitalize() for _, ref in manifest_rows() for w in ref.split() if len(w) > 6})[:500]
    options = app_options(defaults_with({}))
    for label, vocabulary, bounded in (
        ("0 words", [], True),
        ("20 words", words500[:20], True),
        ("500 words (bounded, as the app gives them)", words500, True),
        ("500 words unbounded (not what the app does)", words500, False),
    ):
        hot = app_options(defaults_with({"voice/vocabulary": "\n".join(vocabulary)})).streaming.vocabulary
        if not bounded:
            hot = ", ".join(vocabulary)
        from dataclasses import replace

        backend = WhisperBackend(svc.model, replace(options.streaming, hotwords=hot or None))
        backend.decode(audio, "")
        times = []
        for _ in range(7):
            start = time.perf_counter()
            backend.decode(audio, "")
            times.append(time.perf_counter() - start)
        print(
            f"cost: decode of 8 s with a vocabulary of {label}: median {statistics.median(times) * 1000:.0f} ms "
            f"({len(hot or '')} hotword characters; with a vocabulary, once more per utterance)"
        )
    voice, _ = parse_voice(True, "", "\n".join(words500), "\n".join(f"snippet {n} => text {n}" for n in range(50)))
    interpreter = VoiceInterpreter(voice, None)
    said = [w for _, ref in manifest_rows() for w in ref.lower().split()][:9000]  # about an hour of speech
    steps, t = [], 0.0
    for i in range(0, len(said), 4):
        commit = tuple(Word(t + k * 0.4, t + k * 0.4 + 0.3, " " + w) for k, w in enumerate(said[i : i + 4]))
        t += 1.6
        events = [Commit(commit)] + ([UtteranceEnd(t)] if i % 40 == 36 else [])
        start = time.perf_counter()
        interpreter.feed(events)
        steps.append(time.perf_counter() - start)
    print(
        f"cost: interpreter with 500 vocabulary words and 50 replacements over {len(said):,} words: per step "
        f"median {statistics.median(steps) * 1000:.2f} ms, max {max(steps) * 1000:.1f} ms"
    )


def part_latency(svc) -> None:
    path = SPEECH / "dev" / "2416-152139-0008.flac"
    options = app_options(defaults_with({}))
    personal = app_options(defaults_with({"voice/vocabulary": "\n".join(VOCABULARY)}))
    for label, streaming, voice in (
        ("commands on", options.streaming, options.voice),
        ("commands off", options.streaming, None),
        ("commands on and the names as vocabulary", personal.streaming, personal.voice),
    ):
        live = LiveRecognizer(svc, streaming, realtime=True, voice=voice)
        text, _ = live(path)
        print(f"latency with {label}: {live.latency.summary()} fired={len(live.fired)} words={len(text.split())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="commands,names,names-files,cost,latency")
    parser.add_argument("--all", action="store_true", help="commands: all 149 utterances too")
    args = parser.parse_args()
    svc = service()
    for part in args.parts.split(","):
        start = time.perf_counter()
        {
            "commands": lambda: part_commands(svc, args.all),
            "names": lambda: part_names(svc),
            "names-files": lambda: part_names_files(svc),
            "cost": lambda: part_cost(svc),
            "latency": lambda: part_latency(svc),
        }[part]()
        print(f"({part}: {time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
