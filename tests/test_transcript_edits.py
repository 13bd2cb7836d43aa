"""Segment edits and autosave, without Qt."""

from dictation_app.transcript import Segment, Transcript, Word
from dictation_app.transcript.autosave import AutosaveStore, SavedDocument
from dictation_app.transcript.edits import merge_segments, replace_in_segments, split_segment, with_text


def segment():
    words = [Word(0.0, 0.5, " And"), Word(0.5, 1.0, " so,"), Word(1.2, 1.6, " my"), Word(1.6, 2.4, " fellow")]
    return Segment(0.0, 2.4, "And so, my fellow", words)


def test_split_at_the_word_nearest_the_time():
    first, second = split_segment(segment(), at=1.25)
    assert (first.text, first.start, first.end) == ("And so,", 0.0, 1.0)
    assert (second.text, second.start, second.end) == ("my fellow", 1.2, 2.4)
    assert merge_segments([first, second]) == segment()


def test_split_without_words_splits_text_and_time_in_proportion():
    first, second = split_segment(Segment(10.0, 12.0, "one two three four"))
    assert (first.text, second.text) == ("one two", "three four")
    assert 10.0 < first.end == second.start < 12.0
    assert split_segment(Segment(0, 1, "single")) is None


def test_editing_text_drops_word_timings_that_no_longer_match():
    assert with_text(segment(), "And so, my fellow").words == segment().words
    assert with_text(segment(), "And so my friend").words == []


def test_replace_reports_changed_segments_only():
    segments = [Segment(0, 1, "Kennedy spoke"), Segment(1, 2, "then silence"), Segment(2, 3, "KENNEDY again")]
    changed = replace_in_segments(segments, "kennedy", "JFK")
    assert {i: s.text for i, s in changed.items()} == {0: "JFK spoke", 2: "JFK again"}
    assert replace_in_segments(segments, "kennedy", "JFK", case_sensitive=True) == {}


def test_autosave_keeps_documents_until_discarded(tmp_path):
    store = AutosaveStore(tmp_path / "autosave")
    assert store.left_over() == []
    doc = SavedDocument(store.new_id(), "transcript", "jfk.flac", Transcript([segment()]).to_dict())
    store.save(doc)
    store.save(SavedDocument(store.new_id(), "dictation", "Dictation", "hello", {"session": "/x"}))
    (tmp_path / "autosave" / "garbage.json").write_text("{not json")
    docs = store.left_over()
    assert [d.kind for d in docs] == ["transcript", "dictation"]
    assert Transcript.from_dict(docs[0].content).segments == [segment()]
    assert docs[1].content == "hello" and docs[1].extra == {"session": "/x"}
    store.discard(doc.doc_id)
    assert [d.kind for d in store.left_over()] == ["dictation"]
    assert (tmp_path / "autosave" / "garbage.json").exists()  # unreadable: kept for a human, not deleted


def test_writes_a_crash_cut_short_are_removed_and_never_offered(tmp_path):
    """A crash during a save leaves a hidden ``.part`` file holding the user's words: the next
    start removes it (an old one; a fresh one may be a write in flight), and discarding a
    document removes its partial writes too."""
    import os

    store = AutosaveStore(tmp_path / "autosave")
    doc = SavedDocument(store.new_id(), "dictation", "Dictation", "kept whole")
    store.save(doc)
    folder = tmp_path / "autosave"
    old = folder / f".{doc.doc_id}.json.abc123.part"
    old.write_text('{"kind": "dictation", "content": "half a')
    os.utime(old, (0, 0))
    fresh = folder / f".{store.new_id()}.json.def456.part"
    fresh.write_text("{")
    assert [d.content for d in store.left_over()] == ["kept whole"]
    assert not old.exists() and fresh.exists()
    again = folder / f".{doc.doc_id}.json.ghi789.part"
    again.write_text("{")
    store.discard(doc.doc_id)
    assert not again.exists() and fresh.exists() and store.left_over() == []
