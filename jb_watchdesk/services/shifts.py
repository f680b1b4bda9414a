"""Duty shifts, inspections, the handover and emergencies (§3.6, §4.3 of the notice).

A shift has one officer, a start and an end. A new shift starts only after the previous one
ended: with the outgoing officer's note, or force-closed with a recorded reason when the officer
left without ending it. What is still open when a shift ends (unacknowledged alerts, overdue
comments, accounts in veto or failing, emergencies still waiting for their first post) is the
*carry-over*; the incoming officer reviews it and confirms the handover.

Inspections: the poll cycle records an automatic one per account per cycle
(``record_auto_inspections``); the officer records manual ones with the four checks of §4.3, each
``ok`` or a finding, plus the corrective action taken. Every one of these events is also a ledger
row, written in the same transaction (``storage/audit.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlite_utils import Database

from jb_watchdesk.domain import rules
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.text import clean_text, has_control_characters
from jb_watchdesk.domain.models import CommentState, Freshness, Health
from jb_watchdesk.domain.sensitive import fold
from jb_watchdesk.services import comments as comment_service
from jb_watchdesk.services import status as status_service
from jb_watchdesk.storage import accounts as account_store
from jb_watchdesk.storage import duty
from jb_watchdesk.storage.codec import from_db
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.duty import Emergency, Inspection, NewInspection, Shift

MAX_NAME: Final = 40
MAX_TEXT: Final = 2_000
MAX_KEYWORDS: Final = 20
OK: Final = "ok"


class Check(StrEnum):
    """The four daily checks of §4.3."""

    OPERATION = "operation"  # 运行情况
    COLUMN_UPDATES = "column_updates"  # 栏目更新
    CONTENT_QUALITY = "content_quality"  # 信息内容质量
    SECURITY = "security"  # 安全防护


CHECK_LABELS_ZH: Final[dict[Check, str]] = {
    Check.OPERATION: "运行情况",
    Check.COLUMN_UPDATES: "栏目更新",
    Check.CONTENT_QUALITY: "信息内容质量",
    Check.SECURITY: "安全防护",
}
_CHECK_NAMES: Final[dict[str, Check]] = {
    **{c.value: c for c in Check},
    **{label: c for c, label in CHECK_LABELS_ZH.items()},
}
_OK_WORDS: Final = {"ok", "正常", "无问题", "良好"}


# -- input checks ---------------------------------------------------------------------------


def _clean(value: str, *, field_name: str, limit: int, required: bool) -> str:
    """Trimmed text without control characters (they would corrupt exports and the terminal)."""
    text = value.strip()
    if required and not text:
        raise InputError("duty.empty", field=field_name)
    if len(text) > limit:
        raise InputError("duty.too_long", field=field_name, length=len(text), limit=limit)
    if has_control_characters(text):
        raise InputError("duty.control_chars", field=field_name)
    return clean_text(text)


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


# -- shifts ---------------------------------------------------------------------------------


def current_shift(store: Store) -> Shift | None:
    return store.call(duty.open_shift)


def list_shifts(store: Store, *, limit: int = 200) -> list[Shift]:
    return store.call(duty.list_shifts, limit=limit)


def start_shift(store: Store, *, officer: str, now: datetime) -> Shift:
    """Open a shift for ``officer``; refused while another shift is open."""
    name = _clean(officer, field_name="officer", limit=MAX_NAME, required=True)
    return store.call(duty.start_shift, officer=name, now=now)


def end_shift(store: Store, *, now: datetime, note: str = "", force_reason: str | None = None) -> Shift:
    """End the open shift with a handover note, or force-close it with a reason.

    The carry-over as of ``now`` goes into the ledger with the end, so the record shows what the
    outgoing officer left open.
    """
    shift = store.call(duty.open_shift)
    if shift is None:
        raise InputError("shift.none_open")
    if now < shift.started_at:
        raise InputError("shift.end_before_start", started_at=shift.started_at.astimezone(rules.SHANGHAI).isoformat())
    clean_note = _clean(note, field_name="note", limit=MAX_TEXT, required=False)
    reason = None if force_reason is None else _clean(force_reason, field_name="force", limit=MAX_TEXT, required=True)
    summary = carry_over(store, now=now).summary()
    return store.call(duty.end_shift, shift_id=shift.id, now=now, note=clean_note, force_reason=reason, carry_over=summary)


@dataclass(frozen=True, slots=True)
class EmergencyStatus:
    emergency: Emergency
    clock: rules.EmergencyClock
    state: str  # waiting, met, missed, closed

    def to_json(self) -> dict[str, object]:
        e = self.emergency
        return {
            "id": e.id,
            "title": e.title,
            "keywords": list(e.keywords),
            "activated_at": e.activated_at.isoformat(),
            "activated_by": e.activated_by,
            "due": self.clock.due.isoformat(),
            "first_post_id": e.first_post_id,
            "first_post_at": e.first_post_at.isoformat() if e.first_post_at else None,
            "state": self.state,
            "remaining_s": int(self.clock.remaining.total_seconds()),
        }


@dataclass(frozen=True, slots=True)
class CarryOver:
    """What is still open at ``as_of``: the incoming officer takes these over."""

    as_of: datetime
    unacknowledged_alerts: list[dict[str, Any]] = field(default_factory=list)
    overdue_comments: list[comment_service.CommentRow] = field(default_factory=list)
    accounts_at_risk: list[status_service.AccountStatusRow] = field(default_factory=list)
    waiting_emergencies: list[EmergencyStatus] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.unacknowledged_alerts or self.overdue_comments or self.accounts_at_risk or self.waiting_emergencies)

    def summary(self) -> dict[str, object]:
        """Ids of the open items: what the ledger records with a shift end or a handover confirmation."""
        return {
            "as_of": self.as_of.isoformat(),
            "alerts": [a["id"] for a in self.unacknowledged_alerts],
            "comments": [c.id for c in self.overdue_comments],
            "accounts": [r.account.id for r in self.accounts_at_risk],
            "emergencies": [e.emergency.id for e in self.waiting_emergencies],
        }


_AT_RISK_HEALTH: Final = {Health.FAILING, Health.AUTH_EXPIRED}


def carry_over(store: Store, *, now: datetime) -> CarryOver:
    """Open items as of ``now``.

    Freshness and comment states are evaluated as of ``now``; account health is the latest
    known, since the store keeps no health history beyond the automatic inspections.
    """
    alerts = store.call(duty.unacknowledged_alerts, now=now)
    overdue = [
        c
        for c in comment_service.list_comments(store, now=now, pending_only=True)
        if c.state in (CommentState.OVERDUE_ACK, CommentState.OVERDUE_RESULT)
    ]
    at_risk = [
        r
        for r in status_service.account_status(store, now=now)
        if r.freshness is Freshness.VETO or r.account.health in _AT_RISK_HEALTH
    ]
    waiting = [s for s in emergency_status(store, now=now) if s.state in ("waiting", "missed") and s.emergency.first_post_id is None]
    return CarryOver(as_of=now, unacknowledged_alerts=alerts, overdue_comments=overdue, accounts_at_risk=at_risk, waiting_emergencies=waiting)


@dataclass(frozen=True, slots=True)
class Handover:
    """What ``shift handover`` shows: the ended shift to take over, who is on duty, and the open items."""

    previous: Shift | None
    on_duty: Shift | None
    carry_over: CarryOver

    @property
    def awaiting_confirmation(self) -> bool:
        return self.previous is not None and self.previous.handover_confirmed_at is None


def handover(store: Store, *, now: datetime) -> Handover:
    previous = store.call(duty.last_ended_shift)
    on_duty = store.call(duty.open_shift)
    return Handover(previous=previous, on_duty=on_duty, carry_over=carry_over(store, now=now))


def confirm_handover(store: Store, *, officer: str, now: datetime) -> Shift:
    """The incoming officer confirms taking over the last ended shift and its carry-over.

    When a shift is already open, only its officer may confirm: the handover is between the
    outgoing and the incoming officer, not a third person.
    """
    name = _clean(officer, field_name="officer", limit=MAX_NAME, required=True)
    view = handover(store, now=now)
    if not view.awaiting_confirmation or view.previous is None:
        raise InputError("handover.nothing_to_confirm")
    if view.on_duty is not None and view.on_duty.officer != name:
        raise InputError("handover.not_on_duty", officer=name, on_duty=view.on_duty.officer)
    return store.call(duty.confirm_handover, shift_id=view.previous.id, officer=name, now=now, carry_over=view.carry_over.summary())


# -- inspections ------------------------------------------------------------------------------


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
    shift = store.call(duty.open_shift)
    if shift is None:
        raise InputError("inspect.no_shift")
    store.call(account_store.get_account, account_id)
    all_checks = {c.value: checks.get(c, OK) for c in Check}
    clean_finding = _clean(finding, field_name="finding", limit=MAX_TEXT, required=False)
    clean_action = _clean(action, field_name="action", limit=MAX_TEXT, required=False)
    if (clean_finding or any(v != OK for v in all_checks.values())) and not clean_action:
        raise InputError("inspect.needs_action")
    if corrects_id is not None:
        corrected = store.call(duty.get_inspection, corrects_id)
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
    (new_id,) = store.call(duty.add_inspections, [item], shift_id=shift.id, now=now)
    return store.call(duty.get_inspection, new_id)


@dataclass(frozen=True, slots=True)
class AutoCheck:
    """What one poll cycle learned about one account: the poller passes one per polled account."""

    account_id: int
    freshness: Freshness
    health: Health
    health_reason: str = ""
    new_alerts: int = 0


_FRESHNESS_ZH: Final = {Freshness.WARN: "更新不足预警", Freshness.VETO: "两周未更新（一票否决）", Freshness.UNKNOWN: "尚无更新记录"}
_HEALTH_ZH: Final = {
    Health.DEGRADED: "读取不稳定",
    Health.FAILING: "无法读取",
    Health.AUTH_EXPIRED: "凭据失效",
    Health.NEVER_POLLED: "尚未读取",
}


def auto_checks(item: AutoCheck) -> tuple[dict[str, object], str]:
    """The four checks as an automatic inspection sees them, and the finding text.

    Health is the account's operation (and, for an expired credential, its security);
    freshness is column updates; new sensitive-content alerts are content quality.
    """
    reason = f"：{item.health_reason}" if item.health_reason else ""
    operation = OK if item.health in (Health.OK, Health.AUTH_EXPIRED) else f"{_HEALTH_ZH[item.health]}（{item.health.value}）{reason}"
    security = f"{_HEALTH_ZH[Health.AUTH_EXPIRED]}（auth_expired）{reason}" if item.health is Health.AUTH_EXPIRED else OK
    updates = OK if item.freshness is Freshness.OK else f"{_FRESHNESS_ZH[item.freshness]}（{item.freshness.value}）"
    quality = OK if item.new_alerts == 0 else f"新告警 {item.new_alerts} 条"
    checks: dict[str, object] = {
        Check.OPERATION.value: operation,
        Check.COLUMN_UPDATES.value: updates,
        Check.CONTENT_QUALITY.value: quality,
        Check.SECURITY.value: security,
        "freshness": item.freshness.value,
        "health": item.health.value,
        "new_alerts": item.new_alerts,
    }
    finding = "；".join(f"{CHECK_LABELS_ZH[c]}：{checks[c.value]}" for c in Check if checks[c.value] != OK)
    return checks, finding


def _auto_items(changes_summary: Sequence[AutoCheck]) -> list[NewInspection]:
    items = []
    for item in changes_summary:
        checks, finding = auto_checks(item)
        items.append(NewInspection(account_id=item.account_id, kind="auto", checks=checks, finding=finding))
    return items


def _record_auto(db: Database, items: list[NewInspection], *, now: datetime) -> int:
    shift = duty.open_shift(db)
    return len(duty.add_inspections(db, items, shift_id=shift.id if shift else None, now=now))


def record_auto_inspections(store: Store, *, now: datetime, changes_summary: Sequence[AutoCheck]) -> int:
    """One automatic inspection per polled account, in one transaction; returns how many were written."""
    return store.call(_record_auto, _auto_items(changes_summary), now=now)


async def record_auto_inspections_async(store: Store, *, now: datetime, changes_summary: Sequence[AutoCheck]) -> int:
    """The event-loop form of ``record_auto_inspections`` for the poll cycle."""
    return await store.run(_record_auto, _auto_items(changes_summary), now=now)


# -- emergencies (§3.6) -----------------------------------------------------------------------


def status_of(emergency: Emergency, *, now: datetime) -> EmergencyStatus:
    """One activation's 2-hour clock as of ``now``."""
    first = emergency.first_post_at if emergency.first_post_at and emergency.first_post_at <= now else None
    clock = rules.emergency_clock(emergency.activated_at, now=now, first_post_at=first)
    if clock.met:
        state = "met"
    elif clock.missed:
        state = "missed"
    elif emergency.closed_at is not None and emergency.closed_at <= now:
        state = "closed"
    else:
        state = "waiting"
    return EmergencyStatus(emergency=emergency, clock=clock, state=state)


