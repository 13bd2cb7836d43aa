"""The streaming engine: the policy with a scripted decoder and scripted speech decisions
(no audio, no Silero), then with Whisper and Silero on real speech."""

import re

import numpy as np
import pytest

from dictation_app.audio import load_audio
from dictation_app.engine.backend import WhisperBackend
from dictation_app.engine.streaming import (
    Commit,
    Partial,
    Revision,
    StreamingOptions,
    StreamingTranscriber,
    UtteranceEnd,
    apply_committed,
)
from dictation_app.evaluation import wer
from dictation_app.transcript import Word

SR = 16_000


class ScriptedBackend:
    """Returns prepared hypotheses in order (times relative to the buffer start)."""

    def __init__(self, hypotheses):
        self.hypotheses = list(hypotheses)
        self.calls = []

    def decode(self, audio, prompt, hotwords=None):
        self.calls.append((len(audio) / SR, prompt))
        return self.hypotheses.pop(0) if self.hypotheses else []


def words(*spec):
    return [Word(start, end, " " + text, 0.9) for text, start, end in spec]


class ScriptedDetector:
    """Speech where the script says (spans in stream seconds), silence elsewhere."""

    window_samples = 512

    def __init__(self, *spans):
        self.spans = spans or ((0.58, 1e9),)  # by default speech from 0.58 s on
        self.reset()

    def reset(self):
        self.samples = 0  # samples received
        self.decided = 0  # windows decided

    def push(self, block):
        self.samples += len(block)
        flags = []
        while (self.decided + 1) * self.window_samples <= self.samples:
            start, end = self.decided * self.window_samples / SR, (self.decided + 1) * self.window_samples / SR
            flags.append(any(a < end and b > start for a, b in self.spans))
            self.decided += 1
        return np.array(flags, bool)


def scripted(backend, options=None, *spans):
    return StreamingTranscriber(backend, options or StreamingOptions(), ScriptedDetector(*spans))


def speech_like(seconds):
    """Audio of the given length; what counts as speech in it is the detector's script."""
    return np.zeros(int(seconds * SR), np.float32)


def feed(st, audio, block_s=0.5):
    events = []
    for i in range(0, len(audio), int(block_s * SR)):
        st.insert_audio(audio[i : i + int(block_s * SR)])
        events += st.process()
    return events


def committed(events):
    return [w.text.strip() for e in events if isinstance(e, Commit) for w in e.words]


def test_commits_only_what_two_hypotheses_agree_on():
    backend = ScriptedBackend(
        [
            words(("he", 0.1, 0.3), ("hoped", 0.3, 0.6)),
            words(("he", 0.1, 0.3), ("hoped", 0.3, 0.6), ("there", 0.6, 0.8), ("word", 0.8, 1.0)),
            words(("he", 0.1, 0.3), ("hoped", 0.3, 0.6), ("there", 0.6, 0.8), ("would", 0.8, 1.1), ("be", 1.1, 1.3)),
        ]
    )
    st = scripted(backend, StreamingOptions(chunk_s=0.5, first_decode_s=0.4))
    events = feed(st, speech_like(2.1))  # speech starts at 0.58 s: decodes at 1.0, 1.5, 2.0 s
    assert len(backend.calls) == 3
    assert committed(events) == ["he", "hoped", "there"]
    partials = [e for e in events if isinstance(e, Partial)]
    assert partials[-1].text == "would be"


def test_an_unlikely_word_waits_for_a_third_decode():
    def unlikely(text, start, end):
        return Word(start, end, " " + text, 0.1)

    first = words(("he", 0.1, 0.3), ("hoped", 0.3, 0.6)) + [unlikely("steam", 0.6, 1.0)]
    second = first + words(("there", 1.0, 1.2))

    def run(third, unsure_p=0.2):
        st = scripted(
            ScriptedBackend([first, second, third]),
            StreamingOptions(chunk_s=0.5, first_decode_s=0.4, unsure_p=unsure_p),
        )
        return committed(feed(st, speech_like(2.1)))

    corrected = words(
        ("he", 0.1, 0.3), ("hoped", 0.3, 0.6), ("esteem", 0.6, 1.0), ("there", 1.0, 1.2), ("was", 1.2, 1.4)
    )
    assert run(corrected) == ["he", "hoped"]  # two decodes agreed on "steam"; the third did not
    assert run(corrected, unsure_p=0.0) == ["he", "hoped", "steam", "there"]  # plain LocalAgreement-2
    assert run(second + words(("was", 1.2, 1.4))) == ["he", "hoped", "steam", "there"]  # three agree


