"""Why a hit was raised, lowered or kept: short codes with the words that decided it.

Every hit carries a tuple of :class:`Why`; the officer sees them rendered in their language
(``scan --json`` ``"reason"``, the alert view), e.g. "降级：处于警示语境（警惕）" /
"demoted: inside a warning (警惕)". Codes are stable and stored with alerts; texts are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from jb_watchdesk.domain.messages import current_language

# code: (zh, en); ``{cue}`` is the word that decided it.
WHY_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "lexicon": ("词库 {cue}", "lexicon {cue}"),
    "folded": ("繁体、全角或变体写法", "written in traditional, full-width or variant characters"),
    "evasion.noise": ("字间夹有干扰字符（{cue}）", "characters inserted between the characters ({cue})"),
    "context.warning": ("降级：处于警示语境（{cue}）", "demoted: inside a warning ({cue})"),
    "context.prohibition": ("降级：处于禁止性规定中（{cue}）", "demoted: inside a prohibition ({cue})"),
    "context.case": ("降级：处于案例通报中（{cue}）", "demoted: inside a case report ({cue})"),
    "context.law": ("降级：法规或文件名称（{cue}）", "demoted: name of a law or document ({cue})"),
    "context.education": ("降级：知识宣传或释义（{cue}）", "demoted: explaining the term ({cue})"),
    "context.correction": ("降级：更正或勘误说明（{cue}）", "demoted: a correction notice ({cue})"),
    "context.genre": ("降级：全文为警示或宣传内容（{cue}）", "demoted: the text is a warning or explainer ({cue})"),
    "context.quoted": ("降级：加引号提及并予纠正（{cue}）", "demoted: quoted in order to correct it ({cue})"),
    "context.offer_raised": ("升级：附近有明确招揽（{cue}）", "raised: an explicit offer nearby ({cue})"),
    "context.offer": ("保持：附近有招揽用语（{cue}）", "kept: an offer nearby ({cue})"),
    "number.id": ("地区码、出生日期和校验位都符合身份证号", "region, birth date and check digit of an ID number"),
    "number.id15": ("地区码和出生日期符合15位身份证号", "region and birth date of a 15-digit ID number"),
    "number.card": ("发卡行号段的银行卡号", "a bank card number with an issuer prefix"),
    "number.mobile": ("手机号段", "a mobile number range"),
    "marking": ("密级标志（密级＋★＋保密期限）", "a secrecy marking (level + ★ + period)"),
    "number.label": ("标签“{cue}”", "label {cue}"),
    "number.label_nearer": ("标签“{near}”比“{far}”更近", "label {near} nearer than {far}"),
    "number.also_credit_code": (
        "降级：同时是有效的统一社会信用代码",
        "demoted: also a valid unified social credit code",
    ),
    "number.no_id_label": ("降级：15 位号码，附近没有身份证标签", "demoted: 15 digits without an ID label"),
    "number.no_card_label": ("附近没有卡号标签", "no card label nearby"),
    "number.payment_only": ("附近只有付款类用语，没有卡号标签", "only a payment word nearby, no card label"),
    "number.luhn_failed": ("卡号校验未通过（可能输错）", "card check digit fails (possibly mistyped)"),
    "number.separators": ("号码中夹有分隔符（{cue}）", "number written with separators ({cue})"),
    "number.spaced": ("每个数字之间都有分隔", "a separator between every digit"),
    "number.glued": ("身份证号与手机号连写", "an ID number and a phone number written together"),
    "number.chinese_numerals": ("用汉字数字书写的号码", "number written in Chinese numerals"),
    "number.among_ids": ("与其他身份证号同列，按身份证号处理", "listed with other ID numbers: read as one"),
    "number.example": ("作为示例出现", "given as an example"),
    "address.residence": ("住址用语“{cue}”", "residence word {cue}"),
    "address.flat": ("住址具体到楼栋单元或房号", "an address down to the building and flat"),
    "ad.in_sales_text": ("销售文字中的最高级用语（{cue}）", "a superlative in a sales text ({cue})"),
    "marking.star": ("密级标志的星号写作“{cue}”", "the marking's star written as {cue}"),
}


@dataclass(frozen=True, slots=True)
class Why:
    """One reason: a code from :data:`WHY_TEXTS` and the word or words that decided it.

    ``number.label_nearer`` keeps its two labels as ``near|far``.
    """

    code: str
    cue: str = ""

    def text(self, language: str | None = None) -> str:
        zh, en = WHY_TEXTS.get(self.code, (self.code, self.code))
        template = en if (language or current_language()) == "en" else zh
        near, _, far = self.cue.partition("|")
        return template.format(cue=self.cue, near=near, far=far)

    def as_json(self) -> list[str]:
        return [self.code, self.cue]


def reason_text(whys: Iterable[Why], language: str | None = None) -> str:
    """The reasons as one line: "降级：处于警示语境（警惕）；标签“卡号”"."""
    separator = "; " if (language or current_language()) == "en" else "；"
    return separator.join(why.text(language) for why in whys)


def whys_from_json(value: Sequence[Sequence[str]] | None) -> tuple[Why, ...]:
    """Read back what :meth:`Why.as_json` stored; unknown shapes are skipped, not fatal."""
    whys: list[Why] = []
    for item in value or ():
        if isinstance(item, (list, tuple)) and item and all(isinstance(part, str) for part in item):
            whys.append(Why(item[0], item[1] if len(item) > 1 else ""))
    return tuple(whys)


__all__ = ["WHY_TEXTS", "Why", "reason_text", "whys_from_json"]
