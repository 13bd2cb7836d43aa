"""The application core without Qt: options from settings, the dictation service, the file queue."""

import queue
import shutil
import threading

import pytest

from dictation_app.audio.sources import FileSource
from dictation_app.core.dictation import DictationService, ModelProblem, ModelReady, ServiceState, StateChanged
from dictation_app.core.file_queue import FileQueue, JobChanged, JobState, TranscriptReady
from dictation_app.core.options import app_options, defaults_with, language_code
from dictation_app.engine import FileTranscriber, TranscribeOptions
from dictation_app.engine.streaming import Commit
from dictation_app.evaluation import wer
from dictation_app.settings.declarations import SETTINGS

from media import bad_inputs


class OwnerThread:
    """What a front end's event loop does: runs what the services post, on this thread."""

    def __init__(self):
        self.calls = queue.SimpleQueue()

    def post(self, func):
        self.calls.put(func)

    def run_until(self, condition, timeout=120.0):
        import time

        deadline = time.monotonic() + timeout
        while not condition():
            remaining = deadline - time.monotonic()
            assert remaining > 0, "timed out"
            try:
                self.calls.get(timeout=min(remaining, 0.5))()
            except queue.Empty:
                pass


def test_one_auto_rule_and_one_mapping():
    assert language_code("auto") is None and language_code("") is None and language_code("de") == "de"
    options = app_options(
        defaults_with(
            {
                "decoding/language": "auto",
                "decoding/hotwords": "Kubernetes, Nguyen",
                "dictation/vad_threshold": 0.3,
                "dictation/pause_s": 0.8,
                "model/device": "auto",
                "model/threads": 0,
            }
        )
    )
    assert options.streaming.language is None and options.transcribe.language is None and options.language == "auto"
    assert options.streaming.hotwords == options.transcribe.hotwords == "Kubernetes, Nguyen"
    assert options.streaming.vad.threshold == 0.3 and options.streaming.vad.neg_threshold == pytest.approx(0.15)
    assert options.streaming.pause_s == 0.8
    assert options.load.device is None and options.load.cpu_threads is None  # "auto": this machine's best


def test_the_windows_settings_file_reads_the_same_without_qt(tmp_path):
    from PySide6.QtCore import QSettings

    from dictation_app.settings.ini_file import SettingsFile

    path = tmp_path / "dictation-app.conf"
    written = QSettings(str(path), QSettings.Format.IniFormat)
    values = {
        "decoding/language": "fr",
        "decoding/hotwords": 'Macháček, "LocalAgreement"; x=1',
        "decoding/initial_prompt": "  Names: Kennedy.\nTwo lines",
        "dictation/vad_threshold": 0.35,
        "dictation/pause_s": 1.5,
        "model/name": "base",
        "model/threads": 3,
    }
    for key, value in values.items():
        written.setValue(key, value)
    written.setValue("ui/geometry", b"\x01\x02binary")
    written.sync()
    read = SettingsFile(path)
    for setting in SETTINGS:
        assert read.value(setting.key) == values.get(setting.key, setting.default), setting.key


def test_an_unreadable_settings_file_is_a_clear_error(tmp_path):
    from dictation_app.errors import DictationError
    from dictation_app.settings.ini_file import SettingsFile

    with pytest.raises(DictationError, match="Cannot read the settings file"):
        SettingsFile(tmp_path / "missing.conf")


def test_a_model_that_cannot_load_falls_back_to_the_default(model_store):
    owner = OwnerThread()
    service = DictationService(model_store, owner.post)
    events = []
    service.subscribe(events.append)
    service.load("no-such-model-folder/")
    owner.run_until(lambda: any(isinstance(e, ModelReady) for e in events))
    problem = next(e for e in events if isinstance(e, ModelProblem))
    assert problem.fallback and "no-such-model-folder" in problem.message and "tiny.en" in problem.message
    assert service.model_name == "tiny.en" and service.model is not None
    owner.run_until(lambda: service.state is ServiceState.IDLE)
    states = [e.state for e in events if isinstance(e, StateChanged)]
    assert states[0] is ServiceState.LOADING and states[-1] is ServiceState.IDLE


def test_a_dictation_reports_its_state_and_latency(model_store, data_dir, references):
    service = DictationService(model_store)
    service.load_now("tiny.en")
    states = []
    service.subscribe(lambda e: isinstance(e, StateChanged) and states.append(e.state))
    source = FileSource(data_dir / "1089-134686-0000.flac", block_s=0.1)
    dictation = service.dictation(source, app_options(defaults_with({})).streaming, record=False)
    commits = [e for e in dictation.run() if isinstance(e, Commit)]
    text = " ".join(e.text for e in commits)
    assert wer([references["1089-134686-0000.flac"]], [text]) < 0.15, text
    assert states[:2] == [ServiceState.STARTING, ServiceState.LISTENING] and states[-1] is ServiceState.IDLE
    assert ServiceState.HEARING in states and ServiceState.DECODING in states
    assert len(dictation.latency.commit) == sum(len(e.words) for e in commits)  # one latency per committed word
    assert len(dictation.latency.first_partial) >= 1


def test_the_file_queue_runs_files_in_order_and_reports_on_the_owners_thread(model, tmp_path, data_dir):
    owner = OwnerThread()
    seen_on = set()
    files = FileQueue(lambda: TranscribeOptions(language="en"), owner.post)
    files.subscribe(lambda e: seen_on.add(threading.get_ident()))
    ready = []
    files.subscribe(lambda e: isinstance(e, TranscriptReady) and ready.append(e.job.path.name))
    good = tmp_path / "jfk.flac"
    shutil.copy(data_dir / "jfk.flac", good)
    jobs = files.add([good, bad_inputs(tmp_path)["text_named_wav"], good])
    assert [j.state for j in jobs] == [JobState.WAITING] * 3  # nothing runs without a model
    files.set_transcriber(FileTranscriber(model, "tiny.en"))
    files.cancel(jobs[2])
    owner.run_until(lambda: not files.busy)
    assert [j.state for j in jobs] == [JobState.DONE, JobState.FAILED, JobState.CANCELLED]
    assert "not an audio or video file" in jobs[1].message
    assert "fellow Americans" in jobs[0].transcript.text and ready == ["jfk.flac"]
    assert seen_on == {threading.get_ident()}  # every change happened on the owner's thread
    files.retry(jobs[2])
    changes = []
    files.subscribe(lambda e: isinstance(e, JobChanged) and changes.append(e.job.state))
    owner.run_until(lambda: jobs[2].state is JobState.DONE)
    assert JobState.RUNNING in changes
    files.shutdown()
    assert not files.running
