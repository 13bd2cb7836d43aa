"""Commit latency, defined once: how long after a word was spoken it became final text.

A word's commit latency is the wall time its commit event was handled minus the wall time
its audio ended, as the source's clock says (``wall_time_of``: a microphone counts from its
first captured sample, a file source played in real time from its start). The window's
status bar, ``eval --mode live --realtime`` and ``benchmarks/bench_live.py`` all read this meter.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from dictation_app.core.stages import Step
from dictation_app.engine.streaming import Commit, Partial, StreamEvent, UtteranceEnd

__all__ = ["CommitLatency", "percentile"]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (linear interpolation, as numpy's default), NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class CommitLatency:
    """Collects commit and first-partial latencies of one or more live sessions.

    Attributes:
        commit: Per committed word, seconds from its audio's end to its commit.
        first_partial: Per utterance, seconds from the end of its first shown word's audio
            to when that word was first shown (tentative or committed).
        last: The latency of the newest committed word, or None before any.
    """

    def __init__(self) -> None:
        self.commit: list[float] = []
        self.first_partial: list[float] = []
        self.last: float | None = None
        self._awaiting_first = True

    # a dictation stage: it only measures
    def begin(self, folder: Path | None) -> list[StreamEvent]:
        return []

    def feed(self, events: list[StreamEvent], step: Step) -> list[StreamEvent]:
        self.observe(events, step.wall_time_of, step.now)
        return events

    def observe(
        self, events: Iterable[StreamEvent], wall_time_of: Callable[[float], float | None], now: float | None = None
    ) -> None:
        """Account for the events a session step returned, handled at ``now`` (default: now)."""
        now = time.perf_counter() if now is None else now
        for event in events:
            if isinstance(event, (Partial, Commit)) and event.words and self._awaiting_first:
                spoken = wall_time_of(event.words[0].end)
                if spoken is not None:
                    self.first_partial.append(now - spoken)
                self._awaiting_first = False
            if isinstance(event, Commit):
                latencies = [now - t for t in map(wall_time_of, (w.end for w in event.words)) if t is not None]
                self.commit += latencies
                if latencies:
                    self.last = latencies[-1]
            elif isinstance(event, UtteranceEnd):
                self._awaiting_first = True

    def summary(self) -> str:
        return (
            f"latency_median_s={percentile(self.commit, 50):.2f} latency_p95_s={percentile(self.commit, 95):.2f} "
            f"first_partial_median_s={percentile(self.first_partial, 50):.2f}"
        )
