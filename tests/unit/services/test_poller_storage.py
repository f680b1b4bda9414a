"""A database that refuses (full, locked, read-only) is the workstation's problem, not an account's:
the cycle ends with the store's error (the watch loop pauses on it), what was stored stays, and the
refused accounts are read again at once when the store is back, with no backoff and nothing lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from jb_watchdesk.app import App, Clock, running_watch
from jb_watchdesk.connectors.http import HttpSettings
from jb_watchdesk.domain.errors import StorageError
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services.scheduler import PollSettings
from jb_watchdesk.storage import ingest
from jb_watchdesk.storage.secrets import SecretStore

FAST = HttpSettings(trust_env=False, total_timeout=5.0)


def _refuse_the_first_save(monkeypatch: pytest.MonkeyPatch, error: StorageError) -> list[int]:
    """The first account's save raises ``error``, the others store; the list names that account."""
    real = ingest.record_success
    refused: list[int] = []

    def refuse_once(db, *, account_id: int, **kwargs):  # type: ignore[no-untyped-def]
        if not refused:
            refused.append(account_id)
            raise error
        return real(db, account_id=account_id, **kwargs)

    monkeypatch.setattr(ingest, "record_success", refuse_once)
    return refused


def test_a_full_disk_ends_the_cycle_without_backing_off_the_account(simulated_desk, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    refused = _refuse_the_first_save(monkeypatch, StorageError("db.disk_full", path="watchdesk.sqlite3"))

    async def scenario() -> None:
        clock = Clock(simulated_desk.now)
        app = App(workspace=Workspace(Path(simulated_desk.root)), clock=clock, secret_store=SecretStore(simulated_desk.keyring))
        with app:
            async with running_watch(app, settings=PollSettings(max_concurrency=4), http_settings=FAST) as loop:
                with pytest.raises(StorageError) as raised:
                    await loop.poller.poll_once()
                assert raised.value.key == "db.disk_full"
                health = await app.store.run(lambda db: db.execute("SELECT health FROM accounts WHERE id = ?", [refused[0]]).fetchone()[0])
                assert health != "failing"  # not the account's fault
                again = await loop.poller.poll_once()  # the store is back: the refused account is due now
                assert refused[0] in again.polled and again.accounts_failed == 0
                count = "SELECT count(*) FROM posts WHERE account_id = ?"
                posts = await app.store.run(lambda db: db.execute(count, [refused[0]]).fetchone()[0])
                assert posts > 0  # what it could not store then is stored now

    asyncio.run(scenario())


def test_the_first_refusal_ends_the_cycle_without_every_other_account_waiting_for_the_lock(  # type: ignore[no-untyped-def]
    simulated_desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock that never clears: one save waits out the lock, the others are not tried (each would
    wait as long again, hours of silence for a large district) and none is backed off."""
    tried: list[int] = []

    def locked(db, *, account_id: int, **kwargs):  # type: ignore[no-untyped-def]
        tried.append(account_id)
        raise StorageError("db.locked", path="watchdesk.sqlite3")

    monkeypatch.setattr(ingest, "record_success", locked)

    async def scenario() -> None:
        clock = Clock(simulated_desk.now)
        app = App(workspace=Workspace(Path(simulated_desk.root)), clock=clock, secret_store=SecretStore(simulated_desk.keyring))
        with app:
            async with running_watch(app, settings=PollSettings(max_concurrency=4), http_settings=FAST) as loop:
                due = await loop.poller.due_count()
                assert due > 2
                with pytest.raises(StorageError) as raised:
                    await loop.poller.poll_once()
                assert raised.value.key == "db.locked"
                assert len(tried) == 1
                assert await loop.poller.due_count() == due  # nobody backed off, all read again next time

    asyncio.run(scenario())


@pytest.mark.allow_error_log  # the failed store is logged with its traceback for support
def test_a_constraint_error_is_the_accounts_failure_not_the_workstations(  # type: ignore[no-untyped-def]
    simulated_desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = _refuse_the_first_save(
        monkeypatch, StorageError("db.error", path="watchdesk.sqlite3", detail="UNIQUE constraint failed: posts.platform_id")
    )

    async def scenario() -> None:
        clock = Clock(simulated_desk.now)
        app = App(workspace=Workspace(Path(simulated_desk.root)), clock=clock, secret_store=SecretStore(simulated_desk.keyring))
        with app:
            async with running_watch(app, settings=PollSettings(max_concurrency=4), http_settings=FAST) as loop:
                result = await loop.poller.poll_once()
                assert [failure.account_id for failure in result.failures] == refused
                assert result.failures[0].code == "internal.store"

    asyncio.run(scenario())