def test_a_redecode_that_hears_a_committed_word_differently_loses_nothing_after_it():
    backend = ScriptedBackend(
        [
            words(("he", 0.1, 0.3), ("hoped", 0.3, 0.6), ("there", 0.6, 1.1)),  # stretched over a pause
            words(("he", 0.1, 0.3), ("hoped", 0.3, 0.6), ("there", 0.6, 1.1)),
            words(("he", 0.1, 0.3), ("hope", 0.3, 0.6), ("there", 0.6, 0.8), ("would", 0.9, 1.2), ("be", 1.2, 1.4)),
            words(
                ("he", 0.1, 0.3),
                ("hoped", 0.3, 0.6),
                ("there", 0.6, 0.8),
                ("would", 0.9, 1.2),
                ("be", 1.2, 1.4),
                ("stew", 1.5, 1.9),
            ),
        ]
    )
    st = scripted(backend, StreamingOptions(chunk_s=0.5, first_decode_s=0.4))
    events = feed(st, speech_like(2.6))
    assert len(backend.calls) == 4
    # "would" starts before the committed "there" ended by its timestamp; aligned by text,
    # it is still new, so the next decode agrees on it.
    assert committed(events) == ["he", "hoped", "there", "would", "be"]


def test_settle_holds_agreed_words_until_enough_audio_follows_them():
    hypotheses = [
        words(("he", 0.1, 0.3), ("hoped", 0.3, 0.6)),
        words(("he", 0.1, 0.3), ("hoped", 0.3, 0.6), ("there", 0.6, 0.8), ("word", 0.8, 1.0)),
        words(("he", 0.1, 0.3), ("hoped", 0.3, 0.6), ("there", 0.6, 0.8), ("would", 0.8, 1.1), ("be", 1.1, 1.3)),
    ]
    st = scripted(ScriptedBackend(hypotheses), StreamingOptions(chunk_s=0.5, first_decode_s=0.4, settle_s=1.0))
    events = feed(st, speech_like(2.1))
    # The last decode (audio up to 2.0 s) agrees on "there" too, but heard under 1 s after it.
    assert committed(events) == ["he", "hoped"]
    assert [e for e in events if isinstance(e, Partial)][-1].text == "there would be"
    assert all(w.end <= 1.0 for e in events if isinstance(e, Commit) for w in e.words)


def test_a_pause_after_a_phrase_is_decoded_at_once_not_at_the_next_chunk():
    audio = speech_like(3.7)  # speech, 0.7 s of silence, speech

    def decode_ends(phrase_decode_s):
        backend = ScriptedBackend([])
        options = StreamingOptions(chunk_s=1.0, first_decode_s=0.4, phrase_decode_s=phrase_decode_s)
        st = scripted(backend, options, (0.58, 1.5), (2.2, 3.7))
        feed(st, audio, block_s=0.1)
        return [round(seconds, 1) for seconds, _ in backend.calls]

    # Speech from 0.58 s (buffer from 0.28 s) to 1.5 s, then 0.7 s of silence.
    chunked, phrased = decode_ends(0.0), decode_ends(0.6)
    assert chunked[:2] == [0.7, 1.7]  # decodes at 1.0 and 2.0 s: the second 0.5 s into the pause
    assert phrased[0] == 0.7 and 1.2 < phrased[1] < 1.6  # 0.2-0.3 s into the pause


