"""Which model for this machine: the speed test measures a real model the way the app uses it,
and the recommendation is the most accurate model that keeps up live."""

from pathlib import Path

from dictation_app.core.model_speed import LIVE_TARGET_MEDIAN_S, SpeedResult, measure, recommend, save, saved
from dictation_app.engine import ModelStore

SHORT = Path(__file__).parent / "data" / "1089-134691-0001.flac"  # 5.4 s of LibriSpeech


def _result(name: str, median: float, p95: float) -> SpeedResult:
    return SpeedResult(name, "cpu int8", 1.0, 10.0, median, p95, 0.0)


def test_the_recommendation_is_the_most_accurate_model_that_keeps_up():
    results = [_result("tiny.en", 1.8, 2.6), _result("base.en", 2.3, 3.5), _result("small.en", 4.1, 6.0)]
    assert recommend(results).name == "base.en"  # small.en is more accurate but too slow live
    assert [r.keeps_up for r in results] == [True, True, False]
    assert recommend([_result("small.en", 4.1, 6.0)]) is None
    assert recommend([_result("my-own-model", 1.0, 1.5), _result("tiny.en", 1.9, 2.5)]).name == "tiny.en"


def test_a_real_model_is_measured_as_a_file_and_live_in_real_time(tmp_path):
    store = ModelStore(tmp_path)
    result = measure(store, "tiny.en", sample=SHORT)
    assert result.name == "tiny.en" and result.device == "cpu int8"
    assert result.file_speed > 1.0  # tiny.en transcribes faster than real time on any CPU
    assert 0.0 < result.live_median_s <= result.live_p95_s < 30.0
    assert f"target {LIVE_TARGET_MEDIAN_S:.1f}" in result.line()
    save(store, result)
    assert saved(ModelStore(tmp_path)) == {"tiny.en": result}
    assert oct((tmp_path / "models" / "speed.json").stat().st_mode & 0o777) == "0o600"
