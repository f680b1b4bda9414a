"""Which failures pause the duty loop (a lock, a full disk, an I/O error: they clear) and which end
it (a closed output pipe, a corrupt, newer-schema or read-only database: waiting never helps)."""

from __future__ import annotations

import asyncio
import errno
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from jb_watchdesk.app import App, Clock, running_watch
from jb_watchdesk.connectors.http import HttpSettings
from jb_watchdesk.domain.errors import StorageError
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import emergencies, watch
from jb_watchdesk.storage.secrets import SecretStore


@pytest.mark.parametrize(
    ("error", "pauses"),
    [
        (StorageError("db.locked", path="w"), True),
        (StorageError("db.disk_full", path="w"), True),
        (StorageError("db.error", path="w", detail="disk I/O error"), True),
        (StorageError("db.error", path="w", detail="unable to open database file"), True),  # a -shm an antivirus holds
        (StorageError("db.error", path="w", detail="out of memory"), True),
        (StorageError("db.error", path="w", detail="UNIQUE constraint failed: posts.id"), False),
        (StorageError("db.corrupt", path="w", detail="file is not a database", backups="b"), False),
        (StorageError("db.read_only", path="w"), False),
        (StorageError("db.newer_schema", names="0042_future"), False),
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.IntegrityError("NOT NULL constraint failed: posts.body"), False),
        (OSError(errno.ENOSPC, "No space left on device"), True),
        (OSError(errno.EIO, "Input/output error"), True),
        (BrokenPipeError(errno.EPIPE, "Broken pipe"), False),
        (PermissionError(errno.EACCES, "Permission denied"), False),
    ],
)
def test_only_what_clears_by_itself_pauses_the_loop(error: BaseException, pauses: bool) -> None:
    assert watch.pauses_on(error) is pauses


def _run_until_it_ends(desk, *, on_cycle, poll=None):  # type: ignore[no-untyped-def]
    async def body() -> None:
        app = App(workspace=Workspace(Path(desk.root)), clock=Clock(desk.now), secret_store=SecretStore(desk.keyring))
        with app:
            async with running_watch(app, http_settings=HttpSettings(trust_env=False)) as loop:
                if poll is not None:
                    loop.poller.poll_once = poll
                await asyncio.wait_for(loop.run(asyncio.Event(), on_cycle=on_cycle, tick_s=0.05), timeout=10)

    asyncio.run(body())