def test_a_word_after_a_committed_sentence_end_is_capitalized():
    backend = ScriptedBackend(
        [
            words(("satisfaction.", 0.1, 0.6)),
            words(("satisfaction.", 0.1, 0.6), ("a", 0.8, 0.9), ("man's", 0.9, 1.2)),
            words(("satisfaction.", 0.1, 0.6), ("a", 0.8, 0.9), ("man's", 0.9, 1.2), ("shadow", 1.2, 1.5)),
            words(
                ("satisfaction.", 0.1, 0.6),
                ("a", 0.8, 0.9),
                ("man's", 0.9, 1.2),
                ("shadow", 1.2, 1.5),
                ("e.g.", 1.6, 1.9),
                ("the", 2.0, 2.1),
            ),
            words(
                ("satisfaction.", 0.1, 0.6),
                ("a", 0.8, 0.9),
                ("man's", 0.9, 1.2),
                ("shadow", 1.2, 1.5),
                ("e.g.", 1.6, 1.9),
                ("the", 2.0, 2.1),
            ),
        ]
    )
    st = scripted(backend, StreamingOptions(chunk_s=0.5, first_decode_s=0.4))
    events = feed(st, speech_like(3.1)) + st.finish()
    assert st.committed_text == "satisfaction. A man's shadow e.g. the"
    commits = [e.text for e in events if isinstance(e, Commit)]
    assert commits[0] == "satisfaction." and commits[1].startswith("A man's")  # across commits

    st = scripted(ScriptedBackend([words(("end.", 0.1, 0.4), ("so", 0.6, 0.8), ("it", 0.8, 0.9))] * 2))
    feed(st, speech_like(1.1))
    assert st.finish() and st.committed_text == "end. So it"  # within one commit


def test_prompt_is_committed_text_before_the_buffer_only():
    backend = ScriptedBackend([words(("a", 0.1, 0.2), ("b", 0.3, 0.8), ("c", 0.9, 1.3))] * 3)
    st = scripted(backend, StreamingOptions(chunk_s=0.5, first_decode_s=0.4, initial_prompt="Names: Kennedy."))
    feed(st, speech_like(2.1))
    # Words still inside the buffer are never in the prompt (the decoder would skip them).
    assert all(prompt == "Names: Kennedy." for _, prompt in backend.calls)


class SkippingBackend:
    """Whole-buffer decodes jump over 3 s of speech; shorter decodes hear every word."""

    def __init__(self):
        self.calls = []

    def decode(self, audio, prompt, hotwords=None):
        seconds = len(audio) / SR
        self.calls.append((seconds, prompt))
        if seconds >= 3.5:
            return words(("one", 0.1, 0.4), ("nine", 3.6, 3.9))
        return words(*[(f"w{i}", i * 0.5 + 0.1, i * 0.5 + 0.4) for i in range(int(seconds / 0.5))])


def test_a_hypothesis_that_skips_speech_is_not_committed_past_the_gap():
    backend = SkippingBackend()
    st = scripted(backend, StreamingOptions(chunk_s=0.5, first_decode_s=0.4))
    events = feed(st, speech_like(4.0))
    times = [w.start for e in events if isinstance(e, Commit) for w in e.words]
    assert "nine" not in committed(events)  # never past the skipped span
    assert times == sorted(times) and all(b - a < 1.5 for a, b in zip(times, times[1:]))
    assert times[-1] > 2.0  # the skipped span was decoded on its own and committed, not lost


class StretchingBackend:
    """Decodes of 3 s or more skip 2 s of speech and stretch "the" over it (its timestamps
    hold 2 s of speech, no gap anywhere); shorter decodes hear every word."""

    def decode(self, audio, prompt, hotwords=None):
        seconds = len(audio) / SR
        if seconds >= 3.0:
            return words(("one", 0.1, 0.4), ("the", 0.45, 2.45), ("nine", 2.5, 2.8))
        return words(*[(f"w{i}", i * 0.5 + 0.1, i * 0.5 + 0.4) for i in range(int(seconds / 0.5))])


def test_a_word_stretched_over_speech_is_never_committed_and_the_span_it_hid_is_decoded():
    st = scripted(StretchingBackend(), StreamingOptions(chunk_s=0.5, first_decode_s=0.4), (0.58, 4.0))
    events = feed(st, speech_like(7.0), block_s=0.1)
    live = [w for e in events if isinstance(e, Commit) for w in e.words]
    assert live and all(w.end - w.start < 1.0 for w in live)  # never the stretched word
    starts = [w.start for w in live]
    assert all(b - a < 1.0 for a, b in zip(starts, starts[1:]))  # no span lost
    assert starts[-1] > 3.0
    final = st.committed_text.split()
    assert len(final) >= len(live) - 1 and "w3" in final  # the revision kept what it would have skipped


