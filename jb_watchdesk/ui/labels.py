"""Display names for codes, through Qt's translation system (Chinese source, English .qm).

Each code maps to a function that translates its name when asked: only the name shown is
translated (the dashboard asks for a thousand of them per refresh), and a change of
translator is always seen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication


def _t(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def _named(names: dict[str, Callable[[], str]], code: str) -> str:
    label = names.get(code)
    return label() if label is not None else code


_PLATFORM: dict[str, Callable[[], str]] = {
    "wechat_mp": lambda: _t("微信公众号"),
    "weibo": lambda: _t("新浪微博"),
    "douyin": lambda: _t("抖音"),
    "kuaishou": lambda: _t("快手"),
    "toutiao": lambda: _t("今日头条"),
    "weishi": lambda: _t("腾讯微视"),
    "shangyou": lambda: _t("上游号"),
    "rss": lambda: _t("RSS 订阅"),
    "website": lambda: _t("网站"),
}


def platform(code: str) -> str:
    return _named(_PLATFORM, code)


_LIFECYCLE: dict[str, Callable[[], str]] = {"active": lambda: _t("运营中"), "to_close": lambda: _t("待关停"), "closed": lambda: _t("已关停")}


def lifecycle(code: str) -> str:
    return _named(_LIFECYCLE, code)


_FRESHNESS: dict[str, Callable[[], str]] = {"ok": lambda: _t("正常"), "warn": lambda: _t("预警"), "veto": lambda: _t("否决"), "unknown": lambda: _t("未知")}


def freshness(code: str) -> str:
    return _named(_FRESHNESS, code)


_HEALTH: dict[str, Callable[[], str]] = {
    "ok": lambda: _t("正常"),
    "degraded": lambda: _t("不稳定"),
    "auth_expired": lambda: _t("授权过期"),
    "failing": lambda: _t("读取失败"),
    "never_polled": lambda: _t("未读取"),
}


def health(code: str) -> str:
    return _named(_HEALTH, code)


_COMMENT_STATE: dict[str, Callable[[], str]] = {
    "pending": lambda: _t("待确认"),
    "overdue_ack": lambda: _t("确认超时"),
    "acked": lambda: _t("已确认"),
    "overdue_result": lambda: _t("办结超时"),
    "done": lambda: _t("已办结"),
}


def comment_state(code: str) -> str:
    return _named(_COMMENT_STATE, code)


_SEVERITY: dict[str, Callable[[], str]] = {"high": lambda: _t("高"), "medium": lambda: _t("中"), "low": lambda: _t("低")}


def severity(code: str) -> str:
    return _named(_SEVERITY, code)


_CATEGORY: dict[str, Callable[[], str]] = {
    "secret": lambda: _t("涉密"),
    "advertising": lambda: _t("商业广告"),
    "paid_service": lambda: _t("有偿服务"),
    "privacy": lambda: _t("个人隐私"),
    "misstatement": lambda: _t("表述错误"),
    "lifecycle": lambda: _t("应关停账号发布"),
    "platform": lambda: _t("平台判定不宜公开"),
}


def category(code: str) -> str:
    return _named(_CATEGORY, code)


_ALERT_STATE: dict[str, Callable[[], str]] = {"new": lambda: _t("新告警"), "acknowledged": lambda: _t("已确认"), "resolved": lambda: _t("已解决")}


def alert_state(code: str) -> str:
    return _named(_ALERT_STATE, code)


def duration(seconds: float) -> str:
    """A signed countdown like ``-1:05:12`` or ``4天 03:10``."""
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}{_t('天')} {hours:02d}:{minutes:02d}"
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
