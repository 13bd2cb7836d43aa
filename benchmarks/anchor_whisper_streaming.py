"""The anchor for live dictation: ufal/whisper_streaming's real-time simulation on one file.

whisper_streaming (Macháček et al. 2023, LocalAgreement-2) is not part of this project and is
never copied into it: pass the folder of its public repository (``whisper_online.py``), e.g.
one fetched with ``git clone https://github.com/ufal/whisper_streaming``. Its simultaneous
mode is run as its ``__main__`` runs it (1.0-s minimum chunks, segment trimming at 15 s, beam
5 in its faster-whisper backend), with three changes that only fit it to this machine:

* its faster-whisper backend hard-codes CUDA float16; the model is made on the CPU, int8,
  with ``--threads`` threads (the app's settings);
* it reads audio with librosa, which this project does not install; the app's decoder gives
  it the same 16 kHz mono float32 samples;
* each word it commits is timed when ``process_iter`` returns it, so its commit latency is
  measured as the app's is (word audio end to commit, on the simulation's clock).

    python benchmarks/anchor_whisper_streaming.py --repo DIR [--threads 2] AUDIO

Prints one JSON object: ``text``, ``latencies`` (seconds, one per committed word), ``audio_s``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import types
from pathlib import Path


def _fit_to_this_machine(threads: int) -> None:
    import faster_whisper

    from dictation_app.audio import load_audio

    librosa = types.ModuleType("librosa")
    librosa.load = lambda path, sr=16000, dtype=None: (load_audio(path).samples, 16000)
    sys.modules.setdefault("librosa", librosa)
    sys.modules.setdefault("soundfile", types.ModuleType("soundfile"))  # its OpenAI backend only

    original = faster_whisper.WhisperModel

    class CpuWhisperModel(original):
        def __init__(self, model_size_or_path, **kwargs):
            kwargs.update(device="cpu", compute_type="int8", cpu_threads=threads)
            super().__init__(model_size_or_path, **kwargs)

    faster_whisper.WhisperModel = CpuWhisperModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audio", type=Path)
    parser.add_argument("--repo", type=Path, required=True, help="folder holding whisper_online.py")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--min-chunk-size", type=float, default=1.0)
    args = parser.parse_args()

    from dictation_app.engine.models import ModelStore

    _fit_to_this_machine(args.threads)
    sys.path.insert(0, str(args.repo))
    import whisper_online as wo

    wo.logger.setLevel("WARNING")
    shared = argparse.ArgumentParser()
    wo.add_shared_args(shared)
    options = shared.parse_args(
        [
            "--model",
            args.model,
            "--model_dir",
            str(ModelStore().resolve(args.model)),
            "--lan",
            "en",
            "--backend",
            "faster-whisper",
            "--min-chunk-size",
            str(args.min_chunk_size),
            "--log-level",
            "WARNING",
        ]
    )
    path = str(args.audio)
    duration = len(wo.load_audio(path)) / 16000
    asr, online = wo.asr_factory(options, logfile=sys.stderr)
    asr.transcribe(wo.load_audio_chunk(path, 0, 1))  # its warm-up, as in its __main__

    latencies: list[float] = []

    def account(now: float) -> None:
        for _, end, _ in online.commited[account.seen :]:
            latencies.append(now - end)
        account.seen = len(online.commited)

    account.seen = 0
    # Its simultaneous mode: wait for min_chunk of new audio, process everything received.
    start, beg, end = time.time(), 0.0, 0.0
    while True:
        now = time.time() - start
        if now < end + args.min_chunk_size:
            time.sleep(args.min_chunk_size + end - now)
        end = time.time() - start
        online.insert_audio_chunk(wo.load_audio_chunk(path, beg, end))
        beg = end
        try:
            online.process_iter()
        except AssertionError as exc:
            print(f"whisper_streaming: {exc}", file=sys.stderr)
        account(time.time() - start)
        if end >= duration:
            break
    final = online.finish()
    text = "".join(w for _, _, w in online.commited) + (final[2] or "")
    print(json.dumps({"text": text.strip(), "latencies": latencies, "audio_s": duration}))


if __name__ == "__main__":
    main()