class UtteranceBackend:
    """Live decodes hear "he hope it" (a phrase end misheard); a decode of 2.5 s or more, the
    utterance heard whole, hears ``whole``."""

    def __init__(self, whole):
        self.whole = whole
        self.calls = []

    def decode(self, audio, prompt, hotwords=None):
        seconds = len(audio) / SR
        self.calls.append((seconds, prompt))
        if seconds >= 2.5:
            return list(self.whole)
        live = words(("he", 0.1, 0.3), ("hope", 0.3, 0.6), ("it", 0.6, 0.8), ("rains", 0.9, 1.3))
        return [w for w in live if w.end <= seconds - 0.2]


def final_text(events):
    done = []
    for event in events:
        apply_committed(done, event)
    return "".join(w.text for w in done).strip()


def test_an_utterance_heard_whole_revises_its_live_words():
    whole = words(("He", 0.1, 0.3), ("hoped", 0.3, 0.6), ("it", 0.6, 0.8), ("rains.", 0.9, 1.3))
    backend = UtteranceBackend(whole)
    st = scripted(backend, StreamingOptions(chunk_s=0.5, first_decode_s=0.4), (0.58, 2.0), (4.0, 4.4))
    events = feed(st, speech_like(3.6), block_s=0.1)
    assert committed(events) == ["he", "hope", "it", "rains"]  # live, before the pause ended
    (revision,) = [e for e in events if isinstance(e, Revision)]
    assert revision.count == 4 and revision.text == "He hoped it rains."
    # The utterance's last words are handed out first; the revision comes at the next call.
    assert events.index(revision) > [i for i, e in enumerate(events) if isinstance(e, UtteranceEnd)][0]
    assert final_text(events) == st.committed_text == "He hoped it rains."
    seconds, prompt = backend.calls[-1]
    assert 2.5 <= seconds < 3.0 and prompt == ""  # the whole utterance, pre-roll to pause
    # The next utterance's decodes are prompted with the revised text.
    feed(st, speech_like(1.5), block_s=0.1)
    assert backend.calls[-1][1] == "He hoped it rains."


def test_the_next_utterances_first_words_come_before_the_revision_of_the_one_before():
    # Speech resumes as the pause ends: the new utterance's first decode (its first words on
    # screen) runs before the revision of the one before, and the revision before any commit
    # of the new one (a Revision counts back from the newest commit).
    whole = words(("He", 0.1, 0.3), ("hoped", 0.3, 0.6), ("it", 0.6, 0.8), ("rains.", 0.9, 1.3))
    backend = UtteranceBackend(whole)
    st = scripted(backend, StreamingOptions(chunk_s=0.5), (0.58, 2.0), (3.1, 6.0))
    events = feed(st, speech_like(5.0), block_s=0.2)  # the pause ends and speech starts in one block
    end = next(i for i, e in enumerate(events) if isinstance(e, UtteranceEnd))
    (revision,) = [i for i, e in enumerate(events) if isinstance(e, Revision)]
    first_words = next(i for i, e in enumerate(events[end:], end) if isinstance(e, Partial) and e.words)
    next_commit = next(i for i, e in enumerate(events[end:], end) if isinstance(e, Commit))
    assert first_words < revision < next_commit
    assert events[first_words].text == "he hope it"
    assert final_text(events).startswith("He hoped it rains. He hope")


def test_a_revision_that_loops_is_refused_and_one_that_stops_early_keeps_the_live_tail():
    looped = words(*[("he", 0.1 + i * 0.05, 0.15 + i * 0.05) for i in range(12)])
    st = scripted(UtteranceBackend(looped), StreamingOptions(chunk_s=0.5, first_decode_s=0.4), (0.58, 2.0))
    events = feed(st, speech_like(3.6), block_s=0.1)
    assert not [e for e in events if isinstance(e, Revision)] and final_text(events) == "he hope it rains"

    stopped = words(("He", 0.1, 0.3), ("hoped", 0.3, 0.6))
    st = scripted(UtteranceBackend(stopped), StreamingOptions(chunk_s=0.5, first_decode_s=0.4), (0.58, 2.0))
    assert final_text(feed(st, speech_like(3.6), block_s=0.1)) == "He hoped it rains"


