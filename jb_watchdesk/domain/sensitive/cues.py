"""The cue words around a hit (warnings, prohibitions, case reports, explanations, offers, corrections,
genre words) and :class:`TextContext`, which finds them in a hit's sentence and in the whole text."""

from __future__ import annotations

import functools
import re
from typing import Final

import ahocorasick_rs

from jb_watchdesk.domain.sensitive.word_boundaries import crossed_word

# Cues anywhere in the hit's sentence: words that only a warning, a rule, a case report or an
# explanation uses.
_WARNING: Final = (
    "警惕", "谨防", "提防", "防范", "切勿", "千万不要", "不要相信", "不要轻信", "不轻信", "勿信", "识破", "揭秘", "起底",
    "骗局", "诈骗", "骗子", "套路", "陷阱", "被骗", "上当", "受骗", "反诈", "防骗", "冒充", "假冒", "虚假", "谣言",
    "辟谣", "不实", "谎称", "幌子", "敲诈", "勒索", "话术", "骗术",
)
_PROHIBITION: Final = (
    "不得", "严禁", "禁止", "不准", "不许", "杜绝", "抵制", "打击", "整治", "取缔", "违反", "违规", "违法", "责令",
    "查处", "处罚", "罚款", "严厉", "专项行动", "专项整治", "治理", "未经", "涉嫌", "一经发现", "一经查实", "严查", "严肃处理", "处分",
)
_CASE: Final = (
    "案件", "案例", "涉案", "抓获", "嫌疑人", "犯罪", "判处", "判决", "法院", "检察院", "公安机关", "民警", "警方", "通报",
    "曝光", "落网", "破获", "侦破", "被查", "立案", "刑拘", "报警", "受害人", "事主", "被告", "以案", "拉黑",
)
_EDUCATION: Final = (
    "什么是", "是指", "所称", "分为", "定义", "概念", "例如", "比如", "标志", "标注", "标识", "格式", "样式",
    "示例", "三级", "划分", "定密", "密级", "保密法", "保密工作", "保密教育", "保密宣传", "保密知识", "保密意识",
    "保密培训", "保密检查", "科普", "问答", "极限用语", "绝对化用语", "违禁词", "禁用词", "表现形式",
)
# Cues right after the hit: “刷单返利”就是诈骗, 替考者一经查实…
_AFTER_WARNING: Final = (
    "就是诈骗", "均为诈骗", "都是诈骗", "是诈骗", "均是诈骗", "系诈骗", "属于诈骗", "诈骗", "骗局", "陷阱", "套路", "骗子",
    "不可信", "是假的", "谣言", "类诈骗", "都是骗", "均是骗", "是骗人",
)
_AFTER_PROHIBITION: Final = (
    "违法", "违规", "犯罪", "属违法", "被查处", "将被", "的处罚", "追究", "一经查实", "一经发现", "依法处理", "取消",
    "处分", "移交",
)
_AFTER_EDUCATION: Final = ("三级", "三个等级", "是指", "的含义", "标志", "等级", "分为", "表示", "表明", "代表", "意思是")
_CORRECTION: Final = (
    "误写", "误作", "错写", "更正", "勘误", "应为", "错误写法", "正确写法", "易错", "纠正", "误打", "打错", "写错", "错字",
    "错别字", "有误", "不能写作", "不得写作", "不能写成", "不要写成", "不应写作", "简写为", "不使用", "严禁使用", "不得使用",
    "禁止使用", "不能使用", "不宜使用", "不要使用", "严禁用", "不得用", "不要用", "应称", "可称为", "应称为", "称之为",
    "规范表述", "表述规范", "误用", "错用",
)
# Words of a text that explains a marking (a quiz, a guide to the format): a marking quoted or
# offered as an answer there is an example, not a leak.
_EXPLAINER: Final = (
    "答案", "解析", "例如", "比如", "示例", "举例", "形式为", "具体形式", "格式", "组成", "表示", "标注方式", "应当标注",
    "正确标注", "标志形式", "标志由", "由三部分", "标志为", "以下哪", "哪个是", "哪一项", "答：", "如“", "如：",
)
# An offer nearby keeps the hit as it was: a spammer's "别信中介，找我包过" is still an offer.
_OFFER: Final = (
    "私信我", "联系我", "找我", "有意者", "日结", "日赚", "月入", "价格优惠", "速来",
    "速办", "秒办", "当天拿证", "包拿证", "加v", "加vx", "加wx", "加微", "微信号", "vx", "wx", "价格面议", "欢迎咨询",
    "下单", "进群", "私聊", "诚信合作", "保证过", "全额退款", "不成功不收费", "先删后付", "欢迎进店", "私我", "价格美丽",
    "不收钱", "先付定金", "日入",
)
# The offers that make a paid-service word an actual offer, not a mention.
_EXPLICIT_OFFER: Final = (
    "有意者", "私聊", "私信我", "进群", "日结", "日赚", "加v", "加vx", "加wx", "加微", "vx", "wx", "先删后付",
    "全额退款", "不成功不收费", "保证过", "当天拿证", "价格面议", "诚信合作", "私我", "价格美丽", "不收钱", "先付定金",
    "付定金", "日入", "好商量",
)
# The name of a law or rules right after the hit (保守国家秘密法, 国家秘密定密管理暂行规定): a few
# characters, then a name ending that closes the name (》, punctuation, 第…条) — not 非法, 无法,
# 违法, 依法 and other words that merely contain 法.
_LAW_AFTER: Final = re.compile(
    r"[\u4e00-\u9fff]{0,6}?(?<![非无违依方设做合办算说想语司立执守犯宪])(?:法|条例|规定|办法|细则)"
    r"(?=[》〉」』”，。；、：:（(\s]|第|$)"
)
# Words that mark a whole text as a warning, a rule, a case report or an explainer: they keep
# its hits from ``high`` (an officer still sees them), unless an offer sits beside the hit.
_GENRE: Final = (
    "反诈", "防骗", "诈骗", "骗局", "保密宣传", "保密教育", "保密法", "保守国家秘密", "普法", "警示教育", "以案说法",
    "典型案例", "防范", "提醒", "违法", "违规", "查处", "辟谣", "考场", "考试纪律", "广告法", "不得", "报警", "民警",
    "警方", "嫌疑人", "案件", "通报", "处分", "查实", "罚款", "处罚", "监管", "极限用语", "绝对化用语", "违禁", "泄密",
    "拉黑", "严禁", "禁止", "违反", "敲诈", "保密工作", "保密检查",
)

