"""The word-agreement rules on word lists alone (no audio, no decoder, no buffer)."""

from dictation_app.engine import agreement
from dictation_app.transcript import Word


def w(text, start, end, p=0.9):
    return Word(start, end, " " + text, p)


def ws(*spec):
    return [w(*s) for s in spec]


def test_agreed_prefix_ignores_case_and_punctuation():
    old = ws(("He", 0.1, 0.3), ("hoped,", 0.3, 0.6), ("there", 0.6, 0.8))
    new = ws(("he", 0.1, 0.3), ("hoped", 0.3, 0.6), ("their", 0.6, 0.8), ("would", 0.8, 1.0))
    assert agreement.agreed_prefix(old, new) == 2
    assert agreement.agreed_prefix([], new) == 0


def test_an_unlikely_word_needs_the_older_hypothesis_too():
    agreed = ws(("he", 0.1, 0.3), ("steam", 0.3, 0.6, 0.1), ("there", 0.6, 0.8))
    assert agreement.sure_prefix(agreed, [], 0.2) == 1  # stops before "steam"
    assert agreement.sure_prefix(agreed, ws(("steam", 0.4, 0.6)), 0.2) == 3  # heard before at about that time
    assert agreement.sure_prefix(agreed, ws(("steam", 1.0, 1.2)), 0.2) == 1  # elsewhere: not the same word
    assert agreement.sure_prefix(agreed, [], 0.0) == 3  # rule off


def test_settled_prefix_drops_words_heard_too_close_to_the_edge():
    words = ws(("a", 0.1, 0.3), ("b", 0.3, 0.9), ("c", 0.9, 1.4))
    assert agreement.settled_prefix(words, 3, 1.0) == 2
    assert agreement.settled_prefix(words, 1, 1.0) == 1


def test_committed_words_are_found_in_a_redecode_by_text():
    committed = ["he", "hoped", "there"]
    redecode = ws(("he", 0.1, 0.3), ("hope", 0.3, 0.6), ("there", 0.6, 0.8), ("would", 0.75, 1.0))
    # "would" starts before the commit's end (0.8 s) by its timestamp, but follows "there" by text.
    assert agreement.after_committed(committed, redecode, last_commit_end=0.8) == 3
    assert agreement.after_committed(committed, ws(("new", 0.1, 0.5), ("words", 0.5, 0.9)), 0.8) is None
    # A match far later in time than the commit is a new word that happens to be the same.
    assert agreement.after_committed(["there"], ws(("so", 0.1, 0.3), ("there", 3.0, 3.3)), 0.8) is None


def test_a_committed_word_heard_differently_is_skipped_once():
    committed = ["he", "hoped", "there"]
    redecode = ws(("he", 0.1, 0.3), ("hoped", 0.3, 0.6), ("their", 0.6, 0.8), ("would", 0.9, 1.1))
    assert agreement.after_committed(committed, redecode, last_commit_end=0.8) == 3


def test_seam_overlap_finds_a_repeated_ngram():
    committed = ws(("ask", 0.0, 0.2), ("not", 0.2, 0.4), ("what", 0.4, 0.6))
    assert agreement.seam_overlap(committed, ws(("not", 0.2, 0.4), ("what", 0.4, 0.6), ("your", 0.6, 0.8))) == 2
    assert agreement.seam_overlap(committed, ws(("your", 0.6, 0.8))) == 0


def test_nothing_is_trusted_past_a_gap_that_hides_speech():
    words = ws(("one", 0.1, 0.4), ("nine", 3.6, 3.9))

    def talking(a, b):  # speech throughout
        return b - a

    def quiet(a, b):
        return 0.0

    assert agreement.before_gap(words, 0.0, 1.5, talking) == 1
    assert agreement.before_gap(words, 0.0, 1.5, quiet) == 2  # a real pause
    assert agreement.before_gap(words, 0.0, 5.0, talking) == 2  # gap shorter than the limit


