"""`alerts` for triage from a terminal: filters, the totals line, bulk acknowledgement and deferral.

The workspace is built through the real code paths: two accounts, each first polled three hours
ago (an old post on each: backlog), then a poll ten minutes ago that brings a fresh post and a
comment on account 1 (live). The scanner raises one alert per item and category.
"""

from __future__ import annotations

import asyncio
import functools
import io
import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.cli import main
from jb_watchdesk.cli.parser import MAX_ROW_ID
from jb_watchdesk.cli.watch import DEFERRALS
from jb_watchdesk.connectors.base import FetchedComment, FetchedPost
from jb_watchdesk.domain import rules
from jb_watchdesk.domain.alerts import AlertDraft
from jb_watchdesk.domain.models import AccountSpec, ItemKind, Platform
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.domain.workdays import DEFAULT_CALENDAR
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services.alerts import Deferral
from jb_watchdesk.services.scanner import ScanService, lexicon_locations
from jb_watchdesk.storage import ingest
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.alerts import record_alerts
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
FIRST_POLL = NOW - timedelta(hours=3)
LATER_POLL = NOW - timedelta(minutes=10)
ID_NUMBER = "11010519491231002X"
FRESH_BODY = f"绝密★ 联系人{ID_NUMBER}，手机13800138000"
DEADLINES = functools.partial(rules.comment_sla, calendar=DEFAULT_CALENDAR)


def run(ws: Path, *argv: str, lang: str = "zh") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--lang", lang, "--data-dir", str(ws), "--now", NOW.isoformat(), *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def alerts(ws: Path, *argv: str) -> list[dict[str, object]]:
    code, out, err = run(ws, "alerts", "--json", *argv)
    assert (code, err) == (0, "")
    return json.loads(out)


def ledger(ws: Path, kind: str) -> list[int]:
    """The alerts (ref ids) the duty record holds rows of ``kind`` for, in order."""
    with sqlite3.connect(Workspace(ws).database) as conn:
        return [ref_id for (ref_id,) in conn.execute("SELECT ref_id FROM ledger WHERE kind = ? ORDER BY seq", [kind])]


def _post(external_id: str, body: str, published: datetime) -> FetchedPost:
    return FetchedPost(external_id=external_id, title="", body=body, digest="", url="", published_at=published)


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    with Store(Workspace(root).database) as store:
        specs = [AccountSpec(name="江北发布", platform=Platform.WEIBO, source="1"),
                 AccountSpec(name="平安江北", platform=Platform.WEIBO, source="2")]
        store.call(apply_register, specs, now=NOW - timedelta(days=1))
        old = _post("old", f"绝密★ 经办人{ID_NUMBER}", NOW - timedelta(days=60))
        store.call(ingest.record_success, account_id=1, posts=[old], comments=[], now=FIRST_POLL)
        other = _post("a2", "国家秘密文件", FIRST_POLL - timedelta(hours=1))
        store.call(ingest.record_success, account_id=2, posts=[other], comments=[], now=FIRST_POLL)
        fresh = _post("new", FRESH_BODY, LATER_POLL - timedelta(minutes=5))
        comment = FetchedComment(external_id="c1", post_external_id="new", author="市民", text=f"我的身份证号{ID_NUMBER}",
                                 created_at=LATER_POLL - timedelta(minutes=1))
        store.call(ingest.record_success, account_id=1, posts=[fresh], comments=[comment], now=LATER_POLL, deadlines=DEADLINES)
        clock = type("C", (), {"now": lambda self: NOW})()
        with ScanService(store=store, clock=clock, locations=lexicon_locations(root)) as service:
            asyncio.run(service.scan_pending())
    return root


def _by_item(rows: list[dict[str, object]]) -> dict[tuple[object, object], list[dict[str, object]]]:
    grouped: dict[tuple[object, object], list[dict[str, object]]] = {}
    for row in rows:
        grouped.setdefault((row["item_kind"], row["item_id"]), []).append(row)
    return grouped


