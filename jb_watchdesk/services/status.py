"""Per-account status for the dashboard and ``status``: freshness, health, comment backlog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jb_watchdesk.domain import rules
from jb_watchdesk.domain.models import Account, Freshness, Health
from jb_watchdesk.storage import accounts as account_store
from jb_watchdesk.storage import dashboard
from jb_watchdesk.storage.db import Store


@dataclass(frozen=True, slots=True)
class AccountStatusRow:
    account: Account
    posts_7d: int
    posts_this_week: int
    last_post_at: datetime | None
    days_silent: int | None
    freshness: Freshness
    freshness_reasons: tuple[str, ...]
    pending_comments: int
    overdue_ack: int
    overdue_result: int
    closing_posts: int

    def to_json(self) -> dict[str, object]:
        a = self.account
        health_reason = a.health_reason
        if a.health is Health.NEVER_POLLED and not health_reason:
            health_reason = "not polled yet" if a.source else "no source configured"
        return {
            "account_id": a.id,
            "name": a.name,
            "platform": a.platform.value,
            "unit": a.unit,
            "status": a.status.value,
            "posts_7d": self.posts_7d,
            "posts_this_week": self.posts_this_week,
            "last_post_at": self.last_post_at.isoformat() if self.last_post_at else None,
            "days_silent": self.days_silent,
            "freshness": self.freshness.value,
            "freshness_reasons": list(self.freshness_reasons),
            "health": a.health.value,
            "health_reason": health_reason,
            "pending_comments": self.pending_comments,
            "overdue_ack": self.overdue_ack,
            "overdue_result": self.overdue_result,
            "closing_posts": self.closing_posts,
        }


def _status_rows(db, *, now: datetime) -> list[AccountStatusRow]:  # type: ignore[no-untyped-def]
    accounts = account_store.list_accounts(db)
    activity = dashboard.activity(db, now=now, week_start=rules.week_start(now))
    rows = []
    for account in accounts:
        act = activity.get(account.id) or dashboard.AccountActivity()
        observed = account.first_polled_at if account.first_polled_at and account.first_polled_at <= now else None
        report = rules.judge_freshness(
            posts_7d=act.posts_7d,
            posts_this_week=act.posts_this_week,
            last_post_at=act.last_post_at,
            now=now,
            observed_since=observed,
        )
        rows.append(
            AccountStatusRow(
                account=account,
                posts_7d=report.posts_7d,
                posts_this_week=report.posts_this_week,
                last_post_at=report.last_post_at,
                days_silent=report.days_silent,
                freshness=report.state,
                freshness_reasons=report.reasons,
                pending_comments=act.open_comments,
                overdue_ack=act.overdue_ack,
                overdue_result=act.overdue_result,
                closing_posts=act.closing_posts,
            )
        )
    return rows


def account_status(store: Store, *, now: datetime) -> list[AccountStatusRow]:
    """Status of every account as of ``now`` (posts and comments after ``now`` are ignored)."""
    return store.query(_status_rows, now=now)
