"""The words around a hit: is it a whole word, and is it a breach or only the vocabulary of one?

Government prose is full of the words a lexicon looks for: a secrecy-education article explains
绝密、机密、秘密, a police post quotes the scam it warns against (“刷单返利”就是诈骗), an exam
notice forbids 替考. Two checks on a small window around each hit tell them apart, so the scan
stays fast however long the post is:

- **Word boundaries** — the window is cut into words by jieba (``rjieba``, the jieba-rs binding,
  https://github.com/messense/rjieba); a term that starts or ends inside a dictionary word is not
  that term: 替考 in 代替/考生, 以法治国 in 法治/国家, 第十九大 in 第十九/大队.
- **Context cues** — a warning (警惕, 谨防, 就是诈骗), a prohibition (不得, 严禁, 责令, 查处), a case
  report (抓获, 案例), the name of a law (保守国家秘密法) or an explanation (分为, 是指, 例如) in the
  same sentence lowers the hit to ``low``; a warning or education genre anywhere in the text
  keeps it from ``high``. A nearby offer (私信我, 日结) keeps the hit as it was, unless the hit is
  quoted inside a warning. Misstatements are only lowered by a correction notice (误写为, 更正).

Each decision is returned as a :class:`~jb_watchdesk.domain.sensitive.reasons.Why` naming the cue.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from types import ModuleType
from typing import Final

from jb_watchdesk.domain.sensitive.lexicon import Category, Severity
from jb_watchdesk.domain.sensitive.normalize import is_cjk
from jb_watchdesk.domain.sensitive.reasons import Why

# -- word boundaries ----------------------------------------------------------------------

_BOUNDARY_WINDOW: Final = 6
"""Characters on each side of a hit given to the segmenter: enough for the words that touch it."""
_CJK_CLASS: Final = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_TAIL: Final = re.compile(f"[{_CJK_CLASS}]*$")
_CJK_HEAD: Final = re.compile(f"[{_CJK_CLASS}]*")


@functools.cache
def _segmenter() -> ModuleType:
    # Imported on first use: loading the dictionary takes a few hundred milliseconds, which a
    # scan of a text without any Chinese term never pays.
    import rjieba

    return rjieba


def crossed_word(folded: str, start: int, end: int) -> str | None:
    """The dictionary word that a hit at ``[start, end)`` cuts through, or ``None`` if it is whole.

    Only the run of Chinese characters around the hit (at most :data:`_BOUNDARY_WINDOW` on each
    side) is segmented. A word counts only if it is in jieba's dictionary and longer than one
    character, so a guess of the segmenter's HMM never discards a hit.
    """
    if end - start < 2:
        return None
    touches_left = start > 0 and is_cjk(folded[start - 1]) and is_cjk(folded[start])
    touches_right = end < len(folded) and is_cjk(folded[end]) and is_cjk(folded[end - 1])
    if not (touches_left or touches_right):
        return None
    lo = start
    if touches_left:
        lo = _CJK_TAIL.search(folded, max(0, start - _BOUNDARY_WINDOW), start).start()  # type: ignore[union-attr]
    hi = end
    if touches_right:
        hi = _CJK_HEAD.match(folded, end, min(len(folded), end + _BOUNDARY_WINDOW)).end()  # type: ignore[union-attr]
    segmenter = _segmenter()
    for word, word_start, word_end in segmenter.tokenize(folded[lo:hi]):
        word_start += lo
        word_end += lo
        cuts_start = touches_left and word_start < start < word_end
        cuts_end = touches_right and word_start < end < word_end
        if (cuts_start or cuts_end) and len(word) > 1 and segmenter.has_word(word):
            return str(word)
    return None


# -- context cues -------------------------------------------------------------------------

_WARNING: Final = (
    "警惕", "谨防", "提防", "防范", "当心", "小心", "切勿", "千万不要", "不要相信", "不要轻信", "不轻信", "勿信",
    "识破", "揭秘", "起底", "骗局", "诈骗", "骗子", "套路", "陷阱", "被骗", "上当", "受骗", "反诈", "防骗", "冒充",
    "假冒", "虚假", "所谓", "谣言", "辟谣", "不实", "谎称", "声称", "打着", "幌子", "自称", "提醒", "注意",
)
_WARNING_AFTER: Final = (
    "就是诈骗", "均为诈骗", "都是诈骗", "是诈骗", "均是诈骗", "系诈骗", "属于诈骗", "诈骗", "骗局", "陷阱", "套路", "骗子",
    "不可信", "是假的", "谣言", "类诈骗", "都是骗", "均是骗", "是骗人",
)
_PROHIBITION: Final = (
    "不得", "严禁", "禁止", "不准", "不许", "不能", "不可", "不要", "请勿", "杜绝", "拒绝", "抵制", "打击", "整治",
    "取缔", "违反", "违规", "违法", "责令", "查处", "处罚", "罚款", "严厉", "专项", "治理", "不存在", "从未", "从不",
    "一律", "无需", "不需要", "不收取", "不会", "未经", "涉嫌", "一经发现", "举报", "投诉", "严查", "严肃处理",
)
_PROHIBITION_AFTER: Final = ("违法", "违规", "犯罪", "行为", "属违法", "被查处", "将被", "的处罚", "追究")
_CASE: Final = (
    "案件", "案例", "涉案", "抓获", "嫌疑人", "犯罪", "判处", "判决", "法院", "检察院", "公安机关", "民警", "通报",
    "曝光", "落网", "破获", "侦破", "被查", "立案", "刑拘", "报警", "受害人", "事主", "被告", "以案",
)
_EDUCATION: Final = (
    "什么是", "是指", "所称", "分为", "包括", "定义", "概念", "知识", "学习", "培训", "讲座", "宣传", "教育", "意识",
    "保密工作", "科普", "问答", "例如", "比如", "标志", "标注", "标识", "格式", "样式", "示例", "三级", "划分",
    "定密", "密级", "保守", "保密法", "等级",
)
_EDUCATION_AFTER: Final = ("三级", "三个等级", "是指", "的含义", "标志", "等级", "分为")
_CORRECTION: Final = ("误写", "误作", "错写", "更正", "勘误", "应为", "写成", "写作", "错误写法", "正确写法", "易错", "纠正")
_OFFER: Final = (
    "私信我", "联系我", "找我", "有意者", "有需要", "需要的", "日结", "日赚", "月入", "价格优惠", "速来", "名额有限",
    "速办", "秒办", "当天拿证", "包拿证", "加我", "加v", "加vx", "加wx", "加微", "微信号", "vx", "wx", "价格面议",
    "欢迎咨询", "下单",
)
_LAW_AFTER: Final = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:法(?![人官院定庭治子])|条例|规定|办法|细则|规则)")
_GENRE: Final = (
    "反诈", "防骗", "诈骗", "骗局", "保密宣传", "保密教育", "保密法", "保守国家秘密", "普法", "警示教育", "以案说法",
    "典型案例", "防范", "提醒", "违法", "查处", "辟谣", "考场规则", "考试纪律", "广告法", "不得",
)

_SENTENCE_ENDS: Final = "。！？!?；;\n\r"
_SENTENCE_END_CHAR: Final = re.compile(f"[{_SENTENCE_ENDS}]")
_LAST_SENTENCE_END: Final = re.compile(f"[{_SENTENCE_ENDS}][^{_SENTENCE_ENDS}]*$")
_BEFORE: Final = 24
_AFTER: Final = 14
_OPEN_QUOTES: Final = "“「『\"'‘《"
_CLOSE_QUOTES: Final = "”」』\"'’》"


def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(word) for word in sorted(set(words), key=len, reverse=True)))


def _cue_table(*groups: tuple[str, tuple[str, ...]]) -> dict[str, str]:
    """word → reason code; a word in two groups keeps the first."""
    table: dict[str, str] = {}
    for code, words in groups:
        for word in words:
            table.setdefault(word, code)
    return table


_BEFORE_CODES: Final = _cue_table(
    ("context.warning", _WARNING),
    ("context.prohibition", _PROHIBITION),
    ("context.case", _CASE),
    ("context.education", _EDUCATION),
)
_AFTER_CODES: Final = _cue_table(
    ("context.warning", _WARNING_AFTER),
    ("context.prohibition", _PROHIBITION_AFTER),
    ("context.education", _EDUCATION_AFTER),
)
_BEFORE_CUE: Final = _alternation(tuple(_BEFORE_CODES))
_AFTER_CUE: Final = _alternation(tuple(_AFTER_CODES))
_CORRECTION_CUE: Final = _alternation(_CORRECTION)
_OFFER_CUE: Final = _alternation(_OFFER)
_GENRE_CUE: Final = _alternation(_GENRE)

_ASSESSED: Final = frozenset({Category.SECRET, Category.PAID_SERVICE, Category.ADVERTISING, Category.PRIVACY})


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the context made of a hit: its severity now, and why."""

    severity: Severity
    why: tuple[Why, ...] = ()