def _counts(ws: Path) -> dict[str, int]:
    with Store(Workspace(ws).database) as store:
        return ops.alert_counts(store, now=NOW).as_json()


# -- listing ----------------------------------------------------------------------------------


def test_backlog_and_live_split_the_list(ws: Path) -> None:
    every = alerts(ws)
    backlog, live = alerts(ws, "--backlog"), alerts(ws, "--live")
    assert len(every) == 6
    assert {row["backlog"] for row in backlog} == {True} and {row["backlog"] for row in live} == {False}
    assert sorted(row["id"] for row in backlog + live) == sorted(row["id"] for row in every)
    # the first poll's posts are backlog, the later poll's post and comment live
    assert {(row["item_kind"], row["item_id"]) for row in backlog} == {("post", 1), ("post", 2)}
    assert {(row["item_kind"], row["item_id"]) for row in live} == {("post", 3), ("comment", 1)}
    # newest first
    assert [row["raised_at"] for row in every] == sorted((row["raised_at"] for row in every), reverse=True)

    code, out, err = run(ws, "alerts", "--backlog", "--live")
    assert (code, out) == (2, "") and err.count("\n") == 1 and "--backlog" in err


def test_json_carries_publish_time_backlog_every_hit_and_escalation(ws: Path) -> None:
    post = _by_item(alerts(ws, "--live"))[("post", 3)]
    privacy = next(row for row in post if row["category"] == "privacy")
    assert privacy["published_at"] == (LATER_POLL - timedelta(minutes=5)).isoformat()
    assert privacy["seen_at"] == LATER_POLL.isoformat()
    assert (privacy["backlog"], privacy["escalated_at"], privacy["deferred_until"]) == (False, None, None)
    hits = {hit["rule"]: hit for hit in privacy["hits"]}  # type: ignore[union-attr]
    assert set(hits) == {"pii.id_card", "pii.mobile"}  # one alert for both numbers of the post
    identity = hits["pii.id_card"]
    assert (identity["start"], identity["end"]) == (FRESH_BODY.index(ID_NUMBER), FRESH_BODY.index(ID_NUMBER) + len(ID_NUMBER))
    assert identity["field"] == "body" and identity["reason"] and ID_NUMBER not in json.dumps(privacy, ensure_ascii=False)
    mobile = hits["pii.mobile"]
    assert FRESH_BODY[mobile["start"]:mobile["end"]] == "13800138000"
    old = _by_item(alerts(ws, "--backlog"))[("post", 1)]
    assert {row["published_at"] for row in old} == {(NOW - timedelta(days=60)).isoformat()}


def test_severity_account_and_rule_filters(ws: Path) -> None:
    assert {row["account_id"] for row in alerts(ws, "--account", "2")} == {2}
    assert len(alerts(ws, "--account", "1", "--account", "2")) == 6
    medium = alerts(ws, "--severity", "medium")
    assert medium and {row["severity"] for row in medium} == {"medium"}
    assert len(alerts(ws, "--severity", "medium", "--severity", "high")) == 6
    # a rule takes an alert whose shown hit is another rule's
    (mobile,) = alerts(ws, "--rule", "pii.mobile")
    assert (mobile["rule"], mobile["item_id"]) == ("pii.id_card", 3)
    assert alerts(ws, "--rule", "pii.mobile", "--backlog") == []


