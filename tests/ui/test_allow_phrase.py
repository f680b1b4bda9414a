"""Allow phrases from the window, why a hit was raised, and the lexicon warning line (offscreen)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import Qt

from jb_watchdesk.domain.alerts import Alert
from jb_watchdesk.domain.models import AlertState, ItemKind
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.domain.sensitive.lexicon import Category, Severity
from jb_watchdesk.domain.sensitive.reasons import Why
from jb_watchdesk.services.lexicon_files import LexiconReport, check_lexicon
from jb_watchdesk.ui.dialogs.alert_popup import AlertPopup
from jb_watchdesk.ui.dialogs.allow_phrase import AllowPhraseDialog
from jb_watchdesk.ui.main_window import LexiconWarning, MainWindow
from jb_watchdesk.ui.views.alerts import AlertsView

SIM_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # the simulated_desk fixture's instant


HOSTILE = '<img src="file:///etc/passwd"><b>粗体</b>'
LEXICON_CATEGORIES = {category.value for category in Category}


def _alert(**changes: object) -> Alert:
    alert = Alert(
        id=7, account_id=1, item_kind=ItemKind.POST, item_id=1, category="advertising", severity=Severity.HIGH,
        rule="ad.local", text="江北特供", context="本届江北特供茶叶展销会今日开幕", item_field="body",
        span_start=2, span_end=6, span_start_utf16=2, span_end_utf16=6, confidence=1.0, masked=False, occurrences=1,
        raised_at=SIM_NOW, state=AlertState.NEW, ack_by=None, ack_note=None, ack_at=None, resolved_at=None,
        resolved_by=None, resolve_reason=None, last_notified_at=None, notify_count=0,
        why=(Why("context.warning", "警惕"),),
    )  # fmt: skip
    return replace(alert, **changes)  # type: ignore[arg-type]


MASKED = dict(id=8, category="privacy", rule="pii.id_card", text="110105********002X", masked=True, why=())


# -- widgets on their own ------------------------------------------------------------------------


def test_the_alerts_view_offers_an_allow_phrase_except_for_personal_data(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = AlertsView()
    qtbot.addWidget(view)
    view.set_rows([_alert(), _alert(**MASKED)], {1: "江北发布"})
    assert view.select(8)
    assert not view.allow_button.isEnabled() and view.ack_button.isEnabled()
    assert "个人信息" in view.allow_button.toolTip()
    assert view.select(7)
    assert view.allow_button.isEnabled()
    requested: list[tuple[int, str, str]] = []
    view.allowRequested.connect(lambda *args: requested.append(args))
    view.allow_button.click()
    dialog = view._dialog  # noqa: SLF001 - the dialog the button opened
    assert isinstance(dialog, AllowPhraseDialog) and dialog.isVisible()
    assert dialog.phrase.text() == "江北特供" and dialog.ok.isEnabled()
    dialog.phrase.setText("江北特供茶叶展销会")
    dialog.note.setText("展会名称")
    dialog.ok.click()
    assert requested == [(7, "江北特供茶叶展销会", "展会名称")]
    handled = _alert(state=AlertState.ACKNOWLEDGED, ack_by="张三", ack_note="x")
    view.set_rows([handled], {})
    assert view.select(7) and not view.allow_button.isEnabled()


def test_the_phrase_must_keep_the_hit_and_two_characters(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = AllowPhraseDialog(_alert(text="國家級"))
    qtbot.addWidget(dialog)
    for phrase, ok in [("国家级非遗", True), ("國家級非遺", True), ("国家", False), ("x", False), ("  ", False)]:
        dialog.phrase.setText(phrase)
        assert dialog.ok.isEnabled() is ok, phrase
    dialog.phrase.setText("国家")
    assert "命中内容" in dialog.problem.text() and dialog.problem.textFormat() == Qt.TextFormat.PlainText


def test_why_is_shown_as_plain_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    alert = _alert(why=(Why("context.warning", HOSTILE),))
    view = AlertsView()
    qtbot.addWidget(view)
    view.set_rows([alert], {})
    assert view.select(7)
    assert view.reason.textFormat() == Qt.TextFormat.PlainText
    assert view.reason.text() == f"判定依据: 降级：处于警示语境（{HOSTILE}）" and not view.reason.isHidden()
    popup = AlertPopup()
    qtbot.addWidget(popup)
    popup.add(alert, account_name="江北发布")
    assert popup.reason.textFormat() == Qt.TextFormat.PlainText
    assert popup.reason.text() == f"判定依据：降级：处于警示语境（{HOSTILE}）"
    plain = _alert(why=())
    view.set_rows([plain], {})
    assert view.select(7) and view.reason.isHidden()


def test_the_pop_up_allows_a_phrase_and_moves_on(qtbot) -> None:  # type: ignore[no-untyped-def]
    popup = AlertPopup()
    qtbot.addWidget(popup)
    popup.add_many([(_alert(**MASKED), "江北发布"), (_alert(), "江北发布")])
    assert popup.current is not None and popup.current.id == 8
    assert not popup.allow_button.isEnabled() and "个人信息" in popup.allow_button.toolTip()
    popup.drop(8)
    assert popup.allow_button.isEnabled()
    requested: list[tuple[int, str, str]] = []
    popup.allowRequested.connect(lambda *args: requested.append(args))
    popup.allow_button.click()
    dialog = popup._dialog  # noqa: SLF001 - the dialog the button opened
    assert dialog is not None
    dialog.phrase.setText("江北特供茶叶")
    dialog.ok.click()
    assert requested == [(7, "江北特供茶叶", "")]
    assert popup.current is None
    popup.close()


def test_the_lexicon_warning_line_says_what_was_left_out(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "office.csv").write_bytes(b"\x81\x20\xff")
    (tmp_path / "typos.csv").write_text(f"{HOSTILE},secret,high\n市,secret,high\n", encoding="utf-8")
    warning = LexiconWarning()
    qtbot.addWidget(warning)
    warning.show_report(check_lexicon([tmp_path]))
    assert not warning.isHidden() and warning.text.textFormat() == Qt.TextFormat.PlainText
    assert "1 个词库文件无法读取" in warning.text.text() and "office.csv" in warning.text.text()
    assert "<img" not in warning.toolTip() and "typos.csv:2" in warning.toolTip()
    warning.show_report(LexiconReport(terms=3, allow=1))
    assert warning.isHidden()


# -- the whole desk ------------------------------------------------------------------------------






def test_an_officer_allows_a_phrase_from_the_alerts_view(simulated_desk, run_desk, until) -> None:  # type: ignore[no-untyped-def]
    allow_file = simulated_desk.root / "lexicon" / "allow.csv"

    async def scenario(window: MainWindow) -> None:
        view = window.alerts

        def candidate() -> int | None:
            for row in range(view.model.rowCount()):
                alert = view.model.row_at(row)
                if alert.state is AlertState.NEW and not alert.masked and alert.category in LEXICON_CATEGORIES and len(alert.text) >= 2:
                    return alert.id
            return None

        await until(lambda: candidate() is not None)
        alert_id = candidate()
        assert alert_id is not None and view.select(alert_id)
        alert = view.current()
        assert alert is not None and view.allow_button.isEnabled()
        allow_before = window.controller.lexicon.allow if window.controller.lexicon else 0
        view.allow_button.click()
        dialog = view._dialog  # noqa: SLF001 - the dialog the button opened
        assert isinstance(dialog, AllowPhraseDialog) and dialog.phrase.text() == alert.text
        dialog.note.setText("本单位核实为正常用语")
        dialog.ok.click()

        async def acknowledged() -> bool:
            rows = await column(window, "SELECT state, ack_by, ack_note FROM alerts WHERE id = ?", alert_id)
            return rows[0]["state"] == "acknowledged"

        await until(acknowledged, timeout=15)
        (row,) = await column(window, "SELECT ack_by, ack_note FROM alerts WHERE id = ?", alert_id)
        assert row["ack_by"] == "值班员甲" and row["ack_note"] == f"加入白名单：{alert.text}；本单位核实为正常用语"
        kinds = [r["kind"] for r in await column(window, "SELECT kind FROM ledger WHERE kind IN ('lexicon_allow', 'alert_ack')")]
        assert "lexicon_allow" in kinds and "alert_ack" in kinds
        assert f"{alert.text},allow,," in allow_file.read_text(encoding="utf-8-sig")
        await until(lambda: window.controller.lexicon is not None and window.controller.lexicon.allow == allow_before + 1)
        await until(lambda: "已加入白名单" in window.statusBar().currentMessage())
        assert window.lexicon_warning.isHidden()
        # the lexicon the scanner now uses cancels the hit
        duty = window.controller.watch
        assert duty is not None
        assert not [hit for hit in duty.scanner.scanner.scan(f"今日{alert.text}") if hit.rule == alert.rule]

    run_desk(scenario)


def test_a_lexicon_with_problems_shows_a_warning_line(simulated_desk, run_desk, until) -> None:  # type: ignore[no-untyped-def]
    folder = simulated_desk.root / "lexicon"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "office.csv").write_bytes(b"\x81\x20\xff")

    async def scenario(window: MainWindow) -> None:
        await until(lambda: not window.lexicon_warning.isHidden())
        text = window.lexicon_warning.text.text()
        assert "office.csv" in text and "无法读取" in text and "GB18030" in text
        # fixed on disk: the next poll reloads it and the line goes away
        (folder / "office.csv").write_text("江北特供,advertising,high,ad.local\n", encoding="utf-8")
        await window.controller.poll_now()
        await until(lambda: window.lexicon_warning.isHidden())

    run_desk(scenario)


async def column(window: MainWindow, sql: str, *params: object) -> list[dict]:
    return await window.controller.app.store.run(lambda db: list(db.query(sql, list(params))))
