"""The words around a hit: is it a whole word, and is it a breach or only the vocabulary of one?

Government prose is full of the words a lexicon looks for: a secrecy-education article explains
绝密、机密、秘密, a police post quotes the scam it warns against (“刷单返利”就是诈骗), an exam
notice forbids 替考. Two checks on a small window around each hit tell them apart, so the scan
stays fast however long the post is:

- **Word boundaries** — the window is cut into words by jieba (``rjieba``, the jieba-rs binding,
  https://github.com/messense/rjieba); a term that starts or ends inside a dictionary word is not
  that term: 替考 in 代替/考生, 以法治国 in 法治/国家, 第十九大 in 第十九/大队.
- **Context cues** — a warning (警惕, 谨防, 就是诈骗), a prohibition (不得, 严禁, 责令, 查处), a case
  report (抓获, 案例) or an explanation (分为, 是指, 例如) in the same sentence, or the name of a
  law right after the hit (保守国家秘密法), lowers the hit to ``low``; a warning or education
  genre anywhere in the text keeps it from ``high``. A nearby offer (私信我, 先删后付) keeps the
  hit as it was — unless the hit is quoted inside a warning or the sentence reports a case —
  and raises a paid-service word one step. Misstatements are only lowered by a correction
  (误写为, 不能写作, 更正), or when quoted in a text that corrects. A secrecy marking is lowered
  only as an example in a guide or quiz, a named mention (标有“机密★”字样), or the object of a
  rule (严禁将标有…).

Each decision is returned as a :class:`~jb_watchdesk.domain.sensitive.reasons.Why` naming the cue.

The two checks live in :mod:`~jb_watchdesk.domain.sensitive.word_boundaries` and
:mod:`~jb_watchdesk.domain.sensitive.cues`; :func:`assess` weighs the cues.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from jb_watchdesk.domain.sensitive.cues import (
    _AFTER,
    _CORRECTION_ROLE,
    _EXPLAINER_ROLE,
    _EXPLICIT_ROLE,
    _LAW_AFTER,
    _NEAR,
    _OFFER_ROLE,
    _STRONG,
    TextContext,
    _first,
    _first_after,
    _first_quoted_cue,
    _first_word,
    _nearest_before,
    _quoted,
)
from jb_watchdesk.domain.sensitive.lexicon import Category, Severity
from jb_watchdesk.domain.sensitive.reasons import Why
from jb_watchdesk.domain.sensitive.word_boundaries import crossed_word

_ASSESSED: Final = frozenset({Category.SECRET, Category.PAID_SERVICE, Category.ADVERTISING, Category.PRIVACY})


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the context made of a hit: its severity now, and why."""

    severity: Severity
    why: tuple[Why, ...] = ()


_MARKING_RULE: Final = re.compile("(?:严禁|禁止|不得|切勿|不要|请勿|不准)[^，。；\n]{0,8}(?:标有|带有|印有|标注有|含有)")
"""A rule about marked documents right before a marking ("严禁将标有机密★的文件…"): not a leak.
A handling line beside a real heading (内部资料 严禁外传 绝密★1年) is no such rule."""
_MARKING_CASE: Final = re.compile("违规将|违规把|处分|被查处|判处|立案调查|泄密案")
"""Words of a case report in the marking's sentence: the report names the marking it is about."""
_MARKING_MENTION: Final = re.compile("标有|字样|标志的|标识的|带有|印有")
"""Words that talk about marked documents ("标有“机密★”字样的文件"): a bare quoted marking beside them is named, not leaked."""
_OPTION: Final = re.compile(r"(?:^|[\s（(？?：:])[A-Da-d][.．、)）]\s*$")
"""A multiple-choice option label right before the hit ("B.机密★10年", "？A.机密★10年")."""