_SENTENCE_ENDS: Final = "。！？!?；;\n\r"
_BEFORE: Final = 80
"""How far back the hit's sentence is read."""
_SENTENCE_AFTER: Final = 40
"""How far forward the hit's sentence is read (for an offer that follows it)."""
_NEAR: Final = 8
_AFTER: Final = 16
_OPEN_QUOTES: Final = "“「『‘《"
_CLOSE_QUOTES: Final = "”」』’》"


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
# Cues only right before the hit (:data:`_NEAR` characters): everyday words that negate or
# report what follows (不要刷单, 所谓代办, 注意保密), but mean nothing a clause away. Not the
# negations a spammer sells with (无需考试, 不需要本人到场).
_NEAR_CODES: Final = _cue_table(
    ("context.prohibition", ("不要", "不能", "不可", "拒绝", "请勿", "从未", "从不", "不存在", "一律")),
    ("context.warning", ("注意", "提醒", "小心", "当心", "所谓", "声称", "自称", "打着")),
    ("context.case", ("投诉", "举报")),
    ("context.education", ("学习", "培训", "宣传", "教育", "意识", "知识", "保守")),
)
_AFTER_CODES: Final = _cue_table(
    ("context.warning", _AFTER_WARNING),
    ("context.prohibition", _AFTER_PROHIBITION),
    ("context.education", _AFTER_EDUCATION),
)
_STRONG: Final = frozenset(
    {"抓获", "嫌疑人", "犯罪", "判处", "判决", "法院", "检察院", "公安机关", "民警", "警方", "落网", "破获", "侦破",
     "立案", "刑拘", "受害人", "被告", "案件", "涉案", "事主", "案例", "以案", "查处", "话术", "骗术", "骗子", "诈骗"}
)
"""Words of a case report or a scam warning that an offer beside the hit does not overturn (a
report quotes the offer it reports: 骗子常用话术：兼职刷单，日结，有意者私聊). Not 曝光, 拉黑 or 报警:
deletion spam sells with them."""

