"""Folding keeps every offset; noise deletion maps back to the exact original characters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jb_watchdesk.domain.sensitive.normalize import compact, fold, fold_term

NOISY_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("秘密代办国家级市长。，！ \u200b*·_-\n"),
        st.characters(codec="utf-8"),
    ),
    max_size=60,
)


def test_fold_examples() -> None:
    assert fold("國家級") == "国家级"
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("①②③❶➀") == "12311"
    assert fold("⼀") == "一"  # Kangxi radical dressed as a character
    assert fold("İstanbul") == "istanbul"


def test_fold_keeps_what_would_change_length() -> None:
    assert fold("⑩") == "⑩"  # "10" would shift every later offset


@settings(max_examples=150)
@given(NOISY_TEXT)
def test_fold_never_changes_length_and_is_idempotent(text: str) -> None:
    folded = fold(text)
    assert len(folded) == len(text)
    assert fold(folded) == folded


def test_compact_deletes_noise_between_chinese_characters() -> None:
    compacted = compact(fold("秘*密 代·办\u200b件"))
    assert compacted is not None
    assert compacted.text == "秘密代办件"


def test_compact_keeps_punctuation_line_breaks_and_latin_spacing() -> None:
    assert compact("秘。密，代\n办") is None
    assert compact("have a very good day") is None
    assert compact("秘" + " " * 5 + "密") is None  # a long gap is layout, not an evasion


def test_compact_maps_back_to_original_offsets() -> None:
    text = "提供代 · 办服务"
    compacted = compact(fold(text))
    assert compacted is not None
    start = compacted.text.index("代办")
    original = compacted.original_span(start=start, end=start + 2)
    assert text[original[0] : original[1]] == "代 · 办"


@settings(max_examples=150)
@given(NOISY_TEXT)
def test_every_compact_character_comes_from_the_same_folded_character(text: str) -> None:
    folded = fold(text)
    compacted = compact(folded)
    if compacted is None:
        return
    assert len(compacted.text) < len(folded)
    offsets = [compacted.original_offset(index) for index in range(len(compacted.text))]
    assert offsets == sorted(set(offsets))
    assert all(folded[offset] == char for offset, char in zip(offsets, compacted.text, strict=True))


def test_fold_term_applies_fold_and_noise_deletion() -> None:
    assert fold_term(" 代 · 辦 ") == "代办"