def test_a_revision_never_drops_a_phrase_the_live_decodes_agreed_on():
    from dictation_app.engine.agreement import spliced

    live = words(
        ("just", 0.0, 0.3),
        ("as", 0.3, 0.5),
        ("the", 0.5, 0.6),
        ("rush", 0.7, 0.9),
        ("on", 0.9, 1.0),
        ("board", 1.0, 1.3),
        ("began", 1.3, 1.8),
        ("a", 1.9, 2.0),
        ("simple", 2.0, 2.4),
    )
    # Whisper jumped over "rush on board began", stretching "the" over it
    skipped = words(("just", 0.0, 0.3), ("as", 0.3, 0.5), ("the", 0.5, 1.8), ("a", 1.9, 2.0), ("simple", 2.0, 2.4))
    assert [w.text.strip() for w in spliced(skipped, live)] == "just as the rush on board began a simple".split()
    # a changed word and a dropped stray word are the revision's to make
    better = words(
        ("just", 0.0, 0.3),
        ("as", 0.3, 0.5),
        ("the", 0.5, 0.6),
        ("rush", 0.7, 0.9),
        ("on", 0.9, 1.0),
        ("board", 1.0, 1.3),
        ("began,", 1.3, 1.8),
        ("simple.", 2.0, 2.4),
    )
    assert [w.text.strip() for w in spliced(better, live)] == "just as the rush on board began, simple.".split()


def test_a_long_utterance_ends_at_a_shorter_pause():
    # 14 s of speech, a 0.5-s pause, more speech: a long utterance ends at the pause (its
    # revision then hears all of it within Whisper's 30 s); without revision it goes on.
    spans = ((0.58, 14.0), (14.5, 16.0))
    for revise, ends in ((True, 1), (False, 0)):
        st = scripted(ScriptedBackend([]), StreamingOptions(revise=revise), *spans)
        events = feed(st, speech_like(15.5), block_s=0.1)
        assert len([e for e in events if isinstance(e, UtteranceEnd)]) == ends


def test_revision_can_be_turned_off():
    whole = words(("He", 0.1, 0.3), ("hoped", 0.3, 0.6), ("it", 0.6, 0.8), ("rains.", 0.9, 1.3))
    st = scripted(UtteranceBackend(whole), StreamingOptions(chunk_s=0.5, first_decode_s=0.4, revise=False), (0.58, 2.0))
    events = feed(st, speech_like(3.6), block_s=0.1)
    assert not [e for e in events if isinstance(e, Revision)] and final_text(events) == "he hope it rains"


def test_the_utterance_heard_whole_takes_only_vocabulary_words_from_a_decode_primed_with_them():
    class Vocabulary(UtteranceBackend):
        def decode(self, audio, prompt, hotwords=None):
            if hotwords is None:
                return super().decode(audio, prompt)
            self.calls.append((len(audio) / SR, prompt, hotwords))
            return words(("Kara", 0.1, 0.3), ("hoped", 0.3, 0.6), ("it", 0.6, 0.8), ("reigns.", 0.9, 1.3))

    whole = words(("Cara", 0.1, 0.3), ("hoped", 0.3, 0.6), ("it", 0.6, 0.8), ("rains.", 0.9, 1.3))
    backend = Vocabulary(whole)
    options = StreamingOptions(chunk_s=0.5, first_decode_s=0.4, vocabulary="Kara, Durazzo")
    st = scripted(backend, options, (0.58, 2.0), (4.0, 4.4))
    events = feed(st, speech_like(3.6), block_s=0.1)
    assert final_text(events) == "Kara hoped it rains."  # the name, and the plain decode's "rains"
    primed = [c for c in backend.calls if len(c) == 3]
    assert len(primed) == 1 and primed[0][2] == "Kara, Durazzo"  # once, for the utterance heard whole