def test_the_table_ends_with_the_desks_totals(ws: Path) -> None:
    code, out, _ = run(ws, "alerts", "--live")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1 + 3 + 1  # header, three live alerts, totals
    assert "实时/存量" in lines[0] and "发布时间" in lines[0] and "命中" in lines[0]
    assert lines[-1] == "列出 3 条。待处理 6 条（高风险 5；实时 3，存量 3），其中暂缓 0、已上报 0；已确认 0，已解决 0；共 6 条"
    row = next(line for line in lines if "手机" in line)
    assert "江北发布" in row and " 2 " in row and "11-25 09:45" in row and "实时" in row and ID_NUMBER not in out

    code, out, _ = run(ws, "alerts", "--backlog", lang="en")
    assert out.splitlines()[-1] == (
        "listed 3. open 6 (high 5; live 3, backlog 3), of which deferred 0, escalated 0; acknowledged 0, resolved 0; 6 in all"
    )
    counts = _counts(ws)
    assert (counts["open"], counts["open_live"], counts["open_backlog"], counts["open_high"]) == (6, 3, 3, 5)

    code, out, _ = run(ws, "alerts", "--rule", "nothing.like.this", lang="en")
    assert (code, out.splitlines()[0]) == (0, "no alert matches")


# -- acting in bulk ---------------------------------------------------------------------------


def test_acknowledging_all_of_a_post_writes_one_ledger_row_per_alert(ws: Path) -> None:
    post = sorted(row["id"] for row in _by_item(alerts(ws))[("post", 3)])  # type: ignore[type-var]
    assert len(post) == 2 and ledger(ws, "alert_ack") == []

    code, out, err = run(ws, "alerts", "ack", "--post", "3", "--note", "已通知发布单位删除", "--officer", "张三", lang="en")
    assert (code, err) == (0, "")
    assert out == f"acknowledged 2 alerts (ids {post[0]}–{post[1]}) as 张三\n"
    assert ledger(ws, "alert_ack") == post
    handled = alerts(ws, "--state", "acknowledged")
    assert sorted(row["id"] for row in handled) == post  # type: ignore[type-var]
    assert {(row["ack_by"], row["ack_note"]) for row in handled} == {("张三", "已通知发布单位删除")}
    assert len(alerts(ws)) == 4  # the other items' alerts are untouched

    # again: nothing new is left on that post; nothing is written
    code, out, _ = run(ws, "alerts", "ack", "--post", "3", "--note", "again")
    assert (code, out) == (0, "没有符合条件的新告警，未作改动\n")
    assert ledger(ws, "alert_ack") == post
    assert run(ws, "log", "verify")[0] == 0


def test_acknowledging_by_comment_account_and_rule(ws: Path) -> None:
    code, out, _ = run(ws, "alerts", "ack", "--comment", "1", "--note", "已隐藏留言", "--officer", "张三")
    comment_alert = _by_item(alerts(ws, "--state", "acknowledged"))[("comment", 1)]
    assert code == 0 and out.startswith("已确认 1 条告警") and len(comment_alert) == 1

    code, out, _ = run(ws, "alerts", "ack", "--account", "2", "--note", "存量已核查", "--officer", "李四")
    assert code == 0 and {row["account_id"] for row in alerts(ws)} == {1}

    code, out, _ = run(ws, "alerts", "ack", "--rule", "secret.marking", "--note", "已核实为演示文本", "--officer", "李四")
    assert code == 0 and "2 条" in out
    assert {row["category"] for row in alerts(ws)} == {"privacy"}
    assert len(ledger(ws, "alert_ack")) == 6 - len(alerts(ws))