def _sentence(folded: str, start: int, end: int) -> tuple[int, int]:
    """The hit's sentence, at most :data:`_BEFORE` characters before it and :data:`_AFTER` after."""
    lo = max(0, start - _BEFORE)
    last_end = _LAST_SENTENCE_END.search(folded, lo, start)
    if last_end is not None:
        lo = last_end.start() + 1
    hi = min(len(folded), end + _AFTER)
    next_end = _SENTENCE_END_CHAR.search(folded, end, hi)
    if next_end is not None:
        hi = next_end.start()
    return lo, hi


def _quoted(folded: str, lo: int, start: int, end: int, hi: int) -> bool:
    """Whether the hit sits between an opening and a closing quote within its sentence."""
    before = folded[lo:start]
    after = folded[end:hi]
    opened = max(before.rfind(char) for char in _OPEN_QUOTES)
    closed_before = max(before.rfind(char) for char in _CLOSE_QUOTES if char not in "\"'")
    if opened < 0 or opened < closed_before:
        return False
    return any(char in after for char in _CLOSE_QUOTES)


def _nearest_before(folded: str, lo: int, start: int) -> tuple[str, str] | None:
    word = None
    for match in _BEFORE_CUE.finditer(folded, lo, start):
        word = match.group()
    return None if word is None else (_BEFORE_CODES[word], word)