def test_a_long_utterance_has_only_its_newest_commits_revised():
    class Monologue:
        """One word every 0.5 s, spoken without a pause, named by its place in the decoded audio."""

        def __init__(self):
            self.calls = []

        def decode(self, audio, prompt, hotwords=None):
            seconds = len(audio) / SR
            self.calls.append(seconds)
            return words(*[(f"w{i}", i * 0.5 + 0.05, i * 0.5 + 0.4) for i in range(int(seconds / 0.5))])

    backend = Monologue()
    options = StreamingOptions(chunk_s=0.5, first_decode_s=0.4, revise_max_s=4.0)
    st = scripted(backend, options, (0.58, 10.0))
    events = feed(st, speech_like(12.0), block_s=0.1)
    (revision,) = [e for e in events if isinstance(e, Revision)]
    revised_from = revision.words[0].start
    assert 5.0 < revised_from and revision.count < len(committed(events))
    # whole commits: the revised words start where a commit started
    assert any(
        e.words[0].start == pytest.approx(revision.words[0].start, abs=0.3) for e in events if isinstance(e, Commit)
    )
    assert backend.calls[-1] <= 4.0 + 1.0 + 0.5


def test_silence_costs_no_decode_and_gives_no_words():
    backend = ScriptedBackend([words(("thank", 0.0, 0.3), ("you", 0.3, 0.5))] * 100)
    st = scripted(backend, None, (100.0, 101.0))  # nobody speaks in the first 30 s
    events = feed(st, speech_like(30)) + st.finish()
    assert backend.calls == [] and committed(events) == []


@pytest.fixture(scope="module")
def live(model):
    options = StreamingOptions()
    return StreamingTranscriber(WhisperBackend(model, options), options)


def run_live(st, audio, block_s=0.5):
    st.reset()
    events = feed(st, audio, block_s) + st.finish()
    return events, " ".join(e.text for e in events if isinstance(e, Commit))


@pytest.mark.parametrize("seconds", [1.6, 3.0, 6.0])
def test_short_encoder_window_decodes_like_the_full_window(model, data_dir, seconds):
    # The live backend encodes max(buffer + 1 s, encoder_window_s) of audio, not Whisper's
    # 30 s; a short buffer must still give its words, as with the full window.
    audio = load_audio(data_dir / "1089-134686-0000.flac").samples[: int(seconds * SR)]
    short = WhisperBackend(model, StreamingOptions()).decode(audio, "")
    full = WhisperBackend(model, StreamingOptions(encoder_window_s=30.0)).decode(audio, "")
    text = [" ".join(re.sub(r"\W", "", w.text.lower()) for w in ws) for ws in (short, full)]
    assert text[1].startswith("he hoped") and wer([text[1]], [text[0]]) <= 0.1, text


def test_a_decode_encodes_one_window(model, data_dir, monkeypatch):
    # With word timestamps faster-whisper decodes the audio after the last aligned word as a
    # second window (this buffer gets one with the 20-s encoder window); the live loop never
    # uses that text, so it must not pay for a second encode and beam search.
    from faster_whisper import WhisperModel

    audio = load_audio(data_dir / "1089-134686-0000.flac").samples[: 6 * SR]
    encodes = []
    encode = WhisperModel.encode
    monkeypatch.setattr(WhisperModel, "encode", lambda self, features: encodes.append(1) or encode(self, features))
    text = "".join(w.text for w in WhisperBackend(model, StreamingOptions()).decode(audio, ""))
    assert len(encodes) == 1
    assert "stew for dinner" in text and "bruised potatoes" in text, text


def test_live_text_matches_offline_accuracy(live, data_dir, references):
    names = ["1089-134686-0000.flac", "2416-152139-0000.flac", "1088-134318-0003.flac"]
    runs = [run_live(live, load_audio(data_dir / n).samples) for n in names]
    refs = [references[n] for n in names]
    # As first committed (what live typing leaves in another application) and as revised at
    # each pause (the editor, the journal): tiny.en, 0.5-s blocks: 5.8 % and 1.0 %; offline 1.0 %.
    assert wer(refs, [text for _, text in runs]) < 0.08
    assert wer(refs, [final_text(events) for events, _ in runs]) < 0.03


