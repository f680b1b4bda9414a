"""Home addresses down to the building and flat (鲤鱼池路68号3单元602), not an office's street number."""

from __future__ import annotations

import re
from typing import Final

from jb_watchdesk.domain.sensitive.lexicon import Category, Severity
from jb_watchdesk.domain.sensitive.reasons import Why
from jb_watchdesk.domain.sensitive.rules import RULE_ADDRESS, Detection
from jb_watchdesk.domain.sensitive.trigger_windows import _matches

# The part of an address that points at one home: a building and a flat (5栋2单元1703,
# 1栋14-3, 3单元602). A street number alone (建新北路88号) is how every office gives its address.
_FLAT: Final = re.compile(
    r"[0-9a-z]{0,3}[0-9]+(?:栋|幢|号楼|座)(?:[0-9]+单元)?(?:[0-9]+[-－][0-9]+(?:号|室)?|[0-9]{3,4}(?:号|室)?)?"
    r"|[0-9]+号(?:院)?[0-9]+单元[0-9]{3,4}(?:号|室)?"
    r"|(?<![月0-9])[0-9]+号(?:附[0-9]+号)?[0-9]+[-－][0-9]+(?:号|室)?(?![0-9点时日月天年期])"
    r"|[0-9]+单元[0-9]{3,4}(?:号|室)?"
)
# A building without a flat is a home only when the text says someone lives there.
_RESIDENCE: Final = re.compile("家住|住在|现住|现居|居住|住址|家庭地址|暂住|户籍地|租住|住于")
_OFFICE: Final = re.compile(
    "办公地址|办公地点|单位地址|服务地点|受理地点|办理地点|办事地点|咨询地点|报名地点|考点地址|活动地点|地址位于|门店地址|营业地址|服务中心"
)
_PLACE_BEFORE: Final = 24
_PLACE_STOPS: Final = frozenset("住在是于的了和与及为到从自主户")
ADDRESS_TRIGGERS: Final = ("单元", "栋", "幢", "号楼", "号")
"""Words without which no home address is read: the matcher watches for them."""
_FLAT_REACH: Final = 24
"""Characters around a trigger word that can belong to one flat's address (18号附2号4-2)."""


def find_home_addresses(folded: str, *, near: list[int] | None = None) -> list[Detection]:
    """Home addresses down to the building and flat (鲤鱼池路68号3单元602, 东原D7区9栋 after 现住).

    Reported at medium severity and masked (digits hidden). A flat number is enough; a building
    alone needs a residence word before it; an office label (办公地址, 办理地点) nearer than any
    residence word means a public place, not a home. ``near``: offsets of the trigger words
    (:data:`ADDRESS_TRIGGERS`) when the caller knows them; only the text around them is read.
    """
    found: list[Detection] = []
    for match in _matches(_FLAT, folded, near, reach=_FLAT_REACH):
        text = match.group()
        has_flat = "单元" in text or "-" in text or "－" in text or re.search(r"(?:栋|幢|号楼|座)[0-9]{3,4}", text) is not None
        lo = max(0, match.start() - _PLACE_BEFORE)
        before = folded[lo : match.start()]
        residence = None
        for residence in _RESIDENCE.finditer(before):  # noqa: B007 - keeps the last match
            pass
        office = None
        for office in _OFFICE.finditer(before):  # noqa: B007 - keeps the last match
            pass
        if office is not None and (residence is None or office.end() > residence.end()):
            continue
        if not has_flat and residence is None:
            continue
        start = _place_start(folded, lo + (residence.end() if residence is not None else 0), match.start())
        span = folded[start : match.end()]
        found.append(
            Detection(
                start=start,
                end=match.end(),
                category=Category.PRIVACY,
                severity=Severity.MEDIUM,
                rule=RULE_ADDRESS,
                confidence=0.9 if residence is not None else 0.7,
                masked=re.sub("[0-9]", "*", span),
                why=(Why("address.residence", residence.group()),) if residence is not None else (Why("address.flat"),),
            )
        )
    return found


def _place_start(folded: str, lo: int, start: int) -> int:
    """Where the place name before a building number begins: after the last punctuation, space or
    word that ends a clause about a person (住, 在, 业主 …)."""
    index = start
    while index > lo and (folded[index - 1].isalnum() or folded[index - 1] in "-－") and folded[index - 1] not in _PLACE_STOPS:
        index -= 1
    return index
