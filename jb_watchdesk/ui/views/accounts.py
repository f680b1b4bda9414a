"""The account editor: add, edit and retire accounts, import/export the register, credentials."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from jb_watchdesk.domain.models import Account, AccountStatus, Platform
from jb_watchdesk.services.accounts import needed_secrets
from jb_watchdesk.ui import labels
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import plain_label


class AccountsView(QWidget):
    saveRequested = Signal(object, dict)  # account id or None, form cells
    secretRequested = Signal(int, str, str)  # account id, name, value
    testRequested = Signal(int)
    importRequested = Signal()
    exportRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._accounts: list[Account] = []
        self._shown: list[tuple[object, ...]] = []
        layout = QHBoxLayout(self)
        split = QSplitter()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        self.list = QListWidget()
        left_layout.addWidget(self.list)
        row = QHBoxLayout()
        self.new_button = QPushButton(t("ui.accounts.new_account"))
        self.import_button = QPushButton(t("ui.accounts.import_register"))
        self.export_button = QPushButton(t("ui.accounts.export_register"))
        for button in (self.new_button, self.import_button, self.export_button):
            row.addWidget(button)
        left_layout.addLayout(row)
        split.addWidget(left)

        right = QWidget()
        form_layout = QVBoxLayout(right)
        form = QFormLayout()
        self.name = QLineEdit()
        self.platform = QComboBox()
        for platform in Platform:
            self.platform.addItem(labels.platform(platform.value), platform.value)
        self.unit = QLineEdit()
        self.status = QComboBox()
        for status in AccountStatus:
            self.status.addItem(labels.lifecycle(status.value), status.value)
        self.source = QLineEdit()
        self.source.setPlaceholderText(t("ui.accounts.source_placeholder"))
        self.api_base = QLineEdit()
        self.owner = QLineEdit()
        self.note = QLineEdit()
        form.addRow(t("ui.accounts.name"), self.name)
        form.addRow(t("ui.accounts.platform"), self.platform)
        form.addRow(t("ui.accounts.unit"), self.unit)
        form.addRow(t("ui.accounts.status"), self.status)
        form.addRow(t("ui.accounts.source"), self.source)
        form.addRow(t("ui.accounts.api_base_url"), self.api_base)
        form.addRow(t("ui.accounts.owner"), self.owner)
        form.addRow(t("ui.accounts.note"), self.note)
        form_layout.addLayout(form)
        actions = QHBoxLayout()
        self.save_button = QPushButton(t("ui.accounts.save"))
        self.retire_button = QPushButton(t("ui.accounts.mark_to_close"))
        self.test_button = QPushButton(t("ui.accounts.test_connection"))
        for button in (self.save_button, self.retire_button, self.test_button):
            actions.addWidget(button)
        form_layout.addLayout(actions)

        self.secrets_box = QGroupBox(t("ui.accounts.credentials"))
        secrets_layout = QFormLayout(self.secrets_box)
        self.secret_name = QComboBox()
        self.secret_value = QLineEdit()
        self.secret_value.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_state = plain_label()
        self.secret_button = QPushButton(t("ui.accounts.save_credential"))
        secrets_layout.addRow(t("ui.accounts.secret_name"), self.secret_name)
        secrets_layout.addRow(t("ui.accounts.secret_value"), self.secret_value)
        secrets_layout.addRow(t("ui.accounts.status"), self.secret_state)
        secrets_layout.addRow(self.secret_button)
        form_layout.addWidget(self.secrets_box)
        self.result = plain_label()
        self.result.setWordWrap(True)
        form_layout.addWidget(self.result)
        form_layout.addStretch(1)
        split.addWidget(right)
        split.setStretchFactor(1, 2)
        layout.addWidget(split)

        self.list.currentRowChanged.connect(self._show)
        self.new_button.clicked.connect(self._new)
        self.save_button.clicked.connect(self._save)
        self.retire_button.clicked.connect(self._retire)
        self.test_button.clicked.connect(self._test)
        self.secret_button.clicked.connect(self._secret)
        self.secret_name.currentIndexChanged.connect(self._secret_state)
        self.import_button.clicked.connect(self.importRequested)
        self.export_button.clicked.connect(self.exportRequested)
        self._current: Account | None = None
        self._new()

    def set_accounts(self, accounts: Sequence[Account]) -> None:
        accounts = list(accounts)
        shown = [(a.id, a.name, a.platform, a.unit) for a in accounts]
        self._accounts = accounts
        if shown == self._shown:
            return  # a cycle changes health, not what the list shows: rebuilding 1,000 items would stall the window
        self._shown = shown
        current_id = self._current.id if self._current else None
        self.list.blockSignals(True)
        self.list.clear()
        for account in accounts:
            item = QListWidgetItem(f"{account.name} · {labels.platform(account.platform.value)} · {account.unit}")
            self.list.addItem(item)
        self.list.blockSignals(False)
        for row, account in enumerate(accounts):
            if account.id == current_id:
                self.list.setCurrentRow(row)
                break

    def show_result(self, text: str) -> None:
        self.result.setText(text)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self._accounts):
            return
        account = self._accounts[row]
        self._current = account
        self.name.setText(account.name)
        self.platform.setCurrentIndex(self.platform.findData(account.platform.value))
        self.unit.setText(account.unit)
        self.status.setCurrentIndex(self.status.findData(account.status.value))
        self.source.setText(account.source)
        self.api_base.setText(account.api_base)
        self.owner.setText(account.owner)
        self.note.setText(account.note)
        self.secret_name.clear()
        for name in needed_secrets(account):
            self.secret_name.addItem(labels.secret(name), name)
        self.secrets_box.setEnabled(self.secret_name.count() > 0)
        self.test_button.setEnabled(True)
        self.retire_button.setEnabled(account.status is AccountStatus.ACTIVE)
        self._secret_state()
        self.result.setText("")

    def _secret_state(self, *_: object) -> None:
        name = self.secret_name.currentData()
        if self._current is None or not name:
            self.secret_state.setText(t("ui.accounts.no_credentials_needed") if self._current else "")
            return
        self.secret_state.setText(t("ui.accounts.secret_set") if name in self._current.secret_names else t("ui.accounts.secret_not_set"))

    def _new(self) -> None:
        self._current = None
        self.list.clearSelection()
        for field in (self.name, self.unit, self.source, self.api_base, self.owner, self.note):
            field.clear()
        self.status.setCurrentIndex(0)
        self.secrets_box.setEnabled(False)
        self.test_button.setEnabled(False)
        self.retire_button.setEnabled(False)
        self.secret_state.setText("")

    def cells(self) -> dict[str, str]:
        return {
            "name": self.name.text(),
            "platform": self.platform.currentData(),
            "unit": self.unit.text(),
            "status": self.status.currentData(),
            "source": self.source.text(),
            "api_base": self.api_base.text(),
            "owner": self.owner.text(),
            "note": self.note.text(),
        }

    def _save(self) -> None:
        self.saveRequested.emit(self._current.id if self._current else None, self.cells())

    def _retire(self) -> None:
        if self._current is None:
            return
        cells = self.cells()
        cells["status"] = AccountStatus.TO_CLOSE.value
        self.saveRequested.emit(self._current.id, cells)

    def _test(self) -> None:
        if self._current is not None:
            self.result.setText(t("ui.accounts.testing_connection"))
            self.testRequested.emit(self._current.id)

    def _secret(self) -> None:
        name = self.secret_name.currentData()
        value = self.secret_value.text()
        if self._current is not None and name and value:
            self.secretRequested.emit(self._current.id, name, value)
            self.secret_value.clear()