def assess(
    text: TextContext | str,
    *,
    start: int,
    end: int,
    category: Category,
    severity: Severity,
    by_genre: bool = True,
) -> Assessment:
    """Lower a hit's severity when its surroundings show it is vocabulary, not a breach.

    ``text`` is the whole folded text (or its :class:`TextContext`, shared by the hits of one
    scan); ``[start, end)`` the hit. Returns the severity to report and the reasons. A ``low``
    hit is returned unchanged, but for a paid-service word beside an explicit offer. ``by_genre=False`` for what is a
    breach wherever it appears (a secrecy marking heads a leaked 通报 as well as a warning): only its own sentence counts.
    A paid-service term beside an explicit offer (有意者私聊, 日结, 先删后付) and no warning is
    raised one step (medium to high; a low, everyday word such as 日结 to medium).
    """
    context = text if isinstance(text, TextContext) else TextContext(text)
    folded = context.folded
    if severity is Severity.LOW and category is not Category.PAID_SERVICE:
        return Assessment(severity)
    lo, hi = context.sentence(start, end)
    cues = context.cues(lo, hi)
    quoted = _quoted(folded, lo, start, end, hi)
    if category is Category.MISSTATEMENT:
        correction = _first(cues, _CORRECTION_ROLE)
        if correction is not None:
            return Assessment(Severity.LOW, (Why("context.correction", correction),))
        if _quoted(folded, lo, start, end, hi, titles=False) and context.has(_CORRECTION_ROLE):
            return Assessment(Severity.LOW, (Why("context.quoted", "“”"),))
        return Assessment(severity)
    if not by_genre:  # a secrecy marking: an example in a guide or a quiz, a rule about it, or the real thing
        if (quoted or _OPTION.search(folded, max(0, start - 4), start)) and context.has(_EXPLAINER_ROLE):
            return Assessment(Severity.LOW, (Why("context.education", "“”" if quoted else "A/B/C"),))
        bare = not folded[end - 1].isalnum()  # 机密★ without a period: the level, named
        mention = _MARKING_MENTION.search(folded, lo, hi) if quoted and bare else None
        if mention is not None:
            return Assessment(Severity.LOW, (Why("context.education", mention.group()),))
        rule = _MARKING_RULE.search(folded, max(lo, start - _NEAR - 12), start)
        if rule is not None:
            return Assessment(Severity.LOW, (Why("context.prohibition", rule.group()),))
        report = _MARKING_CASE.search(folded, lo, hi)
        if report is not None:  # 违规将标有机密★10年的文件…被给予处分: a case report about a leak
            return Assessment(Severity.LOW, (Why("context.case", report.group()),))
        return Assessment(severity)
    if category not in _ASSESSED:
        return Assessment(severity)
    law = _LAW_AFTER.match(folded, end, hi)
    if law is not None and category is Category.SECRET:
        return Assessment(Severity.LOW, (Why("context.law", folded[start : law.end()]),))
    if "《" in folded[lo:start] and "》" in folded[end:hi]:
        return Assessment(Severity.LOW, (Why("context.law", "《》"),))
    after = _first_after(cues, end, min(hi, end + _AFTER))
    cue = after or _nearest_before(folded, cues, lo, start)
    if cue is None and quoted:
        # "评论区有人发“有偿删帖”的广告，已举报": a quoted term in a sentence that warns or reports anywhere
        cue = _first_quoted_cue(cues, start, end)
    offer = _first_word(context, cues, _OFFER_ROLE, outside=(start, end))
    if cue is not None:
        code, word = cue
        # "“刷单返利”就是诈骗" names the offer a scam; a case report quotes what it reports.
        overturned = (after is not None and code == "context.warning") or word in _STRONG
        if offer is not None and not overturned and not (quoted and code == "context.warning"):
            return Assessment(severity, (Why("context.offer", offer),))
        if severity is Severity.LOW:
            return Assessment(severity)
        return Assessment(Severity.LOW, (Why(code, word),))
    if severity is Severity.HIGH and offer is None:
        genre = context.genre(start, end)
        if genre:
            return Assessment(Severity.MEDIUM, (Why("context.genre", genre),))
    if severity is not Severity.HIGH and category is Category.PAID_SERVICE:
        explicit = _first_word(context, cues, _EXPLICIT_ROLE, outside=(start, end))
        if explicit is not None:
            raised = Severity.HIGH if severity is Severity.MEDIUM else Severity.MEDIUM
            return Assessment(raised, (Why("context.offer_raised", explicit),))
    return Assessment(severity)


__all__ = ["Assessment", "TextContext", "assess", "crossed_word"]
