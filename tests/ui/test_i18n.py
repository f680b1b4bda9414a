"""The English translation: complete for every UI string, compilable, and loaded only for ``en``."""

from __future__ import annotations

import importlib.util
import io
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from jb_watchdesk.ui import i18n

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "jb_watchdesk_en.ts"

KNOWN = [
    ("MainWindow", "值班总览", "Overview"),
    ("MainWindow", "留言队列", "Comments"),
    ("MainWindow", "告警", "Alerts"),
    ("MainWindow", "确认超时", "Ack overdue"),
    ("Labels", "否决", "Veto"),
    ("Labels", "预警", "Warning"),
    ("DashboardView", "否决", "Veto"),
    ("AlertPopup", "发现时间：", "Found: "),
]


def _load_tool() -> ModuleType:
    name = "jb_watchdesk_i18n_tool"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


def _lrelease() -> str:
    beside = Path(sys.executable).parent / "pyside6-lrelease"
    found = str(beside) if beside.exists() else shutil.which("pyside6-lrelease")
    if found is None:
        pytest.skip("pyside6-lrelease is not installed")
    return found


def _compile(ts: Path, qm: Path) -> Path:
    subprocess.run([_lrelease(), "-silent", str(ts), "-qm", str(qm)], check=True, capture_output=True, timeout=60)
    assert qm.exists()
    return qm


@pytest.fixture
def default_locale():  # noqa: ANN201 - a fixture
    saved = QLocale()
    yield
    QLocale.setDefault(saved)


def test_every_ui_string_has_a_finished_english_translation() -> None:
    out = io.StringIO()
    status = tool.run(check=True, out=out)
    assert status == 0, "run `python tools/i18n.py` and translate:\n" + out.getvalue()
    assert "warning:" not in out.getvalue(), out.getvalue()
    assert " 0 to translate" in out.getvalue()


def test_the_extractor_sees_helpers_direct_calls_and_tr(tmp_path: Path) -> None:
    (tmp_path / "view.py").write_text(
        "from PySide6.QtCore import QCoreApplication\n"
        "def _t(text):\n"
        "    return QCoreApplication.translate('Viewish', text)\n"
        "class Box:\n"
        "    def title(self):\n"
        "        return self.tr('盒子') + _t('保存') + _t(f'{1}')\n"
        "LABEL = QCoreApplication.translate('Direct', '退出')\n",
        encoding="utf-8",
    )
    problems: list[str] = []
    catalogue = tool.extract(tmp_path, problems)
    assert {context: [key[0] for key in messages] for context, messages in catalogue.items()} == {
        "Box": ["盒子"],
        "Viewish": ["保存"],
        "Direct": ["退出"],
    }
    assert len(problems) == 1 and "not a literal" in problems[0]


def test_refreshing_keeps_translations_and_flags_what_is_left(tmp_path: Path) -> None:
    source = tmp_path / "ui"
    source.mkdir()
    module = source / "dialog.py"
    helper = "from PySide6.QtCore import QCoreApplication\ndef _t(text):\n    return QCoreApplication.translate('Dlg', text)\n"
    module.write_text(helper + "A = _t('保存')\nB = _t('连接失败：')\n", encoding="utf-8")
    translations = tmp_path / "translations"
    out = io.StringIO()
    assert tool.run(check=False, languages=["en"], source_dir=source, translations_dir=translations, out=out) == 0
    ts = translations / "jb_watchdesk_en.ts"
    ts.write_text(
        ts.read_text(encoding="utf-8")
        .replace('<translation type="unfinished"></translation>', "<translation>Save</translation>", 1)
        .replace('<translation type="unfinished"></translation>', "<translation>Connection failed</translation>", 1),
        encoding="utf-8",
    )
    module.write_text(helper + "B = _t('连接失败：')\nC = _t('保存')\nD = _t('新的')\nE = _t('值班与巡查')\n", encoding="utf-8")
    catalogue, language = tool.read_ts(ts)
    catalogue["Dlg"][("值班与巡查", "")] = tool.Message(source="值班与巡查", translation="Duty & inspections", finished=True)
    ts.write_text(tool.render_ts(catalogue, language, ts), encoding="utf-8")
    out = io.StringIO()
    assert tool.run(check=True, languages=["en"], source_dir=source, translations_dir=translations, out=out) == 1
    report = out.getvalue()
    assert "'新的' is not translated" in report
    assert "should end with ':'" in report
    assert "keyboard shortcut" in report
    assert "'保存'" not in report
    tool.run(check=False, languages=["en"], source_dir=source, translations_dir=translations, out=io.StringIO())
    catalogue, language = tool.read_ts(ts)
    assert language == "en_US"
    assert catalogue["Dlg"][("保存", "")].translation == "Save"
    assert not catalogue["Dlg"][("新的", "")].finished


def test_compiled_translation_translates_known_strings(qapp: QCoreApplication, tmp_path: Path) -> None:
    qm = _compile(TS, tmp_path / "jb_watchdesk_en.qm")
    translator = QTranslator()
    assert translator.load(str(qm))
    for context, source, english in KNOWN:
        assert translator.translate(context, source) == english, (context, source)
    assert translator.translate("MainWindow", "不存在的字符串") == ""


def test_english_is_installed_from_the_compiled_file(
    qapp: QCoreApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_locale: None
) -> None:
    (tmp_path / "translations").mkdir()
    _compile(TS, tmp_path / "translations" / "jb_watchdesk_en.qm")
    monkeypatch.setattr(i18n, "resources_dir", lambda: tmp_path)
    translator = i18n.install_translator(qapp, "en")  # type: ignore[arg-type]
    assert translator is not None
    try:
        assert QCoreApplication.translate("MainWindow", "值班总览") == "Overview"
        assert QCoreApplication.translate("Tray", "新告警") == "New alerts"
    finally:
        QCoreApplication.removeTranslator(translator)
    assert QCoreApplication.translate("MainWindow", "值班总览") == "值班总览"


def test_chinese_installs_no_translator(
    qapp: QCoreApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default_locale: None
) -> None:
    (tmp_path / "translations").mkdir()
    _compile(TS, tmp_path / "translations" / "jb_watchdesk_en.qm")
    _compile(TS, tmp_path / "translations" / "jb_watchdesk_zh.qm")
    monkeypatch.setattr(i18n, "resources_dir", lambda: tmp_path)

    def no_translator(*args: object) -> None:
        raise AssertionError("no translator is needed for Chinese")

    monkeypatch.setattr(i18n, "QTranslator", no_translator)
    assert i18n.install_translator(qapp, "zh") is None  # type: ignore[arg-type]
    assert QCoreApplication.translate("MainWindow", "值班总览") == "值班总览"
    assert QLocale().language() == QLocale.Language.Chinese
