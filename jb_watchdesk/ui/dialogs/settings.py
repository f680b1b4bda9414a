"""Settings: poll intervals, concurrency, proxy, notifications, language, officer name."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from jb_watchdesk.services.settings import DeskSettings


def _t(text: str) -> str:
    return QCoreApplication.translate("SettingsDialog", text)


class SettingsDialog(QDialog):
    saved = Signal(object)  # DeskSettings

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_t("设置"))
        self._settings = settings
        form = QFormLayout(self)
        self.language = QComboBox()
        self.language.addItem("简体中文", "zh")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(self.language.findData(settings.language))
        self.officer = QLineEdit(settings.officer)
        self.post_interval = self._spin(settings.post_interval_s // 60, 1, 1440, _t(" 分钟"))
        self.comment_interval = self._spin(settings.comment_interval_s // 60, 1, 1440, _t(" 分钟"))
        self.concurrency = self._spin(settings.max_concurrency, 1, 500, "")
        self.per_host = self._spin(settings.per_host_concurrency, 1, 500, "")
        self.proxy = QLineEdit(settings.proxy)
        self.proxy.setPlaceholderText(_t("留空则使用系统代理，例如 http://10.0.0.1:8080"))
        self.ca_bundle = QLineEdit(settings.ca_bundle)
        self.os_notifications = QCheckBox(_t("同时发送系统通知"))
        self.os_notifications.setChecked(settings.os_notifications)
        self.repeat = self._spin(settings.repeat_minutes, 1, 1440, _t(" 分钟"))
        form.addRow(_t("界面语言（重启后生效）"), self.language)
        form.addRow(_t("值班人员"), self.officer)
        form.addRow(_t("发布巡查间隔"), self.post_interval)
        form.addRow(_t("留言巡查间隔"), self.comment_interval)
        form.addRow(_t("最大并发请求"), self.concurrency)
        form.addRow(_t("每个主机并发"), self.per_host)
        form.addRow(_t("代理"), self.proxy)
        form.addRow(_t("CA 证书文件"), self.ca_bundle)
        form.addRow(_t("通知"), self.os_notifications)
        form.addRow(_t("未确认高风险告警重复提醒"), self.repeat)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @staticmethod
    def _spin(value: int, low: int, high: int, suffix: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(max(low, min(high, value)))
        spin.setSuffix(suffix)
        return spin

    def _save(self) -> None:
        settings = replace(
            self._settings,
            language=self.language.currentData(),
            officer=self.officer.text().strip(),
            post_interval_s=self.post_interval.value() * 60,
            comment_interval_s=self.comment_interval.value() * 60,
            max_concurrency=self.concurrency.value(),
            per_host_concurrency=self.per_host.value(),
            proxy=self.proxy.text().strip(),
            ca_bundle=self.ca_bundle.text().strip(),
            os_notifications=self.os_notifications.isChecked(),
            repeat_minutes=self.repeat.value(),
        ).validated()
        self.saved.emit(settings)
        self.accept()