def _first_after(folded: str, end: int, hi: int) -> tuple[str, str] | None:
    match = _AFTER_CUE.search(folded, end, hi)
    return None if match is None else (_AFTER_CODES[match.group()], match.group())


class TextContext:
    """One folded text and what is known about it as a whole (its genre, found once, on demand)."""

    __slots__ = ("_genre", "folded")

    def __init__(self, folded: str) -> None:
        self.folded = folded
        self._genre: str | None = None

    @property
    def genre(self) -> str:
        """The first word marking the text as a warning or explainer ("" if none)."""
        if self._genre is None:
            match = _GENRE_CUE.search(self.folded)
            self._genre = "" if match is None else match.group()
        return self._genre


def assess(
    text: TextContext | str, start: int, end: int, *, category: Category, severity: Severity
) -> Assessment:
    """Lower a hit's severity when its surroundings show it is vocabulary, not a breach.

    ``text`` is the whole folded text (or its :class:`TextContext`, shared by the hits of one
    scan); ``[start, end)`` the hit. Returns the severity to report and the reasons. A ``low``
    hit is returned unchanged.
    """
    context = text if isinstance(text, TextContext) else TextContext(text)
    folded = context.folded
    if severity is Severity.LOW:
        return Assessment(severity)
    lo, hi = _sentence(folded, start, end)
    if category is Category.MISSTATEMENT:
        cue = _CORRECTION_CUE.search(folded, lo, hi)
        if cue is not None:
            return Assessment(Severity.LOW, (Why("context.correction", cue.group()),))
        return Assessment(severity)
    if category not in _ASSESSED:
        return Assessment(severity)
    law = _LAW_AFTER.match(folded, end, hi)
    if law is not None and category is Category.SECRET:
        return Assessment(Severity.LOW, (Why("context.law", folded[start : law.end()]),))
    if lo > 0 and "《" in folded[lo:start] and "》" in folded[end:hi]:
        return Assessment(Severity.LOW, (Why("context.law", "《》"),))
    cue = _first_after(folded, end, hi) or _nearest_before(folded, lo, start)
    if cue is not None:
        code, word = cue
        offer = _OFFER_CUE.search(folded, lo, hi)
        if offer is not None and not (_quoted(folded, lo, start, end, hi) and code in ("context.warning", "context.case")):
            return Assessment(severity, (Why("context.offer", offer.group()),))
        return Assessment(Severity.LOW, (Why(code, word),))
    if severity is Severity.HIGH and context.genre and _OFFER_CUE.search(folded, lo, hi) is None:
        return Assessment(Severity.MEDIUM, (Why("context.genre", context.genre),))
    return Assessment(severity)


__all__ = ["Assessment", "TextContext", "assess", "crossed_word"]