def test_live_takes_the_same_way_out_of_a_noisy_loop_as_files(live, data_dir):
    """Live, in audio time (0.25-s reads), over the noisy passage a temperature-0 decode loops in
    (see test_transcriber): before, "I don't know if this is very little," five times in a row;
    now its windows are decoded again and the repetition is asked of the audio; no loop in
    the words first committed nor in the revised ones, and the speech after it kept (words
    in 0-dB noise vary with the CPU: none is asserted)."""
    from dictation_app.engine.guards import repetition_start
    from dictation_app.evaluation import normalize

    audio = load_audio(data_dir / "noisy-loop-2136-5147-dishes.flac").samples[: 21 * SR]  # the loop is at 5-16 s
    events, first = run_live(live, audio, block_s=0.25)
    for text in (first, final_text(events)):
        assert repetition_start(normalize(text).split(), 3, 10) is None, text
    assert live.loops_heard > 0 and live.backend.redecoded > 0, (live.loops_heard, live.backend.redecoded)
    ends = [w.end for e in events if isinstance(e, Commit) for w in e.words]
    assert len(ends) > 25 and ends[-1] > 17.0  # what follows the loop is heard, not dropped


def test_live_is_reproducible_and_ordered(live, data_dir):
    audio = load_audio(data_dir / "jfk.flac").samples
    first, text1 = run_live(live, audio)
    second, text2 = run_live(live, audio)
    assert first == second and "fellow Americans" in text1
    times = [w.start for e in first if isinstance(e, Commit) for w in e.words]
    assert times == sorted(times)
    assert any(isinstance(e, UtteranceEnd) for e in first)


def test_stopping_mid_sentence_keeps_the_last_words(live, data_dir):
    audio = load_audio(data_dir / "1089-134686-0000.flac").samples
    _, text = run_live(live, audio[: int(6.2 * SR)])  # cut in "...bruised potatoes and fat mutton"
    assert "potatoes" in text.lower()


@pytest.mark.parametrize("block_s", [0.5, 4.0])
def test_stopping_right_after_the_last_word_keeps_it(live, data_dir, block_s):
    # block_s=4: a consumer that fell behind gets the sentence's end in its last read, and
    # Whisper's final decode of the buffer stops at "ladled out", 2.8 s before the audio ends.
    audio = load_audio(data_dir / "1089-134686-0000.flac").samples
    _, text = run_live(live, np.concatenate([np.zeros(SR, np.float32), audio]), block_s)
    assert "sauce" in text.lower()


def test_no_span_is_lost_when_decodes_come_late_and_bunched(live, model, data_dir):
    # Under load a live session reads audio late and in bursts (a microphone's queue filled
    # while a decode ran), so decodes fall at other points than in a calm run. Whatever the
    # timings, every word the offline pass hears is in the final text, give or take a
    # substitution: a decode that jumps over a phrase must not make the loss permanent.
    import jiwer

    from dictation_app.evaluation import normalize

    # Cut in the 2.7-s pause after "215.": audio cut mid-phrase lets the offline reference itself
    # end in a hallucinated tail on some CPUs ("sometimes 2 s th th th th th th" in CI), which
    # the live text rightly lacks.
    audio = load_audio(data_dir / "longform-163-122947.flac").samples[: int(70.5 * SR)]
    segments, _ = model.transcribe(audio, language="en", beam_size=5)
    offline = normalize(" ".join(s.text for s in segments))
    rng = np.random.default_rng(7)
    for burst in (2.5,):  # read 2.5 s late 3 times in 10 (a calm run: test_live_text_matches_offline_accuracy)
        live.reset()
        events, i = [], 0
        while i < len(audio):
            seconds = burst if rng.random() < 0.3 else 0.1  # late reads, then catching up
            live.insert_audio(audio[i : i + int(seconds * SR)])
            i += int(seconds * SR)
            events += live.process()
        events += live.finish()
        text = normalize(final_text(events))
        out = jiwer.process_words(offline, text)
        assert out.deletions <= 0.03 * len(offline.split()), (
            burst,
            out.deletions,
            offline,
            text,
        )  # a lost phrase is 4-5 %
        assert out.wer < 0.08, (burst, out.wer, text)