def test_deferring_a_post_an_alert_and_refusing_a_handled_one(ws: Path) -> None:
    post = sorted(row["id"] for row in _by_item(alerts(ws))[("post", 3)])  # type: ignore[type-var]
    code, out, err = run(ws, "alerts", "defer", "--post", "3", "--for", "1h", "--note", "已电话联系", "--officer", "张三", lang="en")
    assert (code, err) == (0, "")
    assert out == f"deferred 2 alerts until 11-25 11:00 (ids {post[0]}–{post[1]})\n"
    assert {row["deferred_until"] for row in alerts(ws, "--live") if row["id"] in post} == {(NOW + timedelta(hours=1)).isoformat()}
    assert ledger(ws, "alert_defer") == post
    assert _counts(ws)["deferred"] == 2 and _counts(ws)["open"] == 6  # deferred alerts are still open
    assert "其中暂缓 2" in run(ws, "alerts")[1] and "（暂缓至 11-25 11:00）" in run(ws, "alerts")[1]

    (comment,) = _by_item(alerts(ws))[("comment", 1)]
    code, out, _ = run(ws, "alerts", "defer", str(comment["id"]), "--for", "15m", "--officer", "张三")
    assert code == 0 and out == f"已暂缓 1 条告警至 11-25 10:15（编号 {comment['id']}）\n"
    assert ledger(ws, "alert_defer") == [*post, comment["id"]]

    run(ws, "alerts", "ack", str(comment["id"]), "--note", "已处理", "--officer", "张三")
    code, out, err = run(ws, "alerts", "defer", str(comment["id"]), "--for", "1h", lang="en")
    assert (code, out) == (2, "") and err == f"jb-watchdesk: alert {comment['id']} is acknowledged: only a new alert can be deferred\n"
    code, _, err = run(ws, "alerts", "defer", "--post", "3", "--for", "2h")
    assert code == 2 and err.count("\n") == 1 and "shift" in err


def test_the_deferral_choices_are_the_services(ws: Path) -> None:
    assert DEFERRALS == tuple(choice.value for choice in Deferral)


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["alerts", "ack", "--post", "3", "--account", "1", "--note", "x"],
        ["alerts", "ack", "1", "--rule", "secret.marking", "--note", "x"],
        ["alerts", "ack", "--note", "x"],
        ["alerts", "defer", "--comment", "1", "--post", "3", "--for", "1h"],
        ["alerts", "defer", "--for", "1h"],
        ["alerts", "ack", "--post", "3"],
    ],
    ids=["two selectors", "id and a rule", "no selector", "defer: two selectors", "defer: no selector", "no note"],
)
def test_usage_errors_are_one_line_and_change_nothing(ws: Path, argv: list[str]) -> None:
    code, out, err = run(ws, *argv)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert ledger(ws, "alert_ack") == ledger(ws, "alert_defer") == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["alerts", "ack", "--post", "3", "--note", "  "], "a note on what was done"),
        (["alerts", "ack", "--post", "99", "--note", "x"], "no post with id 99"),
        (["alerts", "ack", "--comment", "99", "--note", "x"], "no comment with id 99"),
        (["alerts", "defer", "--account", "9", "--for", "1h"], "no account"),
        (["alerts", "ack", "999", "--note", "x"], "no alert with id 999"),
        (["alerts", "defer", "999", "--for", "1h"], "no alert with id 999"),
    ],
)
def test_refusals_name_the_problem_and_exit_2(ws: Path, argv: list[str], message: str) -> None:
    code, out, err = run(ws, *argv, lang="en")
    assert (code, out) == (2, "") and err.count("\n") == 1 and message in err, err
    assert ledger(ws, "alert_ack") == ledger(ws, "alert_defer") == []


@pytest.mark.parametrize(
    "argv",
    [
        ["alerts", "ack", str(2**70), "--note", "x"],
        ["alerts", "ack", "--post", str(2**70), "--note", "x"],
        ["alerts", "defer", "--comment", str(MAX_ROW_ID + 1), "--for", "1h"],
        ["alerts", "ack", "--account", "0", "--note", "x"],
        ["alerts", "--account", "-3"],
        ["alerts", "ack", "twelve", "--note", "x"],
        ["lexicon", "allow", "示例", "--note", "x", "--alert", str(2**70)],
        ["handover", "export", "--shift", str(2**70), "--format", "csv", "-o", "x.csv"],
        ["inspect", str(2**70)],
        ["inspect", "1", "--corrects", str(2**70)],
        ["accounts", "set-secret", str(2**70), "app_secret"],
    ],
)
def test_ids_sqlite_cannot_hold_are_usage_errors_not_crashes(ws: Path, argv: list[str]) -> None:
    for lang in ("zh", "en"):
        code, out, err = run(ws, *argv, lang=lang)
        assert (code, out) == (2, "") and err.count("\n") == 1, err
        assert str(MAX_ROW_ID) in err and "internal" not in err and "内部" not in err


