"""Inspections (§4.3): the officer's manual ones with the four checks, the officer's readings of
accounts no machine source reads, and one automatic one per polled account per cycle. Each is also
in the ledger, written in the same transaction: a row per manual inspection, one row for all the
automatic inspections of a cycle (``storage/inspections.py`` describes that form).

A *reading* (:func:`record_reading`) is a manual inspection that also says what the platform
showed: the latest post's time, the posts since the previous reading, the comments waiting and
where the officer looked. It feeds the account's freshness (``rules.reading_counts``) and its
comment backlog in ``status``; ``inspect ACCOUNT_ID --latest-post ISO`` and the duty panel's
checklist both record one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit

from sqlite_utils import Database

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import Account, Freshness, Health
from jb_watchdesk.domain.record import (
    Inspection,
    NewInspection,
    Reading,
    StoredReading,
)
from jb_watchdesk.domain.rules import SHANGHAI, in_range
from jb_watchdesk.services import shifts
from jb_watchdesk.services.fields import MAX_NAME, MAX_TEXT
from jb_watchdesk.services.fields import clean_field as _clean
from jb_watchdesk.services.status import needs_reading
from jb_watchdesk.storage import accounts as account_store
from jb_watchdesk.storage import inspections as inspection_store
from jb_watchdesk.storage import shifts as shift_store
from jb_watchdesk.storage.db import Store

OK: Final = "ok"


class Check(StrEnum):
    """The four daily checks of §4.3."""

    OPERATION = "operation"  # 运行情况
    COLUMN_UPDATES = "column_updates"  # 栏目更新
    CONTENT_QUALITY = "content_quality"  # 信息内容质量
    SECURITY = "security"  # 安全防护


RECORD_LANGUAGE: Final = "zh"
"""The duty record is kept in Chinese, whatever language the officer reads: it is the unit's document."""

# An officer may name a check by its code or by its name in either language (``安全防护=…``).
_CHECK_NAMES: Final[dict[str, Check]] = {
    **{c.value: c for c in Check},
    **{messages.label("check", c, language): c for c in Check for language in messages.LANGUAGES},
}
_OK_WORDS: Final = {"ok", "正常", "无问题", "良好"}


def parse_checks(values: Sequence[str]) -> dict[Check, str]:
    """``operation=ok``, ``安全防护=弱口令未修改`` … → the four checks; ones not given are ``ok``.

    Running ``inspect`` at all means the officer looked at the account, so an unnamed check is
    recorded as passed rather than missing.
    """
    checks = {c: OK for c in Check}
    for value in values:
        name, sep, result = value.partition("=")
        check = _CHECK_NAMES.get(name.strip().lower()) or _CHECK_NAMES.get(name.strip())
        result = result.strip()
        if not sep or check is None or not result:
            raise InputError("inspect.bad_check", value=value)
        checks[check] = OK if result.lower() in _OK_WORDS else _clean(result, field_name=check.value, limit=MAX_TEXT, required=True)
    return checks


def record_inspection(
    store: Store,
    *,
    account_id: int,
    checks: Mapping[Check, str],
    now: datetime,
    finding: str = "",
    action: str = "",
    corrects_id: int | None = None,
) -> Inspection:
    """A manual inspection (or, with ``corrects_id``, a correction of an earlier one) by the officer on duty.

    A finding (overall or in any check) needs the corrective action: §4.3 asks the duty to find
    problems *and* correct them, and the record must say how.
    """
    shift = store.call(shift_store.open_shift)
    if shift is None:
        raise InputError("inspect.no_shift")
    store.call(account_store.get_account, account_id)
    all_checks = {c.value: checks.get(c, OK) for c in Check}
    clean_finding = _clean(finding, field_name="finding", limit=MAX_TEXT, required=False)
    clean_action = _clean(action, field_name="action", limit=MAX_TEXT, required=False)
    if (clean_finding or any(v != OK for v in all_checks.values())) and not clean_action:
        raise InputError("inspect.needs_action")
    if corrects_id is not None:
        corrected = store.call(inspection_store.get_inspection, corrects_id)
        if corrected.kind == "auto":
            raise InputError("inspect.corrects_auto", inspection_id=corrects_id)
        if corrected.account_id != account_id:
            raise InputError("inspect.wrong_account", inspection_id=corrects_id, account_id=corrected.account_id)
    item = NewInspection(
        account_id=account_id,
        kind="manual" if corrects_id is None else "correction",
        checks=all_checks,
        finding=clean_finding,
        action=clean_action,
        officer=shift.officer,
        corrects_id=corrects_id,
    )
    (new_id,) = store.call(inspection_store.add_inspections, [item], shift_id=shift.id, now=now)
    return store.call(inspection_store.get_inspection, new_id)


@dataclass(frozen=True, slots=True)
class AutoCheck:
    """What one poll cycle learned about one account: the poller passes one per polled account."""

    account_id: int
    freshness: Freshness
    health: Health
    health_reason: str = ""
    new_alerts: int = 0


