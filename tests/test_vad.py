import numpy as np
from faster_whisper.vad import get_vad_model

from dictation_app.audio import load_audio
from dictation_app.engine.vad import StreamingVad


def test_streaming_vad_matches_a_whole_file_pass(data_dir):
    audio = load_audio(data_dir / "1089-134686-0000.flac").samples
    n = len(audio) // 512 * 512
    whole = get_vad_model()(audio[:n]).reshape(-1)
    vad = StreamingVad()
    seen = []
    run = vad._session.run

    def spy(*args, **kwargs):
        out = run(*args, **kwargs)
        seen.append(np.asarray(out[0]).reshape(-1))
        return out

    vad._session = type("Spy", (), {"run": staticmethod(spy)})()
    flags = np.concatenate([vad.push(audio[i : i + 1234]) for i in range(0, n, 1234)])
    np.testing.assert_allclose(np.concatenate(seen), whole[: len(flags)], atol=1e-6)
    assert flags.mean() > 0.5  # mostly speech
    assert not vad.push(np.zeros(16_000, np.float32))[-5:].any()