# What each cue word can be, as bit flags; one word can play several parts (违法 is a
# prohibition before a hit, after it, and marks the genre).
_BEFORE_ROLE: Final = 1
_NEAR_ROLE: Final = 2
_AFTER_ROLE: Final = 4
_CORRECTION_ROLE: Final = 8
_OFFER_ROLE: Final = 16
_EXPLICIT_ROLE: Final = 32
_GENRE_ROLE: Final = 64


_EXPLAINER_ROLE: Final = 128


def _cue_roles() -> dict[str, int]:
    roles: dict[str, int] = {}
    for words, role in (
        (_BEFORE_CODES, _BEFORE_ROLE),
        (_NEAR_CODES, _NEAR_ROLE),
        (_AFTER_CODES, _AFTER_ROLE),
        (_CORRECTION, _CORRECTION_ROLE),
        (_OFFER, _OFFER_ROLE),
        (_EXPLICIT_OFFER, _EXPLICIT_ROLE),
        (_GENRE, _GENRE_ROLE),
        (_EXPLAINER, _EXPLAINER_ROLE),
    ):
        for word in words:
            roles[word] = roles.get(word, 0) | role
    return roles


_CUE_ROLES: Final = _cue_roles()
_CUE_WORDS: Final = tuple(_CUE_ROLES)


_GENRE_WORDS: Final = tuple(dict.fromkeys(_GENRE))


@functools.cache
def _genre_automaton() -> ahocorasick_rs.AhoCorasick:
    return ahocorasick_rs.AhoCorasick(list(_GENRE_WORDS), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)


@functools.cache
def _cue_automaton() -> ahocorasick_rs.AhoCorasick:
    """Every cue word in one automaton: a text's cues are found in one pass, whatever the number of hits."""
    return ahocorasick_rs.AhoCorasick(list(_CUE_WORDS), matchkind=ahocorasick_rs.MatchKind.Standard)


def _quoted(folded: str, lo: int, start: int, end: int, hi: int, *, titles: bool = True) -> bool:
    """Whether the hit sits between an opening and a closing quote within its sentence.

    ``titles=False`` leaves out 《》: a misspelt name in a document's title is still misspelt.
    """
    opening = _OPEN_QUOTES if titles else _OPEN_QUOTES.replace("《", "")
    closing = _CLOSE_QUOTES if titles else _CLOSE_QUOTES.replace("》", "")
    before = folded[lo:start]
    after = folded[end:hi]
    opened = max(before.rfind(char) for char in opening)
    closed_before = max(before.rfind(char) for char in closing)
    if opened < 0 or opened < closed_before:
        return False
    return any(char in after for char in closing)


def _first_quoted_cue(cues: list[tuple[int, int, str, int]], start: int, end: int) -> tuple[str, str] | None:
    """A specific warning, rule or report word anywhere in a quoted hit's sentence."""
    for cue_start, cue_end, word, roles in cues:
        if cue_end <= start or cue_start >= end:
            if roles & _BEFORE_ROLE:
                return _BEFORE_CODES[word], word
            if roles & _AFTER_ROLE:
                return _AFTER_CODES[word], word
    return None


def _first_word(
    context: TextContext, cues: list[tuple[int, int, str, int]], role: int, *, outside: tuple[int, int]
) -> str | None:
    """:func:`_first`, but only a cue that is a word of its own: not 进群 in 推进群众, 联系我 in
    联系我们, nor 日结 in 30日结束 (a date unit after a number)."""
    start, end = outside
    for lo, hi, word, roles in cues:
        if not roles & role or not (hi <= start or lo >= end):
            continue
        if context.is_word(lo, hi):
            return word
    return None


_DATE_UNITS: Final = frozenset("年月日号时")


def _first(cues: list[tuple[int, int, str, int]], role: int, *, outside: tuple[int, int] = (0, 0)) -> str | None:
    """The first cue playing ``role`` that does not overlap ``outside`` (the hit itself)."""
    start, end = outside
    return next((word for lo, hi, word, roles in cues if roles & role and (hi <= start or lo >= end)), None)


_CLAUSE_BREAK: Final = re.compile("[，,、：:；;]")


