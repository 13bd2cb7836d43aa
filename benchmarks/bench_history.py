"""History at 10,000 entries: search latency, time to open the pane, and the event loop's
longest stall while the pane fills, scrolls to the end and follows typing (offscreen Qt).

Entries are made from real transcripts (the LibriSpeech references of ``../shared/speech``:
every manifest, 1 to 6 utterances per entry, times spread over a year), in a fresh database.
Search is timed as the pane runs it (a page of 200, newest first) and as ``history QUERY
--limit 0`` runs it (every match), for 300 queries of words from those texts (one word as a
prefix, or two); the anchor in the same run is a plain ``LIKE '%word%'`` scan of the same
table, what a database without the full-text index would do.

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_history.py [--entries 10000]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
SPEECH = ROOT.parent / "shared" / "speech"

from bench_gui import StallMeter  # noqa: E402


def references() -> list[str]:
    texts = []
    manifests = list(SPEECH.glob("**/manifest*.tsv")) or [ROOT / "tests" / "data" / "manifest.tsv"]
    for manifest in manifests:
        with open(manifest, encoding="utf-8") as f:
            texts += [
                row["reference_text"].capitalize() + "."
                for row in csv.DictReader(f, delimiter="\t")
                if row.get("reference_text")
            ]
    return sorted(set(texts))


def fill(store, count: int, texts: list[str], rng: random.Random) -> float:
    from dictation_app.core.history import Entry

    now = time.time()
    started = time.perf_counter()
    with store.transaction():
        for n in range(count):
            text = " ".join(rng.choice(texts) for _ in range(rng.randint(1, 6)))
            kind = "dictation" if rng.random() < 0.8 else "file"
            created = now - rng.random() * 365 * 86400
            store.add(
                Entry(
                    0,
                    kind,
                    created,
                    len(text.split()) / 2.5,
                    "tiny.en",
                    "en",
                    "editor" if kind == "dictation" else "",
                    f"Entry {n}",
                    text,
                    f"/nowhere/{n}.wav",
                    f"/nowhere/{n}",
                    "done",
                )
            )
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def time_searches(store, queries: list[str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"page": [], "all": [], "like": []}
    for query in queries:
        for label, run in (
            ("page", lambda query=query: store.search(query, limit=200)),
            ("all", lambda query=query: store.search(query)),
            (
                "like",
                lambda query=query: store.db.execute(
                    "SELECT id, text FROM entries WHERE "
                    + " AND ".join(["text LIKE ?"] * len(query.split()))
                    + " ORDER BY created DESC",
                    [f"%{w}%" for w in query.split()],
                ).fetchall(),
            ),
        ):
            started = time.perf_counter()
            run()
            times[label].append((time.perf_counter() - started) * 1000)
    return times


def spin(app, seconds: float) -> None:
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.processEvents()


def open_pane(app, store, meter):
    """A new pane, shown and painted: seconds taken, and the meter's longest stall around it."""
    from dictation_app.core.dictation import DictationService
    from dictation_app.core.options import app_options, defaults_with
    from dictation_app.ui.widgets.history_pane import HistoryPane

    meter.start()
    spin(app, 0.1)
    started = time.perf_counter()
    pane = HistoryPane(store, DictationService(), lambda: app_options(defaults_with({})))
    pane.resize(900, 600)
    pane.show()
    pane.repaint()
    opened = time.perf_counter() - started
    spin(app, 0.2)
    return pane, opened, meter.stop()


def gui(store, empty_store) -> dict[str, float]:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    meter = StallMeter()
    open_pane(app, empty_store, meter)[0].close()  # Qt's first-widget costs are paid here
    empty_times = [open_pane(app, empty_store, meter)[1] for _ in range(3)]
    runs = [open_pane(app, store, meter) for _ in range(3)]
    pane = runs[-1][0]
    opened, open_stall = statistics.median(r[1] for r in runs), max(r[2] for r in runs)

    meter.start()
    scrolled = time.perf_counter()
    while pane.model.canFetchMore():  # as a user dragging the scroll bar to the end
        pane.view.scrollToBottom()
        app.processEvents()
    scrolled = time.perf_counter() - scrolled
    scroll_stall = meter.stop()
    rows = len(pane.model.rows)

    meter.start()
    for word in ("the", "lit", "little", "little gir"):
        pane.search.clear()
        QTest.keyClicks(pane.search, word, delay=60)  # a fast typist: 60 ms a key
        deadline = time.perf_counter() + 0.4
        while time.perf_counter() < deadline:
            app.processEvents()
    typing_stall = meter.stop()
    return {
        "open_s": opened,
        "open_empty_s": statistics.median(empty_times),
        "open_stall_s": open_stall,
        "scroll_all_s": scrolled,
        "scroll_stall_s": scroll_stall,
        "rows": rows,
        "typing_stall_s": typing_stall,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    from dictation_app.core.history import HistoryStore

    rng = random.Random(7)
    texts = references()
    with tempfile.TemporaryDirectory() as folder:
        store = HistoryStore(Path(folder) / "history.sqlite3")
        fill_s = fill(store, args.entries, texts, rng)
        size_mb = sum(p.stat().st_size for p in Path(folder).glob("history.sqlite3*")) / 1e6
        words = [w.strip(".,;:!?'\"").lower() for t in texts for w in t.split() if len(w) > 3]
        queries = []
        for _ in range(args.queries):
            kind = rng.random()
            if kind < 0.4:
                queries.append(rng.choice(words))
            elif kind < 0.7:
                queries.append(rng.choice(words)[:3])  # typing: a prefix
            else:
                queries.append(f"{rng.choice(words)} {rng.choice(words)[:4]}")
        times = time_searches(store, queries)
        reopened_s = time.perf_counter()
        HistoryStore(Path(folder) / "history.sqlite3").count()  # open, migrate check, integrity check
        reopened_s = time.perf_counter() - reopened_s
        ui = gui(store, HistoryStore(Path(folder) / "empty.sqlite3"))
    print(
        f"history bench: {args.entries} entries from {len(texts)} real transcripts; database {size_mb:.1f} MB; "
        f"filled in {fill_s:.2f} s; opened (with its quick check) in {reopened_s * 1000:.0f} ms"
    )
    print(f"search, {len(queries)} queries (ms)      median    p95     max")
    for label, name in (("page", "pane (a page of 200)"), ("all", "CLI (every match)"), ("like", "anchor: LIKE scan")):
        values = times[label]
        print(f"  {name:28s} {statistics.median(values):7.2f} {percentile(values, 0.95):7.2f} {max(values):7.2f}")
    ratio = statistics.median(times["like"]) / statistics.median(times["all"])
    print(f"  full-text index vs LIKE scan (every match, medians): {ratio:.1f}x faster")
    print(
        f"pane: opens in {ui['open_s'] * 1000:.0f} ms with {args.entries} entries, "
        f"{ui['open_empty_s'] * 1000:.0f} ms empty (x{ui['open_s'] / ui['open_empty_s']:.2f}; medians of 3), "
        f"longest stall {ui['open_stall_s'] * 1000:.0f} ms; "
        f"scrolling to the end fetches {ui['rows']} rows in {ui['scroll_all_s']:.2f} s, longest stall "
        f"{ui['scroll_stall_s'] * 1000:.0f} ms; typing searches, longest stall {ui['typing_stall_s'] * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
