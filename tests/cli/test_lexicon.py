"""`lexicon allow`, `lexicon check`, doctor's lexicon check and the headless warning, as a script sees them."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jb_watchdesk.app import App, Clock, running_watch
from jb_watchdesk.cli import main
from jb_watchdesk.connectors.base import FetchedPost
from jb_watchdesk.domain.models import AccountSpec, Platform
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services.scanner import ScanService, lexicon_locations
from jb_watchdesk.storage import ingest
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
OFFICE = "term,category,severity,rule,note\n江北特供,advertising,high,ad.local,\n"
UNDECODABLE = b"\x81\x20\xff\xfe\n"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """An empty workspace (no accounts yet): commands refuse a folder that holds none."""
    root = tmp_path / "ws"
    with Store(Workspace(root).database):
        pass
    return root


def _lexicon_file(ws: Path, name: str, data: bytes) -> Path:
    folder = ws / "lexicon"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


class _Clock:
    def now(self) -> datetime:
        return NOW


def _scan_posts(ws: Path, *bodies: str) -> None:
    with Store(Workspace(ws).database) as store:
        if not store.call(lambda db: db.execute("SELECT COUNT(*) FROM accounts").fetchone()[0]):
            store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.WEIBO, source="1")], now=NOW)
        count = store.call(lambda db: db.execute("SELECT COUNT(*) FROM posts").fetchone()[0])
        posts = [
            FetchedPost(external_id=f"p{count + n}", title="通知", body=body, digest="", url="", published_at=NOW)
            for n, body in enumerate(bodies)
        ]
        store.call(ingest.record_success, account_id=1, posts=posts, comments=[], now=NOW)
        with ScanService(store=store, clock=_Clock(), locations=lexicon_locations(ws)) as service:
            asyncio.run(service.scan_pending())


def _alerts(ws: Path) -> dict[str, dict]:
    code, out, _ = run("--data-dir", str(ws), "alerts", "--json", "--state", "all")
    assert code == 0
    return {alert["rule"]: alert for alert in json.loads(out)}


# -- lexicon check ------------------------------------------------------------------------------


def test_check_of_a_sound_lexicon_exits_0(ws: Path) -> None:
    _lexicon_file(ws, "office.csv", OFFICE.encode("gb18030"))
    code, out, err = run("--lang", "en", "--data-dir", str(ws), "lexicon", "check")
    assert (code, err) == (0, "")
    assert out.startswith("lexicon loaded: ") and "allow phrases" in out
    code, out, _ = run("--data-dir", str(ws), "lexicon", "check")
    assert code == 0 and out.startswith("词库已载入：")


def test_check_names_an_unreadable_file_and_skipped_lines(ws: Path) -> None:
    bad = _lexicon_file(ws, "office.csv", UNDECODABLE)
    typo = _lexicon_file(ws, "typos.csv", "市,secret,high\n代写论文,paid_service,urgent\n".encode())
    code, out, _ = run("--lang", "en", "--data-dir", str(ws), "lexicon", "check")
    assert code == 1
    lines = out.splitlines()
    assert f"{bad}:0: cannot read the file: line 1 is not Chinese text in UTF-8 or GB18030" in lines[0]
    assert "save the file as UTF-8" in lines[0]
    assert lines[1].startswith(f"{typo}:1: term '市' is a single character")
    assert lines[2].startswith(f"{typo}:2: unknown severity 'urgent'")
    assert lines[3].startswith("1 lexicon file(s) cannot be read") and lines[3].endswith("; 2 more line(s) skipped")
    assert "UTF-8 or GB18030" in lines[4]
    code, out, _ = run("--data-dir", str(ws), "lexicon", "check")
    assert code == 1 and "无法读取" in out and "另存为 UTF-8 或 GB18030" in out


def test_check_of_given_files(ws: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text("市,secret,high\n", encoding="utf-8")
    code, out, _ = run("--lang", "en", "--data-dir", str(ws), "lexicon", "check", str(mine))
    assert code == 1 and out.startswith(f"{mine}:1:") and "1 lexicon line(s) skipped in 1 file(s)" in out
    assert run("--data-dir", str(ws), "lexicon", "check", str(tmp_path / "missing.csv"))[0] == 2


def test_scan_finds_the_terms_of_a_gb18030_lexicon(ws: Path, tmp_path: Path) -> None:
    _lexicon_file(ws, "office.csv", OFFICE.encode("gb18030"))
    draft = tmp_path / "draft.txt"
    draft.write_text("本店江北特供好茶", encoding="utf-8")
    code, out, err = run("--data-dir", str(ws), "scan", "--json", str(draft))
    assert (code, err) == (1, "")
    assert [hit["rule"] for hit in json.loads(out)] == ["ad.local"]


# -- doctor -------------------------------------------------------------------------------------


def _doctor_lexicon(ws: Path, *lang: str) -> tuple[int, dict]:
    code, out, _ = run(*lang, "--data-dir", str(ws), "doctor", "--json")
    checks = {check["check"]: check for check in json.loads(out)}
    return code, checks["lexicon"]


def test_doctor_reports_the_lexicon(ws: Path) -> None:
    code, check = _doctor_lexicon(ws, "--lang", "en")
    assert check["level"] == "ok" and check["detail"].startswith("lexicon loaded: ") and check["advice"] == ""
    _lexicon_file(ws, "typos.csv", "市,secret,high\n".encode())
    _, check = _doctor_lexicon(ws, "--lang", "en")
    assert check["level"] == "warn" and "typos.csv:1: term '市'" in check["detail"] and "lexicon check" in check["advice"]
    _lexicon_file(ws, "office.csv", UNDECODABLE)
    code, check = _doctor_lexicon(ws)
    assert code == 1 and check["level"] == "fail"
    assert "office.csv" in check["detail"] and "无法读取" in check["detail"] and "GB18030" in check["advice"]
    code, out, _ = run("--data-dir", str(ws), "doctor")
    assert "[失败] 敏感词库：" in out


# -- lexicon allow ------------------------------------------------------------------------------


def test_allow_writes_the_phrase_records_it_and_the_record_stays_intact(ws: Path) -> None:
    code, out, err = run(
        "--lang", "en", "--now", "2026-11-25T10:00", "--data-dir", str(ws),
        "lexicon", "allow", "江北特供茶叶展销会", "--note", "展会名称", "--officer", "张三",
    )
    allow_file = ws / "lexicon" / "allow.csv"
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"added the allow phrase 江北特供茶叶展销会 to {allow_file}"
    assert "江北特供茶叶展销会,allow,,,展会名称（张三 2026-11-25）" in allow_file.read_text(encoding="utf-8-sig")
    with Store(Workspace(ws).database) as store:
        rows = store.call(lambda db: list(db.query("SELECT kind, payload FROM ledger")))
    assert [row["kind"] for row in rows] == ["lexicon_allow"]
    assert json.loads(rows[0]["payload"])["phrase"] == "江北特供茶叶展销会"
    assert run("--data-dir", str(ws), "log", "verify")[0] == 0
    code, out, _ = run("--data-dir", str(ws), "lexicon", "allow", "江北特供茶叶展销会", "--officer", "李四")
    assert code == 0 and "已在白名单中" in out


@pytest.mark.parametrize("phrase", ["市", "江北\x1b[31m特供"])
def test_a_bad_phrase_is_refused_and_nothing_is_written(ws: Path, phrase: str) -> None:
    code, out, err = run("--data-dir", str(ws), "lexicon", "allow", phrase, "--officer", "张三")
    assert code == 2 and out == "" and err.startswith("jb-watchdesk: ")
    assert not (ws / "lexicon").exists()


def test_allow_with_an_alert_acknowledges_it_and_later_scans_honour_the_phrase(ws: Path) -> None:
    _lexicon_file(ws, "office.csv", OFFICE.encode("gb18030"))
    _scan_posts(ws, "江北特供茶叶展销会今日开幕", "经办人11010519491231002X")
    alerts = _alerts(ws)
    hit, identity = alerts["ad.local"], alerts["pii.id_card"]

    code, _, err = run(
        "--lang", "en", "--data-dir", str(ws), "lexicon", "allow", "茶叶展销会", "--alert", str(hit["id"]), "--officer", "张三"
    )
    assert code == 2 and "must contain the matched text" in err
    code, _, err = run(
        "--lang", "en", "--data-dir", str(ws), "lexicon", "allow", "经办人110105", "--alert", str(identity["id"]), "--officer", "张三"
    )
    assert code == 2 and "personal data cannot be allowed by phrase" in err
    assert not (ws / "lexicon" / "allow.csv").exists()

    code, out, err = run("--data-dir", str(ws), "lexicon", "allow", "江北特供茶叶展销会", "--alert", str(hit["id"]), "--officer", "张三")
    assert (code, err) == (0, "")
    assert f"已确认告警 {hit['id']}（张三）" in out
    acked = _alerts(ws)["ad.local"]
    assert (acked["state"], acked["ack_by"], acked["ack_note"]) == ("acknowledged", "张三", "加入白名单：江北特供茶叶展销会")
    assert run("--data-dir", str(ws), "log", "verify")[0] == 0
    code, _, err = run("--data-dir", str(ws), "lexicon", "allow", "江北特供茶叶展销会", "--alert", str(hit["id"]), "--officer", "张三")
    assert code == 2 and "只有新告警可以确认" in err

    _scan_posts(ws, "江北特供茶叶展销会明日闭幕", "本店江北特供好茶")
    with Store(Workspace(ws).database) as store:
        raised = store.call(lambda db: [r["item_id"] for r in db.query("SELECT item_id FROM alerts WHERE rule = 'ad.local'")])
    assert raised == [1, 4]  # the allowed phrase raised nothing; the term elsewhere still does


# -- the duty loop: reload on change, one line on stderr -------------------------------------------


def test_the_duty_loop_reloads_a_changed_lexicon(ws: Path) -> None:
    async def scenario() -> list:
        with App(workspace=Workspace(ws), clock=Clock(NOW)) as app:
            async with running_watch(app) as duty:
                first = await duty.lexicon_if_changed()
                unchanged = await duty.lexicon_if_changed()
                _lexicon_file(ws, "typos.csv", "市,secret,high\n".encode())
                changed = await duty.lexicon_if_changed()
                return [first, unchanged, changed]

    first, unchanged, changed = asyncio.run(scenario())
    assert first is not None and first.problems == () and first.terms > 100
    assert unchanged is None
    assert changed is not None and [p.key for p in changed.problems] == ["single_char"]


def test_poll_says_on_stderr_when_the_lexicon_has_problems(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _lexicon_file(ws, "office.csv", UNDECODABLE)
    code, out, _ = run("--data-dir", str(ws), "poll", "--once")
    assert code == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("jb-watchdesk: ")]
    assert len(lines) == 1 and "个词库文件无法读取" in lines[0] and "office.csv" in lines[0]


def test_the_duty_loop_hands_its_first_lexicon_load_to_whoever_shows_it(ws: Path) -> None:
    _lexicon_file(ws, "typos.csv", "市,secret,high\n".encode())

    async def scenario() -> list:
        cycles: list = []

        async def shown(cycle) -> None:  # type: ignore[no-untyped-def]
            cycles.append(cycle)

        stop = asyncio.Event()
        stop.set()
        with App(workspace=Workspace(ws), clock=Clock(NOW)) as app:
            async with running_watch(app) as duty:
                await duty.run(stop, on_cycle=shown)
        return cycles

    (cycle,) = asyncio.run(scenario())
    assert cycle.poll.run_id is None and cycle.lexicon is not None
    assert [p.key for p in cycle.lexicon.problems] == ["single_char"]


def test_an_allow_phrase_that_would_be_a_comment_line_is_refused(tmp_path: Path) -> None:
    from jb_watchdesk.domain.errors import InputError
    from jb_watchdesk.services.lexicon_files import add_allow_phrase

    with pytest.raises(InputError) as refused:
        add_allow_phrase(tmp_path, "#兼职刷单", note="", officer="张三", now=datetime(2026, 11, 30, tzinfo=UTC))
    assert refused.value.key == "lexicon.phrase_comment"
    assert not (tmp_path / "lexicon" / "allow.csv").exists()
