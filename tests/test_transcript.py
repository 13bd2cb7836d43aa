import json

import pytest

from dictation_app.transcript import FORMAT_VERSION, Segment, Transcript, TranscriptMetadata, Word


def sample_transcript() -> Transcript:
    return Transcript(
        segments=[
            Segment(
                0.0, 2.5, "Héllo, wörld — “quotes”.", [Word(0.0, 1.0, " Héllo,", 0.91), Word(1.0, 2.5, " wörld", 0.5)]
            ),
            Segment(2.5, 4.0, "Second line\twith tab", []),
        ],
        metadata=TranscriptMetadata(
            source="/tmp/a b.flac", model="tiny.en", language="en", duration=4.25, task="transcribe"
        ),
    )


def test_json_round_trip_is_lossless():
    original = sample_transcript()
    restored = Transcript.from_json(original.to_json())
    assert restored == original
    assert restored.to_json() == original.to_json()
    assert json.loads(original.to_json())["format_version"] == FORMAT_VERSION


def test_text_joins_segments():
    assert sample_transcript().text == "Héllo, wörld — “quotes”. Second line\twith tab"


def test_newer_format_is_refused_with_a_reason():
    data = sample_transcript().to_dict()
    data["format_version"] = FORMAT_VERSION + 1
    with pytest.raises(ValueError, match="newer version"):
        Transcript.from_dict(data)