def emergency_status(store: Store, *, now: datetime) -> list[EmergencyStatus]:
    """Every activation up to ``now`` with its 2-hour clock: countdown, met or missed. Newest first."""
    return [status_of(e, now=now) for e in store.call(duty.list_emergencies) if e.activated_at <= now]


def parse_keywords(text: str | None) -> list[str]:
    """``K1,K2`` (ASCII or Chinese commas) → keywords, trimmed and deduplicated."""
    if not text:
        return []
    seen: list[str] = []
    for part in text.replace("，", ",").replace("、", ",").split(","):
        word = part.strip()
        if word and word not in seen:
            seen.append(_clean(word, field_name="keywords", limit=MAX_NAME, required=True))
    if len(seen) > MAX_KEYWORDS:
        raise InputError("duty.too_long", field="keywords", length=len(seen), limit=MAX_KEYWORDS)
    return seen


def start_emergency(store: Store, *, title: str, keywords: Sequence[str], now: datetime) -> EmergencyStatus:
    """Record an emergency plan activation; the first related post must follow within 2 hours.

    Without keywords the title itself is what a related post must contain. Posts already stored
    that were published since the activation are matched at once.
    """
    clean_title = _clean(title, field_name="title", limit=200, required=True)
    words = list(keywords) or [clean_title]
    shift = store.call(duty.open_shift)
    emergency = store.call(duty.add_emergency, title=clean_title, keywords=words, officer=shift.officer if shift else "", now=now)
    candidates = store.call(duty.posts_for_matching, since=emergency.activated_at)
    _match([emergency], candidates, store=store, now=now)
    return status_of(store.call(duty.get_emergency, emergency.id), now=now)