def _nearest_before(folded: str, cues: list[tuple[int, int, str, int]], lo: int, start: int) -> tuple[str, str] | None:
    """The cue nearest before the hit: a specific one anywhere in the sentence, an everyday one close
    by and in the same clause (学习，代办证件 is two clauses)."""
    best: tuple[int, int, str, str] | None = None
    for cue_start, cue_end, word, roles in cues:
        if cue_end > start or cue_start < lo:
            continue
        if roles & _BEFORE_ROLE:
            code = _BEFORE_CODES[word]
        elif roles & _NEAR_ROLE and cue_start >= start - _NEAR and not _CLAUSE_BREAK.search(folded, cue_end, start):
            code = _NEAR_CODES[word]
        else:
            continue
        rank = (cue_end, cue_end - cue_start)
        if best is None or rank > best[:2]:
            best = (*rank, code, word)
    return None if best is None else (best[2], best[3])


def _first_after(cues: list[tuple[int, int, str, int]], end: int, hi: int) -> tuple[str, str] | None:
    best: tuple[int, int, str] | None = None
    for cue_start, cue_end, word, roles in cues:
        if roles & _AFTER_ROLE and cue_start >= end and cue_end <= hi:
            rank = (cue_start, -(cue_end - cue_start))
            if best is None or rank < best[:2]:
                best = (*rank, word)
    return None if best is None else (_AFTER_CODES[best[2]], best[2])


class TextContext:
    """One folded text and what is known about it as a whole, found once and on demand.

    The words that mark the text's genre. Every hit of one scan shares it; the cues around each
    hit are read from its own sentence only.
    """

    __slots__ = ("_genre", "_roles", "_words", "folded")

    def __init__(self, folded: str) -> None:
        self.folded = folded
        self._roles: int | None = None
        self._words: dict[tuple[int, int], bool] = {}
        self._genre: list[tuple[int, int, str]] | None = None

    def cues(self, lo: int, hi: int) -> list[tuple[int, int, str, int]]:
        """``(start, end, word, roles)`` of the cues inside ``[lo, hi)`` (overlapping ones too)."""
        found = _cue_automaton().find_matches_as_indexes(self.folded[lo:hi], overlapping=True)
        return [(start + lo, end + lo, _CUE_WORDS[index], _CUE_ROLES[_CUE_WORDS[index]]) for index, start, end in found]

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The hit's sentence, at most :data:`_BEFORE` characters before it and :data:`_SENTENCE_AFTER` after."""
        folded = self.folded
        lo = max(0, start - _BEFORE)
        lo = max(lo, *(folded.rfind(char, lo, start) + 1 for char in _SENTENCE_ENDS))
        hi = min(len(folded), end + _SENTENCE_AFTER)
        ends = [found for char in _SENTENCE_ENDS if (found := folded.find(char, end, hi)) >= 0]
        return lo, min(ends, default=hi)

    def is_word(self, lo: int, hi: int) -> bool:
        """Whether the cue at ``[lo, hi)`` is a word of its own (not 进群 in 推进群众, not 日结 in
        30日结束); each span is checked once per text, however many hits share the sentence."""
        known = self._words.get((lo, hi))
        if known is None:
            folded = self.folded
            date = lo > 0 and folded[lo - 1].isdigit() and folded[lo] in _DATE_UNITS
            known = not date and crossed_word(folded, start=lo, end=hi, strict=True) is None
            self._words[(lo, hi)] = known
        return known

    def has(self, role: int) -> bool:
        """Whether any cue word playing ``role`` appears anywhere in the text."""
        if self._roles is None:
            roles = 0
            for index in _cue_automaton().find_matches_as_indexes(self.folded, overlapping=True):
                roles |= _CUE_ROLES[_CUE_WORDS[index[0]]]
            self._roles = roles
        return bool(self._roles & role)

    def genre(self, start: int, end: int) -> str:
        """A word outside ``[start, end)`` marking the text as a warning or explainer ("" if none)."""
        if self._genre is None:
            words = _GENRE_WORDS
            self._genre = [
                (found_start, found_end, words[index])
                for index, found_start, found_end in _genre_automaton().find_matches_as_indexes(self.folded)
            ]
        return next((word for lo, hi, word in self._genre if hi <= start or lo >= end), "")
