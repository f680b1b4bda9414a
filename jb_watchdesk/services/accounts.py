"""Editing the register one account at a time (the window's account editor)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from jb_watchdesk.connectors.registry import secret_names
from jb_watchdesk.domain.errors import ImportRejected, InputError
from jb_watchdesk.domain.models import Account, AccountSpec
from jb_watchdesk.domain.register import RawRow, validate_rows
from jb_watchdesk.services import redaction
from jb_watchdesk.storage import accounts as account_store
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.secrets import SecretStore


def needed_secrets(account: Account) -> tuple[str, ...]:
    """The keyring entries this account needs: none when it is read through a feed URL."""
    return secret_names(account.platform, source=account.source)


def check_secret_name(account: Account, name: str) -> None:
    """Refuse a credential name the account's connector never reads (InputError ``secret.unknown_name``).

    A typo would otherwise be stored and surface hours later as a failed poll.
    """
    valid = needed_secrets(account)
    if name not in valid:
        raise InputError("secret.unknown_name", account=account.id, name=name, names=", ".join(valid) or "-")


def validate(cells: Mapping[str, str], *, where: str) -> AccountSpec:
    """One account from an editor form, checked exactly like a register row."""
    result = validate_rows([RawRow(line=1, cells=cells)], file=where)
    if result.errors:
        raise ImportRejected(where, result.errors)
    return result.specs[0]


def save(store: Store, cells: Mapping[str, str], *, account_id: int | None, now: datetime) -> Account:
    """Add (``account_id`` None) or edit one account from the editor's cells; ``ImportRejected`` if invalid."""
    spec = validate(cells, where="account")
    if account_id is None:
        store.call(account_store.apply_register, [spec], now=now)
        accounts = store.call(account_store.list_accounts)
        return next(a for a in accounts if a.platform is spec.platform and a.name == spec.name)
    return store.call(account_store.update_account, account_id, spec, now=now)


def set_secret(store: Store, secrets: SecretStore, *, account_id: int, name: str, value: str, now: datetime) -> None:
    """Keep a credential in the keyring (never in the database) and note that it is set."""
    check_secret_name(store.call(account_store.get_account, account_id), name)
    redaction.register(value)  # masked in whatever this process logs or prints from now on
    secrets.set(account_id, name, value)
    store.call(account_store.add_secret_name, account_id, name, now=now)