def test_a_word_stretched_over_speech_means_the_decoder_jumped_there():
    # "simply crazy over the near the Hudson Bay": the decoder skipped a phrase and stretched
    # "the" over it (1.9 s of speech); a slow "Bay." over the pause after it is no jump.
    words = ws(("crazy", 9.9, 10.3), ("over", 10.3, 10.6), ("the", 10.63, 12.57), ("near", 12.6, 12.8))

    def talking(a, b):
        return b - a

    def pause_after(a, b):  # speech until 12.9 s, silence after it
        return max(0.0, min(b, 12.9) - a)

    assert agreement.stretched(words[2], talking)
    assert not agreement.stretched(words[1], talking)
    assert agreement.before_gap(words, 9.8, 1.5, talking) == 2  # nothing from "the" on is trusted
    assert not agreement.stretched(w("Bay.", 12.6, 14.4), pause_after)
    assert not agreement.stretched(w("extraordinarily", 0.0, 1.5), talking)  # a long word takes long


def test_a_revision_longer_than_the_live_words_is_sound_when_the_words_fit_the_audio():
    old = ws(*[(f"w{i}", i * 0.4, i * 0.4 + 0.3) for i in range(10)])
    restored = ws(*[(f"w{i}", i * 0.3, i * 0.3 + 0.2) for i in range(19)])  # 19 words in 6 s
    assert agreement.sound_revision(old, restored, 6.0)
    assert not agreement.sound_revision(old, restored, 3.0)  # 6 words a second: not speech
    assert not agreement.sound_revision(old, old[:6], 6.0)  # stopped early: would take words away
    assert agreement.sound_revision(old, old, 6.0)


def test_a_word_after_a_sentence_end_is_capitalized():
    words = ws(
        ("a", 0.8, 0.9),
        ("man's", 0.9, 1.2),
        ("e.g.", 1.2, 1.5),
        ("the", 1.5, 1.6),
        ("end.", 1.6, 1.8),
        ("so", 1.9, 2.0),
    )
    out = agreement.capitalized(words, "satisfaction.")
    assert "".join(x.text for x in out) == " A man's e.g. the end. So"
    assert agreement.capitalized(ws(("a", 0, 1)), "no end")[0].text == " a"


def test_prompt_is_committed_text_before_the_buffer_cut_at_a_word():
    committed = ws(("alpha", 0.0, 0.5), ("beta", 0.5, 1.0), ("gamma", 1.0, 1.5))
    assert agreement.prompt_text(committed, 1.0, 200, "Names.") == "alpha beta"
    assert agreement.prompt_text(committed, 1.0, 6, None) == "beta"  # at most 6 characters, whole words
    assert agreement.prompt_text(committed, 0.2, 200, "Names: Kennedy.") == "Names: Kennedy."


def test_only_vocabulary_words_are_taken_from_the_decode_primed_with_them():
    plain = ws(
        ("Then", 0.0, 0.2),
        ("Quill", 0.2, 0.4),
        ("and", 0.4, 0.5),
        ("Major,", 0.5, 0.8),
        ("Brownie", 0.9, 1.2),
        ("smiled.", 1.2, 1.5),
    )
    primed = ws(
        ("Then", 0.0, 0.2),
        ("Quillan", 0.2, 0.5),
        ("Major,", 0.5, 0.8),
        ("Browny", 0.9, 1.2),
        ("smiled", 1.2, 1.4),
        ("Kara.", 1.4, 1.5),
    )
    out = agreement.with_vocabulary(plain, primed, "Jimmie, Quillan, Kara")
    # the name replaces its near miss; "Brownie" and the end stay the plain decode's
    assert "".join(x.text for x in out) == " Then Quillan Major, Brownie smiled."
    assert agreement.with_vocabulary(plain, primed, "") == plain
    # a span that brings a name in but is long is not a near miss
    long = ws(("Kara", 0.0, 0.2), ("said", 0.2, 0.4), ("so", 0.4, 0.5), ("too", 0.5, 0.6))
    assert agreement.with_vocabulary(
        ws(("a", 0, 0.1), ("b", 0.1, 0.2), ("c", 0.2, 0.3), ("d", 0.3, 0.6)), long, "Kara"
    ) == ws(("a", 0, 0.1), ("b", 0.1, 0.2), ("c", 0.2, 0.3), ("d", 0.3, 0.6))
