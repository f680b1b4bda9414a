"""The one sanitiser for outside text."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jb_watchdesk.domain.text import REPLACEMENT, clean_text, is_clean


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("暴雨预警\ud83d", "暴雨预警" + REPLACEMENT),  # half an emoji, as a JSON "\ud83d" decodes
        ("\udc00开头", REPLACEMENT + "开头"),
        ("\ud83d\ude00", "😀"),  # a pair left by a surrogatepass decode is one character again
        ("江北\ufffe发布", "江北发布"),
        ("a\uffffb", "ab"),
        ("nul\x00here", "nulhere"),
        ("bell\x07 esc\x1b[31m", "bell esc[31m"),
        ("tab\tlf\ncr\r", "tab\tlf\ncr\r"),
        ("c1\x85\x9f", "c1"),
        ("平常的文字，没有问题。", "平常的文字，没有问题。"),
    ],
)
def test_clean_text_examples(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_returns_the_same_object_for_clean_text() -> None:
    text = "国家秘密的密级分为绝密、机密、秘密三级"
    assert clean_text(text) is text


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_cleaned_text_goes_everywhere(raw: str) -> None:
    cleaned = clean_text(raw)
    assert is_clean(cleaned)
    assert clean_text(cleaned) == cleaned  # idempotent
    cleaned.encode("utf-8")  # SQLite and every file format need UTF-8
    json.loads(json.dumps(cleaned, ensure_ascii=False))  # the ledger's JSON
    ET.fromstring(f"<t>{cleaned.replace('&', '&amp;').replace('<', '&lt;')}</t>")  # XLSX is XML


@given(st.text())
def test_text_without_forbidden_characters_is_unchanged(raw: str) -> None:
    if is_clean(raw):
        assert clean_text(raw) == raw