def test_noise_gives_no_words(live):
    rng = np.random.default_rng(0)
    t = np.arange(20 * SR) / SR
    noise = (rng.standard_normal(t.size) * 0.03 + 0.1 * np.sin(2 * np.pi * 50 * t)).astype(np.float32)
    events, text = run_live(live, noise)
    assert text == "" and live.decodes == 0


class Disagreeing:
    """A decoder that never agrees with itself: a word every 0.5 s of the buffer, new ones each
    decode (the worst case for the buffer: nothing is ever agreed on)."""

    def __init__(self):
        self.calls = 0

    def decode(self, audio, prompt, hotwords=None):
        self.calls += 1
        return [Word(i * 0.5, i * 0.5 + 0.4, f" w{self.calls}x{i}", 0.9) for i in range(int(len(audio) / SR / 0.5))]


def test_buffer_stays_bounded_on_long_speech():
    """One minute of speech without a pause and without two decodes agreeing: the buffer never
    passes ``max_buffer_s`` (the words heard in its older part are committed) and words keep coming."""
    st = scripted(Disagreeing())
    longest, events = 0, []
    audio = speech_like(60)
    for i in range(0, len(audio), SR // 2):
        st.insert_audio(audio[i : i + SR // 2])
        events += st.process()
        longest = max(longest, st.buffered_samples)
    assert longest <= st.options.max_buffer_s * SR + SR
    committed = [w for e in events if isinstance(e, Commit) for w in e.words]
    assert committed and committed[-1].end > 60 - st.options.max_buffer_s - 5


def test_repetition_loops_are_cut():
    from dictation_app.engine.guards import repetition_start

    assert repetition_start("sauce said he said he said he said".split()) == 1
    assert repetition_start("ask not what your country can do".split()) is None
    loop = words(
        ("sauce", 0.1, 0.2),
        ("he", 0.2, 0.3),
        ("said", 0.3, 0.4),
        ("he", 0.4, 0.5),
        ("said", 0.5, 0.6),
        ("he", 0.6, 0.7),
        ("said", 0.7, 0.8),
    )

    class Looping:
        """The buffer decodes as the loop; its second "he said" alone as ``alone``."""

        def __init__(self, alone):
            self.alone, self.asked = alone, []

        def decode(self, audio, prompt, hotwords=None):
            if len(audio) < 0.5 * SR:
                self.asked.append((len(audio) / SR, prompt))
                return words(*[(text, 0.0, 0.1) for text in self.alone])
            return loop

    backend = Looping(["hmm"])
    st = scripted(backend, StreamingOptions(chunk_s=0.5, first_decode_s=0.4))
    events = feed(st, speech_like(2.1))
    assert committed(events) == ["sauce"]
    assert all("said" not in e.text for e in events if isinstance(e, Partial))
    seconds, prompt = backend.asked[0]
    assert 0.2 <= seconds <= 0.45 and prompt == ""  # "he said" (0.4-0.6 s) alone, unprompted

    # the audio says it again: a phrase really repeated stays
    st = scripted(Looping(["he", "said."]), StreamingOptions(chunk_s=0.5, first_decode_s=0.4))
    events = feed(st, speech_like(2.1))
    assert committed(events)[:5] == ["sauce", "he", "said", "he", "said"]


def test_the_policy_runs_without_silero_or_faster_whisper():
    # The scripted tests above need neither a speech model nor an audio file: a VAD or
    # faster-whisper update cannot break them.
    import subprocess
    import sys

    script = (
        "import sys, numpy as np\n"
        "sys.path.insert(0, 'tests')\n"
        "from test_streaming import ScriptedBackend, scripted, words, feed, committed, StreamingOptions\n"
        "b = ScriptedBackend([words(('he', 0.1, 0.3), ('hoped', 0.3, 0.6))] * 3)\n"
        "st = scripted(b, StreamingOptions(chunk_s=0.5, first_decode_s=0.4))\n"
        "print(committed(feed(st, np.zeros(32000, np.float32)) + st.finish()))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('faster_whisper', 'onnxruntime', 'ctranslate2'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == ["['he', 'hoped']", "[]"], out
