"""What the desk says when an account cannot be read, and about errors an action ran into.

The poller stores an account's health reason as ``code: reason`` lines for the log and
``status --json``; the window, the command line's tables and the exports never show those. It reads the codes
(:func:`jb_watchdesk.services.status.health_problems`) and says, in the officer's language,
what happened and what to do in the window: which pane, which field, or that nothing needs
doing. A code the catalogue has no sentence for is described by its kind of failure.
"""

from __future__ import annotations

import errno

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import WatchdeskError
from jb_watchdesk.domain.models import Account, Health
from jb_watchdesk.domain.rules import VETO_SILENT_DAYS, WARN_SILENT_DAYS
from jb_watchdesk.services.status import AccountStatusRow, error_kind, health_problems


def t(key: str, /, **params: object) -> str:
    """A text of the catalogue in the current language (these sentences are the window's: ``ui.*``)."""
    return messages.text(key, None, **params)

SHOWN_PROBLEMS = 3
_PLATFORM_NAMES = {"wechat": "wechat_mp"}
"""Error-code prefixes that differ from the platform's code."""


def problem_text(code: str, *, kind: str | None = None, platform: str = "") -> str:
    """One problem, by its stable ``code``: what happened and what to do, in the window's language."""
    prefix, _, rest = code.partition(".")
    name, _, suffix = rest.partition(".")
    kind = error_kind(code) if kind is None else kind
    where = messages.label("platform", platform or _PLATFORM_NAMES.get(prefix, prefix))
    text = _cause(prefix, name, kind, where)
    if suffix.startswith("comments"):
        return t("ui.health.comments", problem=text)
    if suffix:
        return t("ui.health.partial", problem=text)
    return text


def _cause(prefix: str, name: str, kind: str, where: str) -> str:
    specific = f"ui.health.code.{prefix}.{name}"
    if specific in messages.CATALOGUE:
        return t(specific)
    if name == "no_source":
        return t("ui.health.no_source")
    if name.startswith("no_"):
        return t("ui.health.no_secret", secret=messages.label("secret", name[3:]))
    if name == "timeout":
        return t("ui.health.timeout", platform=where)
    if name in ("connect", "connection", "closed", "http"):
        return t("ui.health.connect", platform=where)
    if name == "tls":
        return t("ui.health.tls", platform=where)
    if name == "redirects":
        return t("ui.health.redirects")
    if name.startswith("http") and name[4:].isdigit():
        status = int(name[4:])
        if status in (401, 403):
            return t("ui.health.refused")
        if status in (404, 410):
            return t("ui.health.missing")
        if status >= 500 and kind != "rate_limited":
            return t("ui.health.server_error", platform=where, status=status)
    key = f"ui.health.kind.{kind}"
    if key in messages.CATALOGUE:
        return t(key, platform=where)
    return t("ui.health.state.failing")


def health_text(account: Account) -> str:
    """The account's health for the officer: its name when all is well, else what to do."""
    health = account.health
    if health is Health.OK:
        return messages.label("health", health.value)
    if health is Health.NEVER_POLLED:
        return t("ui.health.never_polled") if account.source else t("ui.health.no_source")
    sentences: list[str] = []
    for problem in health_problems(account.health_reason or ""):
        sentence = problem_text(problem.code, kind=problem.kind, platform=account.platform.value)
        if sentence not in sentences:
            sentences.append(sentence)
    if not sentences:
        if health is Health.AUTH_EXPIRED:
            sentences.append(t("ui.health.kind.auth_expired"))
        else:
            sentences.append(t(f"ui.health.state.{'degraded' if health is Health.DEGRADED else 'failing'}"))
    shown = sentences[:SHOWN_PROBLEMS]
    if len(sentences) > SHOWN_PROBLEMS:
        shown.append(t("ui.health.more", count=len(sentences) - SHOWN_PROBLEMS))
    return "\n".join(shown)


def freshness_text(row: AccountStatusRow) -> str:
    """Why the account's freshness is what it is, one line per reason."""
    lines = []
    for reason in row.freshness_reasons:
        if reason == f"silent_{VETO_SILENT_DAYS}d":
            lines.append(t("ui.freshness.veto", days=row.days_silent, limit=VETO_SILENT_DAYS))
        elif reason == f"silent_{WARN_SILENT_DAYS}d":
            lines.append(t("ui.freshness.warn", days=row.days_silent, limit=WARN_SILENT_DAYS))
        elif reason == "under_3_per_week":
            lines.append(t("ui.freshness.under_3_per_week", posts=row.posts_7d))
        elif reason == "never_polled":
            lines.append(t("ui.freshness.never_polled"))
    return "\n".join(lines)


_OS_ERRORS = {
    errno.ENOENT: "ui.error.os.not_found",
    errno.ENOTDIR: "ui.error.os.not_found",
    errno.EACCES: "ui.error.os.no_permission",
    errno.EPERM: "ui.error.os.no_permission",
    errno.EROFS: "ui.error.os.no_permission",
    errno.EISDIR: "ui.error.os.is_directory",
    errno.ENOSPC: "ui.error.os.disk_full",
}


def error_text(error: WatchdeskError) -> str:
    """``error`` in the officer's words: a failed connection test by its code, a file problem by
    what the system said (never a raw ``[Errno N]``)."""
    params = dict(error.params)
    code = params.get("code")
    if error.key == "account.probe_failed" and isinstance(code, str):
        platform = str(params.get("platform", ""))
        return t("ui.error.connection_failed", account=params.get("account", ""), problem=problem_text(code, platform=platform))
    if "field" in params:  # a form's field by its name on screen, not the command line's option
        field = str(params["field"]).lstrip("-")
        if f"label.field.{field}" in messages.CATALOGUE:
            params["field"] = messages.label("field", field)
    cause = error.__cause__
    if isinstance(cause, OSError) and "detail" in params:
        params["detail"] = t(_OS_ERRORS.get(cause.errno or 0, "ui.error.os.other"))
    elif isinstance(params.get("problem"), WatchdeskError):
        params["problem"] = error_text(params["problem"])  # type: ignore[arg-type]
    window_key = f"ui.error.{error.key}"
    return messages.text(window_key if window_key in messages.CATALOGUE else error.key, None, **params)
