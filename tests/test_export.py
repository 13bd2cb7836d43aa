import io

import pytest

from dictation_app.errors import OutputError
from dictation_app.export import EXPORTERS, get_exporter, save
from dictation_app.export.cues import CueRules, build_cues
from dictation_app.transcript import Segment, Transcript, TranscriptMetadata, Word


def synthetic() -> Transcript:
    """Long segments with word times, a sentence end, a very long word and touching words."""
    words = []
    t = 0.0
    for _, token in enumerate(("lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 6).split()):
        words.append(Word(t, t + 0.3, " " + token, 0.9))
        t += 0.35
    long_word = Word(t, t + 1.0, " " + "x" * 50, 0.4)
    segments = [
        Segment(0.0, t, " ".join(w.text.strip() for w in words), words),
        Segment(t, t + 1.0, long_word.text.strip(), [long_word]),
        Segment(t + 0.5, t + 3.0, "no word timings here at all but several words to spread", []),
    ]
    return Transcript(segments, TranscriptMetadata(source="synthetic.wav", model="test", language="en", duration=t + 3))


@pytest.fixture(scope="module")
def jfk(transcriber, data_dir) -> Transcript:
    return transcriber.transcribe(data_dir / "jfk.flac")


@pytest.mark.parametrize("make", [synthetic, "jfk"])
def test_cues_follow_subtitle_rules(make, request):
    transcript = request.getfixturevalue("jfk") if make == "jfk" else make()
    rules = CueRules()
    cues = build_cues(transcript, rules)
    assert cues
    for prev, cue in zip(cues, cues[1:]):
        assert prev.end <= cue.start
    for cue in cues:
        assert cue.end > cue.start
        assert 1 <= len(cue.lines) <= rules.max_lines
        for line in cue.lines:
            assert len(line) <= rules.max_chars or " " not in line
    words_in = " ".join(s.text for s in transcript.segments).split()
    assert " ".join(c.text.replace("\n", " ") for c in cues).split() == words_in


def test_srt_parses_back(jfk):
    import srt

    subs = list(srt.parse(get_exporter("srt").render(jfk).decode("utf-8")))
    assert [s.index for s in subs] == list(range(1, len(subs) + 1))
    assert " ".join(s.content.replace("\n", " ") for s in subs) == jfk.text
    assert subs[-1].end.total_seconds() == pytest.approx(jfk.segments[-1].end, abs=0.6)


def test_vtt_parses_back(jfk):
    import webvtt

    captions = webvtt.from_buffer(io.StringIO(get_exporter("vtt").render(jfk).decode("utf-8")))
    assert " ".join(c.text.replace("\n", " ") for c in captions) == jfk.text
    assert captions[0].start == "00:00:00.000"


def test_docx_opens_in_python_docx(jfk):
    import docx

    document = docx.Document(io.BytesIO(get_exporter("docx").render(jfk)))
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Transcript of jfk.flac" in body
    assert all(s.text in body for s in jfk.segments)
    assert "[00:00:00]" in body


def test_json_and_txt(jfk):
    assert Transcript.from_json(get_exporter("json").render(jfk).decode()) == jfk
    assert get_exporter("txt").render(jfk).decode().split() == jfk.text.split()


def test_registry_and_atomic_save(tmp_path, jfk):
    assert list(EXPORTERS) == ["txt", "srt", "vtt", "json", "docx"]
    for name in EXPORTERS:
        path = save(jfk, name, tmp_path / f"out.{name}")
        assert path.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"out.{n}" for n in EXPORTERS)
    with pytest.raises(OutputError, match="Unknown export format 'pdf'"):
        get_exporter("pdf")
    with pytest.raises(OutputError, match="Cannot write"):
        save(jfk, "txt", tmp_path / "missing-folder" / "out.txt")
