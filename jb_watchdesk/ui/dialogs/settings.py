"""Settings: poll intervals, concurrency, proxy, notifications, escalation, language, officer name."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from jb_watchdesk.services.settings import DeskSettings
from jb_watchdesk.ui.i18n import t


class SettingsDialog(QDialog):
    saved = Signal(object)  # DeskSettings

    def __init__(self, settings: DeskSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("ui.settings.title"))
        self._settings = settings
        form = QFormLayout(self)
        self.language = QComboBox()
        self.language.addItem("简体中文", "zh")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(self.language.findData(settings.language))
        self.officer = QLineEdit(settings.officer)
        self.post_interval = self._spin(settings.post_interval_s // 60, 1, 1440, t("ui.settings.minutes_suffix"))
        self.comment_interval = self._spin(settings.comment_interval_s // 60, 1, 1440, t("ui.settings.minutes_suffix"))
        self.concurrency = self._spin(settings.max_concurrency, 1, 500, "")
        self.per_host = self._spin(settings.per_host_concurrency, 1, 500, "")
        self.proxy = QLineEdit(settings.proxy)
        self.proxy.setPlaceholderText(t("ui.settings.proxy_placeholder"))
        self.ca_bundle = QLineEdit(settings.ca_bundle)
        self.os_notifications = QCheckBox(t("ui.settings.os_notifications"))
        self.os_notifications.setChecked(settings.os_notifications)
        self.repeat = self._spin(settings.repeat_minutes, 1, 1440, t("ui.settings.minutes_suffix"))
        self.escalation_minutes = self._spin(settings.escalation_minutes, 1, 1440, t("ui.settings.minutes_suffix"))
        self.escalation_minutes.setToolTip(t("ui.settings.escalation_minutes_tip"))
        self.escalation_sound = QCheckBox(t("ui.settings.escalation_sound"))
        self.escalation_sound.setChecked(settings.escalation_sound)
        form.addRow(t("ui.settings.language"), self.language)
        form.addRow(t("ui.settings.officer"), self.officer)
        form.addRow(t("ui.settings.post_poll_interval"), self.post_interval)
        form.addRow(t("ui.settings.comment_poll_interval"), self.comment_interval)
        form.addRow(t("ui.settings.concurrency"), self.concurrency)
        form.addRow(t("ui.settings.per_host"), self.per_host)
        form.addRow(t("ui.settings.proxy"), self.proxy)
        form.addRow(t("ui.settings.ca_bundle"), self.ca_bundle)
        form.addRow(t("ui.settings.notifications"), self.os_notifications)
        form.addRow(t("ui.settings.repeat"), self.repeat)
        form.addRow(t("ui.settings.escalation_minutes"), self.escalation_minutes)
        form.addRow(t("ui.settings.escalation"), self.escalation_sound)
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
            escalation_minutes=self.escalation_minutes.value(),
            escalation_sound=self.escalation_sound.isChecked(),
        ).validated()
        self.saved.emit(settings)
        self.accept()