def auto_checks(item: AutoCheck) -> tuple[dict[str, object], str]:
    """The four checks as an automatic inspection sees them, and the finding text.

    Health is the account's operation (and, for an expired credential, its security);
    freshness is column updates; new sensitive-content alerts are content quality.
    """
    def named(kind: str, code: object) -> str:
        return messages.label(kind, code, RECORD_LANGUAGE)

    reason = f"：{item.health_reason}" if item.health_reason else ""
    operation = (
        OK if item.health in (Health.OK, Health.AUTH_EXPIRED) else f"{named('auto_health', item.health)}（{item.health.value}）{reason}"
    )
    security = f"{named('auto_health', Health.AUTH_EXPIRED)}（auth_expired）{reason}" if item.health is Health.AUTH_EXPIRED else OK
    updates = OK if item.freshness is Freshness.OK else f"{named('auto_freshness', item.freshness)}（{item.freshness.value}）"
    quality = OK if item.new_alerts == 0 else messages.text("inspect.auto_new_alerts", RECORD_LANGUAGE, count=item.new_alerts)
    checks: dict[str, object] = {
        Check.OPERATION.value: operation,
        Check.COLUMN_UPDATES.value: updates,
        Check.CONTENT_QUALITY.value: quality,
        Check.SECURITY.value: security,
        "freshness": item.freshness.value,
        "health": item.health.value,
        "new_alerts": item.new_alerts,
    }
    finding = "；".join(f"{named('check', c)}：{checks[c.value]}" for c in Check if checks[c.value] != OK)
    return checks, finding


MAX_COUNT: Final = 100_000
"""The most posts or comments one reading may state (more is a typing slip)."""
MAX_LINK: Final = 2_000
CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far after ``now`` a latest post may be dated (the platform's clock and ours differ a little)."""


def parse_reading_time(value: str, *, now: datetime | None = None) -> datetime:
    """The latest post time as the officer typed it: ISO-8601, without a zone read as Beijing time.

    With ``now`` (the checklist, where seconds count) the short forms are read too, as a clock on
    the wall reads them: ``HH:MM`` is the latest such time not after ``now`` (today, else
    yesterday) and ``MM-DD HH:MM`` the latest such date not after ``now`` (this year, else last).
    """
    text = " ".join(value.split())
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = _short_time(text, now) if now is not None else None
    if parsed is None:
        raise InputError("reading.bad_time", value=value)
    aware = parsed if parsed.tzinfo is not None and parsed.utcoffset() is not None else parsed.replace(tzinfo=SHANGHAI)
    if not in_range(aware):
        raise InputError("reading.bad_time", value=value)
    return aware


def _short_time(text: str, now: datetime) -> datetime | None:
    local = now.astimezone(SHANGHAI)
    for pattern, has_date in (("%H:%M", False), ("%m-%d %H:%M", True), ("%m/%d %H:%M", True)):
        try:
            typed = datetime.strptime(f"{local.year} {text}", f"%Y {pattern}")  # noqa: DTZ007 - zone set below
        except ValueError:
            continue
        if not has_date:
            typed = typed.replace(month=local.month, day=local.day)
        candidate = typed.replace(tzinfo=SHANGHAI)
        if candidate > local + CLOCK_SKEW:
            if has_date:
                try:
                    candidate = candidate.replace(year=local.year - 1)
                except ValueError:  # 29 February
                    return None
            else:
                candidate -= timedelta(days=1)
        return candidate
    return None


def parse_count(value: str | int | None, *, field_name: str) -> int | None:
    """A count typed or given (empty: not counted): a whole number 0..:data:`MAX_COUNT`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = value if isinstance(value, int) else int(value.strip(), 10)
    except ValueError:
        raise InputError("reading.bad_count", field=field_name, limit=MAX_COUNT, value=str(value)) from None
    if isinstance(number, bool) or not 0 <= number <= MAX_COUNT:
        raise InputError("reading.bad_count", field=field_name, limit=MAX_COUNT, value=str(value))
    return number


def clean_link(value: str) -> str:
    """Where the officer looked: empty, or an http(s) URL without spaces or control characters."""
    link = value.strip()
    if not link:
        return ""
    try:
        parts = urlsplit(link)
    except ValueError:
        raise InputError("reading.bad_link", limit=MAX_LINK) from None
    if (
        len(link) > MAX_LINK
        or parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
        or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in link)
    ):
        raise InputError("reading.bad_link", limit=MAX_LINK)
    return link


def _reading_officer(store: Store, officer: str | None) -> tuple[int | None, str]:
    """(shift id, officer) of a reading: the officer on duty, or the one named when nobody is."""
    shift = store.call(shift_store.open_shift)
    named = _clean(officer, field_name="officer", limit=MAX_NAME, required=False) if officer else ""
    if shift is not None:
        if named and named != shift.officer:
            raise InputError("reading.not_on_duty", officer=named, on_duty=shift.officer)
        return shift.id, shift.officer
    if not named:
        raise InputError("reading.no_officer")
    return None, named


def record_reading(
    store: Store,
    *,
    account_id: int,
    latest_post_at: datetime,
    now: datetime,
    posts_seen: int | None = None,
    comments_waiting: int | None = None,
    link: str = "",
    officer: str | None = None,
    finding: str = "",
    action: str = "",
    corrects_id: int | None = None,
) -> Inspection:
    """The officer's reading of an account: an inspection of kind ``manual`` (``correction`` with
    ``corrects_id``, which must be a reading of the same account) carrying what was seen.

    Refused: a latest post later than ``now`` (beyond :data:`CLOCK_SKEW`), counts outside
    0..:data:`MAX_COUNT`, a link that is not http(s), a finding without an action, no officer
    (with no shift on duty ``officer`` names who read), or an officer other than the one on duty.
    """
    if latest_post_at.tzinfo is None or latest_post_at.utcoffset() is None:
        latest_post_at = latest_post_at.replace(tzinfo=SHANGHAI)
    if latest_post_at > now + CLOCK_SKEW:
        raise InputError(
            "reading.future",
            value=latest_post_at.astimezone(SHANGHAI).isoformat(timespec="minutes"),
            now=now.astimezone(SHANGHAI).isoformat(timespec="minutes"),
        )
    posts = parse_count(posts_seen, field_name="posts")
    comments = parse_count(comments_waiting, field_name="comments_waiting")
    clean = clean_link(link)
    clean_finding = _clean(finding, field_name="finding", limit=MAX_TEXT, required=False)
    clean_action = _clean(action, field_name="action", limit=MAX_TEXT, required=False)
    if clean_finding and not clean_action:
        raise InputError("inspect.needs_action")
    store.call(account_store.get_account, account_id)
    shift_id, name = _reading_officer(store, officer)
    if corrects_id is not None:
        corrected = store.call(inspection_store.get_inspection, corrects_id)
        if corrected.account_id != account_id:
            raise InputError("inspect.wrong_account", inspection_id=corrects_id, account_id=corrected.account_id)
        if corrected.reading is None:
            raise InputError("reading.corrects_not_reading", inspection_id=corrects_id)
    item = NewInspection(
        account_id=account_id,
        kind="manual" if corrects_id is None else "correction",
        checks={c.value: OK for c in Check},
        finding=clean_finding,
        action=clean_action,
        officer=name,
        corrects_id=corrects_id,
        reading=Reading(latest_post_at=min(latest_post_at, now), posts_seen=posts, comments_waiting=comments, link=clean),
    )
    (new_id,) = store.call(inspection_store.add_inspections, [item], shift_id=shift_id, now=now)
    return store.call(inspection_store.get_inspection, new_id)


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One account of the shift's reading checklist."""

    account: Account
    last: StoredReading | None
    """Its latest reading (of any shift), None when it was never read."""
    done: bool
    """Read during this shift (since :func:`~jb_watchdesk.services.shifts.reading_window_start`)."""


