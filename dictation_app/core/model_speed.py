"""Which model for this machine: a measured answer.

Each installed model transcribes the bundled sample (11 s of speech) twice here: once as a file
(how many seconds of audio a second of computing gets through) and once live, the sample played
in real time through the same dictation the window runs, which gives the words' commit latency
(``core/latency.py``). A model keeps up live when that latency stays within the live target;
the recommendation is the most accurate model (the catalogue's order) that keeps up. Results
are kept beside the models (``speed.json``) so the manager shows them without measuring again.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from dictation_app.core.latency import percentile
from dictation_app.engine.catalog import entry
from dictation_app.engine.models import LoadOptions, ModelStore
from dictation_app.fileio import open_private, private_dir

__all__ = [
    "LIVE_TARGET_MEDIAN_S",
    "LIVE_TARGET_P95_S",
    "SAMPLE",
    "SpeedResult",
    "measure",
    "recommend",
    "save",
    "saved",
]

SAMPLE = Path(__file__).resolve().parents[1] / "assets" / "selftest.flac"
#: Live dictation keeps up when half the words are final within this many seconds of being said
#: (tiny.en on 2 cores: about 1.6-2.0 s, DEVELOPERS.md) ...
LIVE_TARGET_MEDIAN_S = 2.5
#: ... and 95 % within this many (past it, text lags visibly behind the speaker).
LIVE_TARGET_P95_S = 4.0
_RESULTS = "speed.json"


@dataclass(frozen=True)
class SpeedResult:
    """One model measured on this machine.

    Attributes:
        name: The model.
        device: "cpu" or "cuda", with the compute type ("cpu int8").
        load_s: Seconds to load it.
        file_speed: Seconds of audio transcribed per second of computing (a file).
        live_median_s: Median commit latency of live dictation, in real time.
        live_p95_s: Its 95th percentile.
        measured: When (Unix time).
    """

    name: str
    device: str
    load_s: float
    file_speed: float
    live_median_s: float
    live_p95_s: float
    measured: float

    @property
    def keeps_up(self) -> bool:
        return self.live_median_s <= LIVE_TARGET_MEDIAN_S and self.live_p95_s <= LIVE_TARGET_P95_S

    def line(self) -> str:
        live = "keeps up" if self.keeps_up else "too slow"
        return (
            f"{self.name}: files {self.file_speed:.1f}x real time; live {live} "
            f"(words final after {self.live_median_s:.1f} s, 95 % within {self.live_p95_s:.1f} s; "
            f"target {LIVE_TARGET_MEDIAN_S:.1f} / {LIVE_TARGET_P95_S:.1f} s); {self.device}"
        )


def measure(store: ModelStore, name: str, load: LoadOptions | None = None, sample: Path = SAMPLE) -> SpeedResult:
    """Measure ``name`` (installed: nothing is downloaded) the way the app uses it. Takes about
    the sample's length plus one file transcription and the load. Raises DictationError."""
    from dictation_app.core.dictation import DictationService
    from dictation_app.errors import ModelError
    from dictation_app.evaluation import LiveRecognizer

    if store.needs_download(name):
        raise ModelError(f"Model '{name}' is not installed: download it before measuring it.")
    opts = (load or LoadOptions()).resolved()
    # A store of its own: what it loads is freed when the test ends, not kept beside the model
    # in use (measuring every installed model would otherwise hold them all in memory).
    service = DictationService(ModelStore(store.models_dir.parent))
    started = time.perf_counter()
    service.load_now(name, opts)
    load_s = time.perf_counter() - started
    transcriber = service.file_transcriber()
    transcriber.transcribe(sample)  # the first decode warms caches up; the second is timed
    started = time.perf_counter()
    transcript = transcriber.transcribe(sample)
    file_s = time.perf_counter() - started
    live = LiveRecognizer(service, realtime=True)
    _, audio_s = live(sample)
    commits = live.latency.commit
    return SpeedResult(
        name=name,
        device=f"{opts.device} {opts.compute_type}",
        load_s=round(load_s, 2),
        file_speed=round((transcript.metadata.duration or audio_s) / file_s, 1),
        live_median_s=round(percentile(commits, 50), 2) if commits else float("inf"),
        live_p95_s=round(percentile(commits, 95), 2) if commits else float("inf"),
        measured=time.time(),
    )


def recommend(results: list[SpeedResult]) -> SpeedResult | None:
    """The most accurate measured model that keeps up live (None when none does)."""

    def accuracy(result: SpeedResult) -> int:
        known = entry(result.name)
        return known.rank if known else -1

    fit = [r for r in results if r.keeps_up]
    return max(fit, key=lambda r: (accuracy(r), -r.live_median_s)) if fit else None


def saved(store: ModelStore) -> dict[str, SpeedResult]:
    """What was measured on this machine before, by model name."""
    try:
        data = json.loads((store.models_dir / _RESULTS).read_text("utf-8"))
        return {name: SpeedResult(**fields) for name, fields in data.items()}
    except (OSError, ValueError, TypeError):
        return {}


def save(store: ModelStore, result: SpeedResult) -> None:
    results = saved(store)
    results[result.name] = result
    private_dir(store.models_dir)
    with open_private(store.models_dir / _RESULTS, "w", encoding="utf-8") as out:
        json.dump({name: asdict(r) for name, r in results.items()}, out, indent=1)