def test_the_largest_id_sqlite_holds_is_simply_not_found(ws: Path) -> None:
    code, _, err = run(ws, "alerts", "ack", str(MAX_ROW_ID), "--note", "x", lang="en")
    assert code == 2 and err == f"jb-watchdesk: no alert with id {MAX_ROW_ID}\n"


# -- both languages ---------------------------------------------------------------------------

HAN = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
TRIAGE = [
    ["alerts", "--state", "all", "--live"],
    ["alerts", "ack", "--post", "3", "--note", "NOTE", "--officer", "OFFICER"],
    ["alerts", "ack", "--post", "3", "--note", "NOTE", "--officer", "OFFICER"],
    ["alerts", "defer", "--account", "2", "--for", "shift", "--officer", "OFFICER"],
    ["alerts", "defer", "1", "--for", "15m", "--officer", "OFFICER"],
    ["alerts", "--backlog"],
    ["alerts", "--rule", "nothing.like.this"],
    ["alerts", "ack", "--post", "99", "--note", "NOTE"],
    ["alerts", "defer", "4", "--for", "1h"],
    ["alerts", "ack", str(2**70), "--note", "NOTE"],
]


def _shown(ws: Path, lang: str) -> str:
    shown = "".join(out + err for _, out, err in (run(ws, *argv, lang=lang) for argv in TRIAGE))
    for argv in TRIAGE:  # what the officer typed is theirs
        shown = shown.replace(" ".join(argv), " ")
    with Store(Workspace(ws).database) as store:
        data = [value for alert in ops.list_alerts(store) for value in (alert.text, alert.context, alert.reason)]
        data += [account.name for account in ops.list_accounts(store)]
    for value in sorted(filter(None, data), key=len, reverse=True):
        shown = shown.replace(value, " ")
    return shown


def test_english_triage_output_has_no_chinese(ws: Path) -> None:
    shown = _shown(ws, "en")
    assert "acknowledged 2 alerts" in shown and "deferred 1 alerts" in shown and "listed 3." in shown
    assert not HAN.findall(shown), shown


def test_chinese_triage_output_has_no_english_words(ws: Path) -> None:
    shown = _shown(ws, "zh")
    assert "已确认 2 条告警" in shown and "已暂缓 1 条告警" in shown and "列出 3 条" in shown
    words = set(re.findall(r"[A-Za-z]+", re.sub(r"jb-watchdesk( [a-z]+)*|--?[a-z]+|NOTE|OFFICER", " ", shown)))
    assert not words, shown


def test_a_long_list_is_never_cut_off_and_agrees_with_the_totals(ws: Path) -> None:
    drafts = [
        AlertDraft(account_id=1 + n % 2, item_kind=ItemKind.POST, item_id=1000 + n, category="secret", rule="secret.state",
                   severity=Severity.HIGH if n % 3 else Severity.MEDIUM, text="国家秘密", context="国家秘密", backlog=n % 4 == 0)
        for n in range(1_203)
    ]
    with Store(Workspace(ws).database) as store:
        store.call(record_alerts, drafts, now=NOW)
    counts = _counts(ws)
    rows = alerts(ws)
    assert len(rows) == counts["open"] == 6 + 1_203 and len({row["id"] for row in rows}) == len(rows)
    assert len(alerts(ws, "--backlog")) == counts["open_backlog"] and len(alerts(ws, "--live")) == counts["open_live"]
    code, out, _ = run(ws, "alerts", lang="en")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1 + len(rows) + 1
    assert lines[-1].startswith(f"listed {len(rows)}. open {counts['open']} (high {counts['open_high']}; "
                                f"live {counts['open_live']}, backlog {counts['open_backlog']})")