def _matches(emergency: Emergency, post: Mapping[str, Any]) -> bool:
    text = fold(f"{post['title']}\n{post['body']}")
    return any(fold(word) in text for word in emergency.keywords)


def _match(emergencies: Sequence[Emergency], posts: Sequence[Mapping[str, Any]], *, store: Store, now: datetime) -> list[Emergency]:
    met = []
    for emergency in emergencies:
        related = []
        for post in posts:
            published = from_db(post["published_at"])
            assert published is not None
            # A post dated in the future (clock skew) counts as published now.
            published = min(published, now)
            if published >= emergency.activated_at and _matches(emergency, post):
                related.append((published, post["id"]))
        if related:
            published, post_id = min(related)
            met.append(store.call(duty.set_first_post, emergency_id=emergency.id, post_id=post_id, post_at=published, now=now))
    return met


def match_posts(store: Store, *, post_ids: Sequence[int], now: datetime) -> list[EmergencyStatus]:
    """Check new posts against the activations still waiting; the first related post stops each clock.

    The poll cycle calls this with its new post ids; returns the activations this call met.
    """
    waiting = store.call(duty.waiting_emergencies)
    if not waiting or not post_ids:
        return []
    posts = store.call(duty.posts_for_matching, post_ids=post_ids)
    return [status_of(e, now=now) for e in _match(waiting, posts, store=store, now=now)]


async def match_posts_async(store: Store, *, post_ids: Sequence[int], now: datetime) -> list[EmergencyStatus]:
    """Event-loop form of ``match_posts``: the work runs on the store's thread."""
    return await store.run(lambda db: match_posts(store, post_ids=post_ids, now=now))

