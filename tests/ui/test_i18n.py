"""One language layer: every text of the window comes from the message catalogue (or Qt's own
translations for what Qt draws), in the language chosen at start-up.

The catalogue holds each key in both languages with the same placeholders; the window in Chinese
shows no English word but proper names and format names, the window in English no Chinese but
data and proper names, and neither shows an internal code.
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import re
import string
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QLocale, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QSpinBox,
    QTabWidget,
    QWidget,
)

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.messages.cli import CLI
from jb_watchdesk.domain.messages.core import CORE
from jb_watchdesk.domain.messages.exports import EXPORTS
from jb_watchdesk.domain.messages.labels import LABELS
from jb_watchdesk.domain.messages.ui import UI
from jb_watchdesk.domain.models import Health
from jb_watchdesk.ui import i18n
from jb_watchdesk.ui.dialogs.allow_phrase import AllowPhraseDialog
from jb_watchdesk.ui.dialogs.note import NoteDialog
from jb_watchdesk.ui.i18n import localise_file_dialog
from jb_watchdesk.services.problems import error_text, health_text, problem_text
from jb_watchdesk.ui.main_window import MainWindow
from jb_watchdesk.ui.tray import Tray

ROOT = Path(__file__).resolve().parents[2]
UI_DIR = ROOT / "jb_watchdesk" / "ui"
PARTS = {"core": CORE, "labels": LABELS, "cli": CLI, "exports": EXPORTS, "ui": UI}

# Proper names, format and protocol names, and units an officer reads as they are.
ENGLISH_ALLOWED = {
    "RSS", "RSSHub", "WeWe", "JSON", "CSV", "XLSX", "xlsx", "csv", "json", "PDF", "pdf", "Excel", "URL", "ID", "IP",
    "HTTP", "HTTPS", "http", "https", "API", "SQLite", "WeCom", "AppID", "AppSecret", "uid", "open_id", "CA",
    "English", "JB", "WatchDesk", "Esc",  # a key's name, as printed on the keyboard
    "Drive",  # the type Qt's file system model gives the root folder: missing from Qt's own Chinese
}  # fmt: skip
# Chinese an English window may show: the language's own name and the platform consoles' menu names.
CHINESE_ALLOWED = {"简体中文", "设置与开发", "基本配置", "IP白名单"}
CODES = re.compile(
    r"\b(?:veto|warn|never_polled|overdue_ack|overdue_result|paid_service|auth_expired|not_a_feed|to_close|"
    r"[a-z]+_[a-z_]+|[a-z]+\.[a-z0-9_]{2,}(?:\.[a-z0-9_]+)*)\b"
)
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z_]*")
CHINESE_RUN = re.compile(r"[\u3400-\u9fff]+")
MNEMONIC = re.compile(r"\(&\w\)|&(?=\w)")
URL = re.compile(r"(?:https?|file)://\S+|(?<![\w/])/[\w./-]+|\b[\w.-]+\.(?:xlsx|csv|json|pdf|sqlite3)\b|\b\d+(?:\.\d+){3}(?::\d+)?\b")
SAMPLE_ROWS = 200

# What the poller stores for accounts in every health state (``code: reason``, the English for the log).
HEALTH_REASONS = {
    Health.OK: "",
    Health.NEVER_POLLED: "",
    Health.DEGRADED: "wechat.45009.comments: comments of 3 recent post(s) were not read: quota (next try 10:30)",
    Health.AUTH_EXPIRED: "weibo.21327: the Weibo access token has expired (expired_token): re-authorise the app for this "
    "account on open.weibo.com and store the new token with `accounts set-secret`",
    Health.FAILING: "rss.not_a_feed: the source returned an HTML page instead of a feed; [Errno 2] No such file",
}


# --- the catalogue --------------------------------------------------------------------------------


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("part", PARTS, ids=str)
def test_every_key_is_in_both_languages_with_the_same_placeholders(part: str) -> None:
    problems = []
    for key, value in PARTS[part].items():
        if not (isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) and v.strip() for v in value)):
            problems.append(f"{key}: not a (zh, en) pair of texts: {value!r}")
            continue
        zh, en = value
        if _fields(zh) != _fields(en):
            problems.append(f"{key}: placeholders differ: {sorted(_fields(zh))} / {sorted(_fields(en))}")
    assert not problems, "\n".join(problems)


def test_window_texts_are_named_by_area() -> None:
    assert UI, "the window's texts live in domain/messages/ui.py"
    bad = [key for key in UI if not re.fullmatch(r"ui\.[a-z_]+\.[a-z0-9_.]+", key)]
    assert not bad


def _keys_used(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in ("t", "template", "text") and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value


def test_every_key_the_window_uses_exists() -> None:
    missing = [
        f"{path.relative_to(ROOT)}:{line}: {key}"
        for path in sorted(UI_DIR.rglob("*.py"))
        for line, key in _keys_used(path)
        if key not in messages.CATALOGUE
    ]
    assert not missing, "\n".join(missing)


def test_no_window_module_uses_qt_translation() -> None:
    left = []
    for path in sorted(UI_DIR.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if ".translate(" in source or ("QTranslator" in source and path.name != "i18n.py"):
            left.append(path.relative_to(ROOT).as_posix())
    assert not left
    assert not list((ROOT / "resources" / "translations").glob("*.ts"))


# --- what the window says about accounts ------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh", "en"])
def test_health_reasons_are_sentences_with_what_to_do_in_the_window(language: str) -> None:
    messages.set_language(language)
    auth = problem_text("weibo.21327", platform="weibo")
    assert auth == messages.text("ui.health.kind.auth_expired")
    assert ("账号管理" if language == "zh" else "Accounts") in auth
    for code in ("weibo.21327", "rss.not_a_feed", "wechat.45009.comments", "douyin.no_refresh_token", "wechat.http503",
                 "rss.timeout", "rss.tls", "internal.store", "weibo.10004", "douyin.99999", "rss.http404"):  # fmt: skip
        said = problem_text(code, platform="weibo")
        assert code not in said and "set-secret" not in said and "Errno" not in said, said
        assert ": " not in said.split("HTTP")[0] or language == "en", said


def test_an_unreadable_file_is_described_not_quoted() -> None:
    from jb_watchdesk.domain.errors import InputError

    try:
        try:
            open("/nonexistent/ca.pem", "rb")  # noqa: SIM115 - provoking the real OSError
        except OSError as cause:
            raise InputError("file.unreadable", path="/nonexistent/ca.pem", detail=str(cause)) from cause
    except InputError as error:
        said = error_text(error)
    assert "Errno" not in said and "/nonexistent/ca.pem" in said
    assert messages.text("ui.error.os.not_found") in said


# --- the window, walked -----------------------------------------------------------------------------


def _model_texts(model: QAbstractItemModel) -> Iterator[str]:
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount()
    for column in range(columns):
        yield str(model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
    rows = model.rowCount()
    step = max(1, rows // SAMPLE_ROWS)
    for row in range(0, rows, step):
        for column in range(columns):
            index = model.index(row, column, QModelIndex())
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if isinstance(value, str):
                    yield value


def _widget_texts(widget: QWidget) -> Iterator[str]:
    yield widget.windowTitle()
    yield widget.toolTip()
    if isinstance(widget, QLabel):
        yield widget.text()
    elif isinstance(widget, QAbstractButton):
        yield widget.text()
    elif isinstance(widget, QLineEdit):
        yield widget.placeholderText()
    elif isinstance(widget, QPlainTextEdit):
        yield widget.placeholderText()
    elif isinstance(widget, QComboBox):
        yield from (widget.itemText(i) for i in range(widget.count()))
    elif isinstance(widget, QGroupBox):
        yield widget.title()
    elif isinstance(widget, QTabWidget):
        yield from (widget.tabText(i) for i in range(widget.count()))
    elif isinstance(widget, QSpinBox):
        yield widget.suffix()
        yield widget.prefix()
    elif isinstance(widget, QAbstractSpinBox):
        yield widget.specialValueText()
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        yield from _model_texts(widget.model())
    for action in widget.actions():
        yield action.text()
        yield action.toolTip() if action.toolTip() != action.text().replace("&", "") else ""
    if isinstance(widget, QMainWindow):
        yield widget.statusBar().currentMessage()


def texts_of(*tops: QWidget) -> list[str]:
    found: list[str] = []
    for top in tops:
        for widget in [top, *top.findChildren(QWidget)]:
            found.extend(text for text in _widget_texts(widget) if text and text.strip())
    return found


def _strip_tooltip_markup(text: str) -> str:
    return re.sub(r"<[^>]+>", " ", text).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def problems_in(texts: Iterable[str], *, language: str, data: str) -> list[str]:
    """Words of the wrong language and internal codes, ignoring data values (names, posts, comments)."""
    problems = set()
    for raw in texts:
        text = URL.sub(" ", MNEMONIC.sub("", _strip_tooltip_markup(raw)))
        for code in CODES.findall(text):
            if code not in data and code not in ENGLISH_ALLOWED:
                problems.add(f"internal code {code!r} in {raw!r}")
        if language == "zh":
            for word in ENGLISH_WORD.findall(text):
                if word not in ENGLISH_ALLOWED and word not in data:
                    problems.add(f"English {word!r} in {raw!r}")
        else:
            for run in CHINESE_RUN.findall(text):
                if run not in data and not any(run in allowed for allowed in CHINESE_ALLOWED):
                    problems.add(f"Chinese {run!r} in {raw!r}")
    return sorted(problems)


async def _data(window: MainWindow) -> str:
    """Every text value the workspace holds (what an officer typed or a platform served)."""

    def read(db) -> str:  # type: ignore[no-untyped-def]
        values: list[str] = []
        for table in db.table_names():
            columns = [c.name for c in db[table].columns if c.type.upper() == "TEXT"]
            for row in db.execute(f"SELECT {', '.join(columns) or 'NULL'} FROM [{table}] LIMIT 5000").fetchall() if columns else ():  # noqa: S608
                values.extend(v for v in row if isinstance(v, str))
        return "\n".join(values)

    return await window.controller.app.store.run(read)


def _every_health_state(window: MainWindow) -> None:
    rows = list(window.dashboard.model._rows)
    assert len(rows) >= len(HEALTH_REASONS)
    changed = []
    for row, (health, reason) in zip(rows, HEALTH_REASONS.items(), strict=False):
        account = dataclasses.replace(row.account, health=health, health_reason=reason or None)
        changed.append(dataclasses.replace(row, account=account))
    window.show_status(changed + rows[len(changed) :])


@pytest.fixture(params=["zh", "en"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    saved = QLocale()
    i18n.install_language(qapp, request.param)  # type: ignore[arg-type]
    yield request.param
    i18n.remove_language(qapp)  # type: ignore[arg-type]
    QLocale.setDefault(saved)


def test_the_window_speaks_one_language(run_desk, until, language: str) -> None:  # type: ignore[no-untyped-def]
    """Each tab, the settings dialog, the alert pop-up, the note and allow-phrase dialogs and the
    tray (the file dialog: below), on the simulated district with accounts in every health state."""
    seen: dict[str, list[str]] = {}

    async def scenario(window: MainWindow) -> None:
        await until(lambda: window.dashboard.model.rowCount() >= 5 and window.alerts.model.rowCount() > 0)
        await until(lambda: window.comments.model.rowCount() > 0)
        _every_health_state(window)
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            await asyncio.sleep(0.3)  # the duty panel reloads when it comes into view
            seen[f"tab {window.tabs.tabText(index)}"] = texts_of(window)
        window.accounts.list.setCurrentRow(0)
        seen["accounts form"] = texts_of(window.accounts)
        alert = window.alerts.model.row_at(0)
        window.alerts.table.selectRow(0)
        seen["alerts pane"] = texts_of(window.alerts)
        popup = window.pop_up([alert])
        seen["alert pop-up"] = texts_of(popup)
        window.open_settings()
        seen["dialogs"] = texts_of(*window._dialogs)
        tray = Tray()
        tray.set_state(level="warn", new_alerts=1, overdue=2, failing=3)
        seen["tray"] = [tray.toolTip(), *(a.text() for a in tray.contextMenu().actions())]
        tray.deleteLater()
        note = NoteDialog(title=messages.text("ui.alerts.acknowledge_title"), prompt=messages.text("ui.alerts.acknowledge_prompt"),
                          subject=alert.context, parent=window)  # fmt: skip
        allow = AllowPhraseDialog(alert, parent=window)
        seen["note and allow dialogs"] = texts_of(note, allow)
        seen["health"] = [health_text(row.account) for row in window.dashboard.model._rows[: len(HEALTH_REASONS)]]
        data = await _data(window)
        for dialog in (note, allow, *window._dialogs):
            dialog.close()
        popup.hide()
        seen["__data__"] = [data]

    run_desk(scenario)
    data = seen.pop("__data__")[0]
    problems = [f"{where}: {problem}" for where, texts in seen.items() for problem in problems_in(texts, language=language, data=data)]
    assert not problems, "\n".join(problems)
    buttons = " ".join(seen["dialogs"] + seen["note and allow dialogs"])
    standard = ("保存", "取消", "确定") if language == "zh" else ("Save", "Cancel", "OK")
    assert all(word in buttons for word in standard), buttons


def test_standard_buttons_read_in_chinese(qapp: QApplication) -> None:
    saved = QLocale()
    i18n.install_language(qapp, "zh")
    try:
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Close
            | QDialogButtonBox.StandardButton.Yes
            | QDialogButtonBox.StandardButton.No
        )
        shown = sorted(button.text().replace("&", "") for button in box.buttons())
        assert shown == sorted(["确定", "取消", "保存", "关闭", "是(Y)", "否(N)"])
        dialog = QFileDialog(None, "选择文件")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        localise_file_dialog(dialog)
        folders = f"{Path.home()}\n{Path.cwd()}"  # the folders it lists are data
        assert not problems_in(texts_of(dialog), language="zh", data=folders)
        dialog.deleteLater()
    finally:
        i18n.remove_language(qapp)
        QLocale.setDefault(saved)
