"""The triage migration on a workspace from before it: old per-rule alerts fold into one per item
and category, their items' times are copied, and backlog is decided by the scanner's rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from jb_watchdesk.domain.models import AlertState
from jb_watchdesk.domain.sensitive import Severity
from jb_watchdesk.storage import alerts
from jb_watchdesk.storage import db as db_module
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.migrations import MIGRATIONS, _Migrations

FIRST_POLL = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def _before_triage() -> _Migrations:
    older = _Migrations("jb_watchdesk")
    for migration in MIGRATIONS._migrations:  # noqa: SLF001 - a copy of the real list
        if migration.name == "0007_triage":
            break
        older(name=migration.name)(migration.fn)
    return older


def _alert(db: Database, item_id: int, rule: str, severity: str, *, category: str = "privacy", state: str = "new") -> None:
    db["alerts"].insert(
        {"account_id": 1, "item_kind": "post", "item_id": item_id, "category": category, "severity": severity, "rule": rule,
         "text": rule, "context": "…", "raised_at": to_db(FIRST_POLL + timedelta(days=3)), "state": state,
         "span_start": 1, "span_end": 3}
    )


@pytest.fixture
def old_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "w.sqlite3"
    with monkeypatch.context() as patch:
        patch.setattr(db_module, "MIGRATIONS", _before_triage())
        Store(path).close()
    db = Database(path)
    stamp = to_db(FIRST_POLL)
    db["accounts"].insert({"id": 1, "name": "江北发布", "platform": "weibo", "first_polled_at": stamp,
                           "created_at": stamp, "updated_at": stamp})
    seen_later = to_db(FIRST_POLL + timedelta(days=3))
    for post_id, published, seen in [
        (1, FIRST_POLL - timedelta(days=30), stamp),  # read by the first poll: backlog
        (2, FIRST_POLL + timedelta(days=3, hours=-1), seen_later),  # new on a known account: live
        (3, FIRST_POLL, seen_later),  # three days old when first seen: backlog
    ]:
        db["posts"].insert({"id": post_id, "account_id": 1, "external_id": str(post_id), "published_at": to_db(published),
                            "first_seen_at": seen, "updated_at": seen})
    _alert(db, 2, "privacy.cue", "medium")
    _alert(db, 2, "pii.id_card", "high")
    _alert(db, 2, "ad.absolute", "low", category="advertising")
    _alert(db, 1, "pii.mobile", "medium", state="acknowledged")
    _alert(db, 1, "privacy.cue", "medium")
    _alert(db, 3, "pii.mobile", "medium")
    db.close()
    return path


def test_old_alerts_fold_per_item_and_category_and_learn_backlog(old_workspace: Path) -> None:
    with Store(old_workspace) as store:
        every = store.query(alerts.list_alerts, limit=100)
    by_rule = {(a.item_id, a.rule): a for a in every}
    kept = by_rule[(2, "pii.id_card")]
    assert (kept.state, kept.severity, kept.backlog) == (AlertState.NEW, Severity.HIGH, False)
    assert [hit.rule for hit in kept.hits] == ["pii.id_card", "privacy.cue"]
    assert kept.published_at == FIRST_POLL + timedelta(days=3, hours=-1)
    folded = by_rule[(2, "privacy.cue")]
    assert (folded.state, folded.resolve_reason) == (AlertState.RESOLVED, "merged")
    assert by_rule[(2, "ad.absolute")].state is AlertState.NEW  # another category stays its own alert
    # history is left as it was; an acknowledged and a new alert of one item and category both stay
    assert by_rule[(1, "pii.mobile")].state is AlertState.ACKNOWLEDGED
    assert by_rule[(1, "privacy.cue")].state is AlertState.NEW
    assert {item: by_rule[key].backlog for key in by_rule for item in [key[0]]} == {1: True, 2: False, 3: True}


def test_after_the_migration_alerts_from_before_never_escalate_and_rules_may_repeat(old_workspace: Path) -> None:
    from jb_watchdesk.domain.alerts import AlertDraft
    from jb_watchdesk.domain.models import ItemKind

    with Store(old_workspace) as store:
        assert {a.escalation_step for a in store.query(alerts.list_alerts, limit=100)} == {-1}
        # item 2's privacy alert was folded (privacy.cue resolved as merged): a new scan of it
        # naming only the cue must not collide with the merged row's rule
        cue = AlertDraft(account_id=1, item_kind=ItemKind.POST, item_id=2, category="privacy", severity=Severity.MEDIUM,
                         rule="privacy.cue", text="身份证号")
        store.call(alerts.record_alerts, [cue], now=FIRST_POLL + timedelta(days=4))
        store.call(alerts.resolve_removed_rules, active_rules={"privacy.cue", "pii.mobile"}, categories={"privacy"},
                   now=FIRST_POLL + timedelta(days=4))