@dataclass(frozen=True, slots=True)
class Checklist:
    since: datetime
    """Readings from this instant on count as this shift's."""
    items: list[ChecklistItem]

    @property
    def missing(self) -> int:
        return sum(not item.done for item in self.items)


def checklist(store: Store, *, now: datetime) -> Checklist:
    """The accounts the officer reads this shift: those still to read first (the same order as
    the carry-over's ``unread_accounts``: never read, then the longest since), then those read."""
    since = shifts.reading_window_start(store, now=now)
    unread = shifts.unread_accounts(store, now=now)
    last = store.query(inspection_store.last_readings, now=now)
    missing = {a.id for a in unread}
    read = [a for a in store.query(account_store.list_accounts) if a.id not in missing and a.id in last and needs_reading(a)]
    read.sort(key=lambda a: (last[a.id].recorded_at, a.id), reverse=True)
    items = [ChecklistItem(a, last.get(a.id), False) for a in unread]
    items += [ChecklistItem(a, last[a.id], True) for a in read]
    return Checklist(since=since, items=items)


def _record_auto(db: Database, results: list[inspection_store.AutoResult], *, now: datetime) -> int:
    shift = shift_store.open_shift(db)
    return inspection_store.add_cycle(db, results, shift_id=shift.id if shift else None, now=now)


_NEXT_TRY: Final = re.compile(r" \(next try \d{1,2}:\d{2}\)")
"""The poller's "(next try HH:MM)" in a failure's reason: left out of the cycle's record, so the
accounts failing for the same reason share one group of its ledger row (1,000 accounts in an
outage were 118 KB a cycle, one group each); the account's own health keeps the full reason."""


def record_auto_inspections(store: Store, *, now: datetime, changes_summary: Sequence[AutoCheck]) -> int:
    """One automatic inspection per polled account (the last given for an account counts), kept
    as the cycle's one record and ledger row in one transaction; returns how many inspections.

    Only the codes are kept (freshness, health and its reason, new alerts): the four checks'
    wording (:func:`auto_checks`) follows from them whenever the record is shown.
    """
    results = [
        inspection_store.AutoResult(
            item.account_id, item.freshness.value, item.health.value, _NEXT_TRY.sub("", item.health_reason), item.new_alerts
        )
        for item in changes_summary
    ]
    return store.call(_record_auto, results, now=now)



