"""Code-point offsets for the command line, UTF-16 offsets for Qt."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jb_watchdesk.domain.sensitive.offsets import code_point_offset, utf16_offset, utf16_span, utf16_spans


def _utf16_slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def test_emoji_before_a_hit_shifts_utf16_offsets() -> None:
    text = "😀👍代办"
    assert text.index("代办") == 2
    assert utf16_span(text, start=2, end=4) == (4, 6)
    assert _utf16_slice(text, 4, 6) == "代办"


def test_bmp_only_text_keeps_offsets() -> None:
    assert utf16_spans("代办服务", spans=[(0, 2), (2, 4)]) == [(0, 2), (2, 4)]


@settings(max_examples=100)
@given(st.text(alphabet=st.sampled_from("代办a1 😀𠮷👨‍👩‍👧"), max_size=30), st.data())
def test_utf16_spans_slice_the_same_characters(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    (unit_start, unit_end), = utf16_spans(text, spans=[(start, end)])
    assert (unit_start, unit_end) == utf16_span(text, start=start, end=end)
    assert _utf16_slice(text, unit_start, unit_end) == text[start:end]
    assert code_point_offset(text, utf16_index=utf16_offset(text, index=start)) == start
