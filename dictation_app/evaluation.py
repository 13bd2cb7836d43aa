"""Word error rate on a manifest of real speech (no Qt).

Both sides are normalised with Whisper's English text normaliser (the ``whisper-normalizer``
package) before jiwer scores them, so casing, punctuation and number spelling don't count.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dictation_app.errors import DictationError

__all__ = [
    "EvalSummary",
    "FileScore",
    "LiveRecognizer",
    "ManifestEntry",
    "formatted_wer",
    "normalize",
    "read_manifest",
    "score_files",
    "summarize",
    "wer",
]

REQUIRED_COLUMNS = ("path", "reference_text")


@dataclass(frozen=True)
class ManifestEntry:
    path: Path
    reference: str


@dataclass
class FileScore:
    """Result for one file.

    Attributes:
        path: Audio file.
        reference: Reference text as given.
        hypothesis: Recognised text ("" on error).
        wer: Word error rate of this file alone, 0..1 (None on error).
        audio_s: Audio duration in seconds.
        wall_s: Seconds spent recognising it.
        error: Message when the file could not be processed.
    """

    path: Path
    reference: str
    hypothesis: str
    wer: float | None
    audio_s: float
    wall_s: float
    error: str | None = None


@dataclass
class EvalSummary:
    """Corpus-level figures: WER pools all words (not a mean of per-file rates)."""

    wer: float
    rtf: float
    files: int
    audio_s: float
    failed: int

    def line(self) -> str:
        return f"WER={self.wer * 100:.2f}% RTF={self.rtf:.3f} files={self.files} audio_s={self.audio_s:.1f}"


_normalizer = None


def normalize(text: str) -> str:
    global _normalizer
    if _normalizer is None:
        from whisper_normalizer.english import EnglishTextNormalizer

        _normalizer = EnglishTextNormalizer()
    return " ".join(_normalizer(text).split())


def wer(references: list[str], hypotheses: list[str]) -> float:
    """Pooled WER after normalisation; empty references count their hypothesis words as insertions."""
    import jiwer

    refs = [normalize(r) for r in references]
    hyps = [normalize(h) for h in hypotheses]
    scored = [(r, h) for r, h in zip(refs, hyps) if r]
    inserted = sum(len(h.split()) for r, h in zip(refs, hyps) if not r)
    if not scored:
        return float(inserted > 0)
    out = jiwer.process_words([r for r, _ in scored], [h for _, h in scored])
    errors = out.substitutions + out.deletions + out.insertions + inserted
    return errors / sum(len(r.split()) for r, _ in scored)


def formatted_wer(references: list[str], hypotheses: list[str]) -> float:
    """Pooled WER over words as written, case and punctuation kept ("potatoes." and "Potatoes"
    are different words): how far live text reads from the text it is compared with."""
    import jiwer

    scored = [(" ".join(r.split()), " ".join(h.split())) for r, h in zip(references, hypotheses) if r.strip()]
    if not scored:
        return 0.0
    out = jiwer.process_words([r for r, _ in scored], [h for _, h in scored])
    return (out.substitutions + out.deletions + out.insertions) / sum(len(r.split()) for r, _ in scored)


def read_manifest(path: str | Path, limit: int | None = None) -> list[ManifestEntry]:
    """Read a tab-separated manifest with at least ``path`` and ``reference_text`` columns."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise DictationError(
                    f"{path}: manifest lacks column(s) {', '.join(missing)} "
                    f"(found: {', '.join(reader.fieldnames or []) or 'nothing'}); it needs a tab-separated "
                    "header with 'path' and 'reference_text'."
                )
            rows = [ManifestEntry(path.parent / row["path"], row["reference_text"] or "") for row in reader]
    except (OSError, UnicodeDecodeError) as exc:
        raise DictationError(f"{path}: cannot read manifest ({getattr(exc, 'strerror', None) or exc}).") from None
    return rows[:limit] if limit else rows


def score_files(
    entries: list[ManifestEntry],
    recognise: Callable[[Path], tuple[str, float]],
) -> Iterator[FileScore]:
    """Run ``recognise(path) -> (text, audio_seconds)`` on each entry and score it.

    A file that raises :class:`DictationError` is reported with its message and skipped.
    """
    for entry in entries:
        started = time.perf_counter()
        try:
            text, audio_s = recognise(entry.path)
        except DictationError as exc:
            yield FileScore(entry.path, entry.reference, "", None, 0.0, time.perf_counter() - started, str(exc))
            continue
        wall = time.perf_counter() - started
        yield FileScore(entry.path, entry.reference, text, wer([entry.reference], [text]), audio_s, wall)


def summarize(scores: list[FileScore]) -> EvalSummary:
    ok = [s for s in scores if s.error is None]
    audio = sum(s.audio_s for s in ok)
    return EvalSummary(
        wer=wer([s.reference for s in ok], [s.hypothesis for s in ok]) if ok else 0.0,
        rtf=sum(s.wall_s for s in ok) / audio if audio else 0.0,
        files=len(ok),
        audio_s=audio,
        failed=len(scores) - len(ok),
    )


class LiveRecognizer:
    """Streams a file through a live dictation like a microphone would, collecting latencies.

    Audio comes in 0.1-s blocks, as from a microphone (the engine decides when to decode at
    that granularity). Without ``realtime`` they are fed as fast as they are decoded, so the
    transcript does not depend on the machine's speed; with it, blocks arrive on the clock.

    Args:
        service: The dictation service, with a model loaded (the window's own code path).
        options: The streaming policy.
        realtime: Pace the audio in real time.
        voice: Spoken commands, vocabulary and replacements, as in dictation (None: none);
            every command that fires is listed in :attr:`fired`.
    """

    def __init__(self, service, options=None, realtime: bool = False, voice=None) -> None:
        from dictation_app.core.latency import CommitLatency
        from dictation_app.engine.streaming import StreamingOptions

        self.service = service
        self.options = options or StreamingOptions()
        self.realtime = realtime
        self.latency = CommitLatency()
        self.decodes = 0
        self.live_text = ""
        self.voice = voice
        self.fired: list[tuple[Path, str]] = []

    def __call__(self, path: Path) -> tuple[str, float]:
        from dictation_app.audio.decode import SAMPLE_RATE
        from dictation_app.audio.sources import FileSource
        from dictation_app.core.stages import VoiceStage
        from dictation_app.engine.ledger import CommitLedger
        from dictation_app.engine.streaming import Commit

        source = FileSource(path, block_s=0.1, realtime=self.realtime)
        dictation = self.service.dictation(source, self.options, record=False, latency=self.latency, voice=self.voice)
        ledger = CommitLedger()
        live: list = []  # as committed, before revisions: what live typing leaves in another application
        for event in dictation.run():
            ledger.apply(event)
            if isinstance(event, Commit):
                live += event.words
        self.decodes += dictation.transcriber.decodes
        voice = dictation.stage(VoiceStage)
        if voice is not None:
            self.fired += [(path, command) for command in voice.interpreter.fired]
        self.live_text = "".join(w.text for w in live).strip()
        return ledger.text, len(source.samples) / SAMPLE_RATE
