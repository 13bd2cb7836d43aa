import re

import numpy as np
import pytest
from faster_whisper.audio import decode_audio

from dictation_app.audio import SAMPLE_RATE, load_audio
from dictation_app.errors import AudioDecodeError

from media import bad_inputs, write_video_with_audio

EXPECTED_MESSAGE = {
    "text_named_wav": "not an audio or video file",
    "empty": "empty (0 bytes)",
    "png": "no audio stream",
    "truncated_flac": "truncated or corrupt",
    "corrupt_flac": "corrupt",
    "directory": "is a folder",
    "missing": "no such file",
}


@pytest.mark.parametrize("kind", sorted(EXPECTED_MESSAGE))
def test_bad_input_gets_a_specific_message(tmp_path, kind):
    path = bad_inputs(tmp_path)[kind]
    with pytest.raises(AudioDecodeError, match=re.escape(EXPECTED_MESSAGE[kind])) as info:
        load_audio(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_resamples_44k_stereo_24bit_like_faster_whisper(data_dir):
    audio = load_audio(data_dir / "jfk.flac")
    assert audio.samples.dtype == np.float32
    assert audio.duration == pytest.approx(11.0, abs=0.01)
    np.testing.assert_array_equal(audio.samples, decode_audio(str(data_dir / "jfk.flac")))


def test_video_file_audio_track_is_decoded(tmp_path, data_dir):
    speech = load_audio(data_dir / "1089-134691-0001.flac").samples
    video = tmp_path / "clip.mp4"
    write_video_with_audio(video, speech)
    decoded = load_audio(video)
    assert decoded.duration == pytest.approx(len(speech) / SAMPLE_RATE, abs=0.1)
    # Not silence (FFmpeg's mono->stereo->mono mix lowers the level by about 3 dB);
    # test_transcriber checks the words.
    assert np.sqrt(np.mean(decoded.samples**2)) > 0.5 * np.sqrt(np.mean(speech**2))