def test_a_closed_output_pipe_ends_the_loop_instead_of_pausing_it(simulated_desk, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(watch, "STORAGE_PAUSES_S", (0.05,))

    async def reader_gone(cycle: watch.Cycle) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    with pytest.raises(BrokenPipeError):
        _run_until_it_ends(simulated_desk, on_cycle=reader_gone)


def test_a_corrupt_database_ends_the_loop_with_its_one_line(simulated_desk, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(watch, "STORAGE_PAUSES_S", (0.05,))
    waits: list[watch.Cycle] = []

    async def corrupt(*, force: bool = False) -> watch.PollResult:
        raise StorageError("db.corrupt", path="watchdesk.sqlite3", detail="database disk image is malformed", backups="backups")

    async def shown(cycle: watch.Cycle) -> None:
        waits.extend([cycle] if cycle.storage_wait is not None else [])

    with pytest.raises(StorageError) as ended:
        _run_until_it_ends(simulated_desk, on_cycle=shown, poll=corrupt)
    assert ended.value.key == "db.corrupt" and ended.value.exit_code == 3
    assert not waits


def _lock_the_first_scan(loop: watch.WatchLoop, monkeypatch: pytest.MonkeyPatch) -> None:
    """The loop's next scan finds the database locked (after its poll stored everything); later ones run."""
    scan = loop.scanner.scan_pending
    broken: list[bool] = []

    async def locked_once():  # type: ignore[no-untyped-def]
        if not broken:
            broken.append(True)
            raise StorageError("db.locked", path="watchdesk.sqlite3")
        return await scan()

    monkeypatch.setattr(loop.scanner, "scan_pending", locked_once)


def test_posts_a_broken_cycle_stored_are_matched_against_waiting_emergencies_by_the_next(  # type: ignore[no-untyped-def]
    simulated_desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """§3.6: a cycle stores posts, then a lock breaks it before the match; the retry has nothing
    due (no run of its own), yet the waiting activation's clock is stopped by those posts."""
    monkeypatch.setattr(emergencies, "_matches", lambda emergency, post: True)  # every simulated post is related

    async def scenario() -> None:
        desk = simulated_desk
        app = App(workspace=Workspace(Path(desk.root)), clock=Clock(desk.now), secret_store=SecretStore(desk.keyring))
        with app:
            async with running_watch(app, http_settings=HttpSettings(trust_env=False)) as loop:
                started = desk.now - timedelta(days=60)
                await asyncio.to_thread(emergencies.start_emergency, app.store, title="暴雨内涝", keywords=["暴雨"], now=started)
                _lock_the_first_scan(loop, monkeypatch)
                with pytest.raises(StorageError):
                    await loop.cycle()
                again = await loop.cycle()
                assert again.poll.run_id is None and again.changes.shift
                (status,) = await asyncio.to_thread(emergencies.emergency_status, app.store, now=desk.now)
                assert status.emergency.first_post_id is not None  # met (late: the simulated posts are old)

    asyncio.run(scenario())



def _inspected(app: App) -> list[int]:
    """The account of every automatic inspection recorded, one entry per inspection."""
    from datetime import UTC, datetime

    from jb_watchdesk.storage import inspections as inspection_store

    def read(db):  # type: ignore[no-untyped-def]
        rows = inspection_store.iter_inspections(db, start=datetime(1970, 1, 1, tzinfo=UTC), end=datetime(9000, 1, 1, tzinfo=UTC))
        return [row.account_id for row in rows if row.kind == "auto"]

    return app.store.call(read)


def test_the_accounts_a_broken_cycle_read_are_inspected_by_the_retry(simulated_desk, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """§4.3: a lock breaks the cycle after every account was read and stored (at the scan); the
    retry has nothing due, yet it records the automatic inspection of each account read, once."""

    async def scenario() -> None:
        desk = simulated_desk
        app = App(workspace=Workspace(Path(desk.root)), clock=Clock(desk.now), secret_store=SecretStore(desk.keyring))
        with app:
            async with running_watch(app, http_settings=HttpSettings(trust_env=False)) as loop:
                _lock_the_first_scan(loop, monkeypatch)
                with pytest.raises(StorageError):
                    await loop.cycle()
                assert _inspected(app) == []
                again = await loop.cycle()
                assert again.poll.run_id is None  # nothing was due
                assert sorted(_inspected(app)) == sorted(desk.ids.values())
                await loop.cycle()
                assert sorted(_inspected(app)) == sorted(desk.ids.values())  # recorded once

    asyncio.run(scenario())


def test_the_accounts_read_before_a_poll_broke_are_inspected_with_the_next_cycle(  # type: ignore[no-untyped-def]
    simulated_desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store refuses the sixth account's save mid-poll: the five stored before it are not read
    again (their schedule moved on), yet the next cycle, which reads the rest, records them all."""
    from jb_watchdesk.storage import ingest

    record_success = ingest.record_success

    async def scenario() -> None:
        desk = simulated_desk
        app = App(workspace=Workspace(Path(desk.root)), clock=Clock(desk.now), secret_store=SecretStore(desk.keyring))
        with app:
            async with running_watch(app, http_settings=HttpSettings(trust_env=False)) as loop:
                poller = loop.poller
                saves: list[int] = []

                def refuse_the_sixth(db, **kwargs):  # type: ignore[no-untyped-def]
                    saves.append(kwargs["account_id"])
                    if len(saves) == 6:
                        raise StorageError("db.locked", path="watchdesk.sqlite3")
                    return record_success(db, **kwargs)

                monkeypatch.setattr(ingest, "record_success", refuse_the_sixth)
                with pytest.raises(StorageError):
                    await loop.cycle()
                read_before = set(poller.unrecorded)  # those still reading were cancelled, to be read again
                assert read_before == set(saves[:5])
                again = await loop.cycle()
                assert set(again.poll.polled) == set(desk.ids.values()) - read_before
                assert sorted(_inspected(app)) == sorted(desk.ids.values())  # each once

    asyncio.run(scenario())


def test_two_cycles_that_overlap_record_each_ones_accounts_once(simulated_desk, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The loop's cycle is recording (its status rows being read) when the officer's "poll now"
    reads every account: each cycle records the accounts it read, and no account twice."""
    import threading
    import time

    from jb_watchdesk.services import status

    async def scenario() -> None:
        desk = simulated_desk
        app = App(workspace=Workspace(Path(desk.root)), clock=Clock(desk.now), secret_store=SecretStore(desk.keyring))
        with app:
            async with running_watch(app, http_settings=HttpSettings(trust_env=False)) as loop:
                await loop.cycle(force=True)
                for account_id in (desk.ids["rss-0001"], desk.ids["weibo-0002"]):
                    loop.poller.scheduler.reset(account_id)  # due again: the next cycle reads these two
                gate, calls = threading.Event(), []
                running, recording = asyncio.get_running_loop(), asyncio.Event()
                account_status = status.account_status

                def held_once(store, *, now):  # type: ignore[no-untyped-def]
                    calls.append(now)
                    if len(calls) == 1:
                        running.call_soon_threadsafe(recording.set)
                        assert gate.wait(20)  # the first cycle waits until the second has read everything...
                    elif len(calls) == 2:
                        gate.set()
                        time.sleep(0.5)  # ...and records before the second one does
                    return account_status(store, now=now)

                monkeypatch.setattr(status, "account_status", held_once)
                first = asyncio.create_task(loop.cycle())
                await recording.wait()
                second = await loop.cycle(force=True)  # "poll now" while the first one records
                first_done = await first
                assert len(first_done.poll.polled) == 2 and len(second.poll.polled) == len(desk.ids)
                inspected = _inspected(app)
                assert len(inspected) == 2 * len(desk.ids) + 2
                assert sorted(inspected) == sorted([*desk.ids.values(), *desk.ids.values(), *first_done.poll.polled])

    asyncio.run(scenario())
