"""Audio in and out: file decoding, capture, recording (no Qt)."""

from dictation_app.audio.decode import SAMPLE_RATE, DecodedAudio, check_media_file, load_audio

__all__ = ["SAMPLE_RATE", "DecodedAudio", "check_media_file", "load_audio"]
