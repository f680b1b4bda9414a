"""`comments`, `comments ack` and `comments done`: a comment handled from a terminal, as in the window."""

from __future__ import annotations

import functools
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.cli import main
from jb_watchdesk.connectors.base import FetchedComment, FetchedPost
from jb_watchdesk.domain import rules
from jb_watchdesk.domain.models import AccountSpec, Platform
from jb_watchdesk.domain.workdays import DEFAULT_CALENDAR
from jb_watchdesk.paths import Workspace
from jb_watchdesk.storage import ingest
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
POLLED = NOW - timedelta(minutes=20)
DEADLINES = functools.partial(rules.comment_sla, calendar=DEFAULT_CALENDAR)


def run(ws: Path, *argv: str, lang: str = "zh", now: datetime = NOW) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--lang", lang, "--data-dir", str(ws), "--now", now.isoformat(), *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def comments(ws: Path, now: datetime = NOW) -> dict[int, dict[str, object]]:
    code, out, err = run(ws, "comments", "--json", now=now)
    assert (code, err) == (0, "")
    return {row["id"]: row for row in json.loads(out)}


def actions(ws: Path) -> list[tuple[int, str]]:
    """The duty record's comment actions: (comment id, action), in order."""
    with sqlite3.connect(Workspace(ws).database) as conn:
        rows = conn.execute("SELECT ref_id, payload FROM ledger WHERE kind = 'comment_action' ORDER BY seq").fetchall()
    return [(ref_id, json.loads(payload)["action"]) for ref_id, payload in rows]


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    with Store(Workspace(root).database) as store:
        store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.WEIBO, source="1")], now=NOW - timedelta(days=1))
        post = FetchedPost(external_id="p1", title="停水通知", body="观音桥片区明日停水", digest="", url="", published_at=POLLED)
        asked = [
            FetchedComment(external_id=f"c{n}", post_external_id="p1", author="市民", text=text, created_at=POLLED - timedelta(minutes=n))
            for n, text in ((1, "几点恢复供水？"), (2, "我们小区也停吗？"))
        ]
        store.call(ingest.record_success, account_id=1, posts=[post], comments=asked, now=POLLED, deadlines=DEADLINES)
    return root


def test_bare_comments_still_lists(ws: Path) -> None:
    code, out, _ = run(ws, "comments")
    assert code == 0 and "几点恢复供水" in out and "我们小区也停吗" in out
    assert {row["state"] for row in comments(ws).values()} == {"pending"}


def test_acknowledge_then_finish_a_comment(ws: Path) -> None:
    code, out, err = run(ws, "comments", "ack", "1", "--note", "已回复：预计 18 点恢复", "--officer", "张三")
    assert (code, out, err) == (0, "已确认受理留言 1（张三）\n", "")
    rows = comments(ws)
    assert (rows[1]["state"], rows[1]["acked_at"]) == ("acked", NOW.isoformat())
    assert rows[2]["state"] == "pending"

    later = NOW + timedelta(hours=2)
    code, out, _ = run(ws, "comments", "done", "1", "--note", "已恢复供水并回复", "--officer", "张三", lang="en", now=later)
    assert (code, out) == (0, "comment 1 done (张三)\n")
    assert comments(ws, later)[1]["state"] == "done"
    assert run(ws, "comments", "--pending", "--json", now=later)[1].count('"id"') == 1
    assert actions(ws) == [(1, "acknowledged"), (1, "done")]


def test_done_on_a_pending_comment_acknowledges_it_too(ws: Path) -> None:
    code, out, _ = run(ws, "comments", "done", "2", "--note", "已答复：本小区不停水", "--officer", "李四", lang="en")
    assert (code, out) == (0, "comment 2 done (李四)\n")
    row = comments(ws)[2]
    assert (row["state"], row["acked_at"]) == ("done", NOW.isoformat())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["comments", "ack", "99", "--note", "x"], "no comment with id 99"),
        (["comments", "done", "99", "--note", "x"], "no comment with id 99"),
        (["comments", "ack", "1", "--note", "   "], "a note is required"),
        (["comments", "done", "1", "--note", ""], "a note is required"),
        (["comments", "ack", str(2**70), "--note", "x"], "must be a whole number"),
        (["comments", "done", "0", "--note", "x"], "must be a whole number"),
        (["comments", "ack", "1"], "--note"),
        (["comments", "ack", "--note", "x"], "the following arguments are required"),
    ],
)
def test_refusals_are_one_line_exit_2_and_change_nothing(ws: Path, argv: list[str], message: str) -> None:
    code, out, err = run(ws, *argv, lang="en")
    assert (code, out) == (2, "") and err.count("\n") == 1 and message in err, err
    assert {row["state"] for row in comments(ws).values()} == {"pending"}
    assert actions(ws) == []


def test_a_comment_is_acknowledged_and_finished_once(ws: Path) -> None:
    assert run(ws, "comments", "ack", "1", "--note", "已回复")[0] == 0
    code, _, err = run(ws, "comments", "ack", "1", "--note", "再次回复", lang="en")
    assert code == 2 and err == "jb-watchdesk: comment 1 is already acknowledged\n"
    assert run(ws, "comments", "done", "1", "--note", "已办结")[0] == 0
    code, _, err = run(ws, "comments", "done", "1", "--note", "again", lang="en")
    assert code == 2 and err == "jb-watchdesk: comment 1 is already done\n"
    assert actions(ws) == [(1, "acknowledged"), (1, "done")]
