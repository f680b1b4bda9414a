"""Display names for codes, through Qt's translation system (Chinese source, English .qm)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication


def _t(text: str) -> str:
    return QCoreApplication.translate("Labels", text)


def platform(code: str) -> str:
    names = {
        "wechat_mp": _t("微信公众号"),
        "weibo": _t("新浪微博"),
        "douyin": _t("抖音"),
        "kuaishou": _t("快手"),
        "toutiao": _t("今日头条"),
        "weishi": _t("腾讯微视"),
        "shangyou": _t("上游号"),
        "rss": _t("RSS 订阅"),
        "website": _t("网站"),
    }
    return names.get(code, code)


def lifecycle(code: str) -> str:
    return {"active": _t("运营中"), "to_close": _t("待关停"), "closed": _t("已关停")}.get(code, code)


def freshness(code: str) -> str:
    return {"ok": _t("正常"), "warn": _t("预警"), "veto": _t("否决"), "unknown": _t("未知")}.get(code, code)


def health(code: str) -> str:
    return {
        "ok": _t("正常"),
        "degraded": _t("不稳定"),
        "auth_expired": _t("授权过期"),
        "failing": _t("读取失败"),
        "never_polled": _t("未读取"),
    }.get(code, code)


def comment_state(code: str) -> str:
    return {
        "pending": _t("待确认"),
        "overdue_ack": _t("确认超时"),
        "acked": _t("已确认"),
        "overdue_result": _t("办结超时"),
        "done": _t("已办结"),
    }.get(code, code)


def severity(code: str) -> str:
    return {"high": _t("高"), "medium": _t("中"), "low": _t("低")}.get(code, code)


def category(code: str) -> str:
    return {
        "secret": _t("涉密"),
        "advertising": _t("商业广告"),
        "paid_service": _t("有偿服务"),
        "privacy": _t("个人隐私"),
        "misstatement": _t("表述错误"),
        "lifecycle": _t("应关停账号发布"),
    }.get(code, code)


def alert_state(code: str) -> str:
    return {"new": _t("新告警"), "acknowledged": _t("已确认"), "resolved": _t("已解决")}.get(code, code)


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
