"""Secrecy markings as printed on classified documents: 绝密★, 机密★10年, 秘密★, whatever the star."""

from __future__ import annotations

import functools
import itertools
import re
from typing import Final

from jb_watchdesk.domain.sensitive.lexicon import Category, Severity
from jb_watchdesk.domain.sensitive.normalize import noise_chars
from jb_watchdesk.domain.sensitive.reasons import Why
from jb_watchdesk.domain.sensitive.rules import RULE_SECRECY_MARKING, Detection

_MAX_MARKINGS: Final = 64
"""Markings read per text: a text with more is a leak or a test page either way."""


@functools.cache
def marking_stars() -> str:
    """The star of a marking as people type it: ★ and every star-like symbol, in any font —
    every character whose Unicode name says STAR or ASTERISK (✦ ⭑ ⚝ ﹡ ∗ ⁎ 🌠 …), but the
    plain asterisk, which a marking accepts only before a period (绝密*长期). Built once."""
    import unicodedata

    found = []
    for first, last in ((0x0000, 0xFFFF), (0x1F300, 0x1F7FF)):
        for code in range(first, last + 1):
            name = unicodedata.name(chr(code), "")
            if ("STAR" in name.split() or "ASTERISK" in name or name.endswith(" STAR")) and "STAR OF DAVID" not in name:
                found.append(chr(code))
    return "".join(dict.fromkeys("★☆⭐" + "".join(found))).replace("*", "").replace("\uff0a", "")


# 保密期限 (10年, 6个月, 长期) or 解密时间 (2028年12月31日).
_DURATION: Final = (
    r"(?:[0-9]{4}年[0-9]{1,2}月(?:[0-9]{1,2}日)?|(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})[ ]{0,2}(?:年|个月)|长期)"
)


@functools.cache
def _marking() -> re.Pattern[str]:
    noise = "".join(re.escape(char) for char in sorted(noise_chars()) if ord(char) <= 0xFFFF and char not in "\n")
    stars = re.escape(marking_stars())
    # A character of the level may be spelt in pinyin (机mi★, jue密★): the star still gives it away.
    return re.compile(
        f"(?:绝|机|秘|jue|ji|mi)[{noise}]{{0,3}}(?:密|mi)[{noise}\\t]{{0,6}}"
        f"(?:[{stars}](?:[{noise}]{{0,3}}{_DURATION})?|\\*[{noise}]{{0,3}}{_DURATION})"
    )


def find_secrecy_markings(folded: str) -> list[Detection]:
    """Secrecy markings as printed on classified documents: 绝密★, 机密★10年, 秘密★, whatever the star."""
    found: list[Detection] = []
    for match in itertools.islice(_marking().finditer(folded), _MAX_MARKINGS):
        star = next((char for char in match.group() if char in marking_stars()), "★")
        why = (Why("marking"), *((Why("marking.star", star),) if star != "★" else ()))
        found.append(
            Detection(
                start=match.start(),
                end=match.end(),
                category=Category.SECRET,
                severity=Severity.HIGH,
                rule=RULE_SECRECY_MARKING,
                confidence=1.0,
                why=why,
            )
        )
    return found
