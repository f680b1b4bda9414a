"""Absolute claims (最好的, 全城最低价, 销量第一) in a text that sells something (Advertising Law art. 9)."""

from __future__ import annotations

import re
from typing import Final

from jb_watchdesk.domain.sensitive.lexicon import Category, Severity
from jb_watchdesk.domain.sensitive.reasons import Why
from jb_watchdesk.domain.sensitive.rules import RULE_SUPERLATIVE, Detection
from jb_watchdesk.domain.sensitive.trigger_windows import _matches

# Art. 9 of the Advertising Law forbids 最好的/最安全的 in an advertisement, not in a news story
# ("全市最大的城市公园"): superlatives count only in a text that sells something.
_SUPERLATIVE: Final = re.compile(
    "(?:(?:全城|全市|全国|全网|全省|全区|全县|全球|全世界|史上|业界|行业|同城|本地|本市|市面上)\\s*)?"
    "最(?:好吃|好喝|好用|好|佳|优|安全|便宜|实惠|低价|低|强|专业|权威|正宗|新鲜|放心|划算|靠谱|有效|先进|火|热销|畅销|齐全"
    "|[a-z]{2,6}(?=的))的?"  # 最hao的: one character spelt in pinyin
    # Number one: 销量全国第1, 通过率第一, 拉萨第一家, 行业no.1
    "|(?:销量|通过率|合格率|好评率|排名|口碑|品质|质量|行业|全国|全市|全网|全省|全区|本地|同城)[^，。！？；\\n]{0,4}?"
    "第[一1](?:名|家|品牌)?(?![0-9一二三四五六七八九十批季届次期个年轮阶部书责线梯])"
    "|[\\u4e00-\\u9fff]{2}第[一1](?:家|品牌)"
    "|(?:no\\.?\\s?|top\\s?)1(?![0-9])"
)
_STRONG_SALE: Final = re.compile(
    "本店|进店|欢迎选购|选购|下单|包邮|特价|特惠|买一送一|买二送一|售楼|扣1|品鉴|优惠价|限时|抢购|订购|批发|团购|秒杀|现货|"
    "专柜|旗舰店|促销|坐诊|首付|折扣|打折|购买方式|到店|门店|库存有限|限量|活动价|到手价|原价|现价|领券|爆款|热卖|"
    "好物推荐|直播间|小黄车|报名优惠|立减|交钱|包过|包拿证"
)
_WEAK_SALE: Final = re.compile("价格|优惠|购买|产品|品牌|顾客|销量|商家|店铺|招生|学费")
SUPERLATIVE_TRIGGERS: Final = ("最", "第一", "第1", "no.1", "no1", "top1", "top 1", "no. 1")
"""What every claim the sales detector reads contains: the matcher watches for them."""
_CLAIM_REACH: Final = 16


def find_superlative_claims(folded: str, *, near: list[int] | None = None) -> list[Detection]:
    """Superlatives (最好的, 全城最低价, 最安全的) in a text that sells something.

    A text sells when it has one unmistakable sales word (本店, 下单, 包邮, 特价 …) or two
    weaker ones (价格, 优惠, 产品 …). With a scope (全市, 全网, 史上) the claim is medium,
    without one low. ``near``: offsets of the trigger words (:data:`SUPERLATIVE_TRIGGERS`).
    """
    claims = _matches(_SUPERLATIVE, folded, near, reach=_CLAIM_REACH)
    if not claims:
        return []
    sale = _STRONG_SALE.search(folded)
    if sale is None:
        weak = {match.group() for match in _WEAK_SALE.finditer(folded)}
        if len(weak) < 2:
            return []
        cue = "、".join(sorted(weak)[:2])
    else:
        cue = sale.group()
    found: list[Detection] = []
    for match in claims:
        scoped = not match.group().startswith("最") or match.group()[1:2].isascii()
        found.append(
            Detection(
                start=match.start(),
                end=match.end(),
                category=Category.ADVERTISING,
                severity=Severity.MEDIUM if scoped else Severity.LOW,
                rule=RULE_SUPERLATIVE,
                confidence=0.8 if scoped else 0.6,
                why=(Why("ad.in_sales_text", cue),),
            )
        )
    return found
