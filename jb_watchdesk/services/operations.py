"""Every officer action and read, one plain function each, for the command line, the window and
headless mode alike.

Each function is blocking (SQLite, the keyring, files): the window runs it off the GUI thread
through its runner, the command line calls it directly. Mutations check what the officer typed,
write one unit of work (and its ledger rows), and return :class:`~jb_watchdesk.services.changes.Changes`
naming what changed and carrying the changed rows; ``Changes.result`` holds what the command line
prints (the shift started, the inspection recorded, …). Reads return domain values and never
write. Times are timezone-aware; ``now`` is passed in (the clock is the caller's).

The rules themselves live in the entity services (:mod:`.alerts`, :mod:`.comments`,
:mod:`.shifts`, :mod:`.inspections`, :mod:`.emergencies`, :mod:`.accounts`, :mod:`.register`,
:mod:`.allow_phrases`, :mod:`.reports`); this module is the one door to them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Final, ParamSpec, TypeVar

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.alerts import ANY_ALERT, Alert, AlertCounts, AlertFilter
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import Account, ItemKind, ItemText
from jb_watchdesk.domain.record import EmergencyStatus, InspectionRow, Shift
from jb_watchdesk.domain.workdays import WorkdayCalendar
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import accounts as account_service
from jb_watchdesk.services import alerts as alert_service
from jb_watchdesk.services import allow_phrases, backups, emergencies, escalation, exports, gaps, inspections, register, shifts
from jb_watchdesk.services import comments as comment_service
from jb_watchdesk.services import secret_import as secret_rows
from jb_watchdesk.services import status as status_service
from jb_watchdesk.services.changes import Changes, alerts_changed
from jb_watchdesk.services.comments import CommentRow
from jb_watchdesk.services.files import atomic_output, not_the_live_database, output_folder
from jb_watchdesk.services.inspections import Check
from jb_watchdesk.services.shifts import Handover
from jb_watchdesk.services.status import AccountStatusRow
from jb_watchdesk.storage import accounts as account_store
from jb_watchdesk.storage import alerts as alert_store
from jb_watchdesk.storage import audit, dashboard
from jb_watchdesk.storage import inspections as inspection_store
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.secrets import SecretStore, validate_secret_name

P = ParamSpec("P")
T = TypeVar("T")

# -- alerts -----------------------------------------------------------------------------------


def list_alerts(
    store: Store, selection: AlertFilter = ANY_ALERT, *, limit: int = alert_service.PAGE_SIZE, offset: int = 0
) -> list[Alert]:
    """One page of the alerts ``selection`` takes, newest first (:func:`count_selected` gives the total)."""
    return alert_service.list_alerts(store, selection, limit=limit, offset=offset)


def iter_alerts(store: Store, selection: AlertFilter = ANY_ALERT) -> Iterator[Alert]:
    """Every alert ``selection`` takes, newest first, a page at a time (the command line's list)."""
    return alert_service.iter_alerts(store, selection)


def count_selected(store: Store, selection: AlertFilter = ANY_ALERT) -> int:
    return alert_service.count_selected(store, selection)


def get_alert(store: Store, alert_id: int) -> Alert:
    """One alert as it is now; ``NotFound`` (``alert.not_found``) when there is none."""
    return store.query(alert_store.get_alert, alert_id)


def alert_counts(store: Store, *, now: datetime) -> AlertCounts:
    """How many alerts stand where, uncapped: the tile, the banner, the tray, the tabs and the
    command line all show these numbers."""
    return alert_service.counts(store, now=now)


def acknowledge_alert(store: Store, alert_id: int, *, officer: str, note: str, now: datetime) -> Changes:
    """``new → acknowledged`` with the officer's note; ``result`` is the alert as it is now."""
    alert = alert_service.acknowledge(store, alert_id, officer=officer, note=note, now=now)
    return alerts_changed([alert], result=alert)


def acknowledge_alerts(store: Store, selection: AlertFilter, *, officer: str, note: str, now: datetime) -> Changes:
    """Acknowledge every new alert of a post, an account, a rule … with one note (one ledger row
    each); ``result`` is the list of alerts acknowledged (empty when none was new)."""
    alerts = alert_service.acknowledge_selected(store, selection, officer=officer, note=note, now=now)
    return alerts_changed(alerts, result=alerts)


def defer_alerts(
    store: Store, selection: AlertFilter, *, choice: str, officer: str, now: datetime, note: str = ""
) -> Changes:
    """Put off the new alerts ``selection`` takes (15 min, 1 h, the rest of the shift: see
    :class:`~jb_watchdesk.services.alerts.Deferral`); ``result`` is the list of alerts deferred."""
    alerts = alert_service.defer_selected(store, selection, choice=choice, officer=officer, now=now, note=note)
    return alerts_changed(alerts, result=alerts)


def resolve_alert(store: Store, alert_id: int, *, officer: str, now: datetime) -> Changes:
    alert = alert_service.resolve(store, alert_id, officer=officer, now=now)
    return alerts_changed([alert], result=alert)


def allow_phrase(
    store: Store, data_dir: Path, phrase: str, *, note: str, officer: str, now: datetime, alert_id: int | None = None
) -> Changes:
    """Allow ``phrase`` in the workspace lexicon (and acknowledge ``alert_id``); ``result`` is the
    :class:`~jb_watchdesk.services.allow_phrases.AllowOutcome`. The scanner reloads on ``lexicon``."""
    outcome = allow_phrases.allow_phrase(store, data_dir, phrase, note=note, officer=officer, now=now, alert_id=alert_id)
    rows = (outcome.alert,) if outcome.alert is not None else ()
    return Changes(alerts=bool(rows), ledger=True, lexicon=outcome.phrase.added, alert_rows=rows, result=outcome)


# -- escalation channels ----------------------------------------------------------------------


def escalation_channels(secrets: SecretStore) -> list[str]:
    """The leader's channels as kept in the keyring, masked (scheme and host kept, keys hidden)."""
    secrets.check()
    return escalation.masked_channels(secrets)


def store_escalation_channels(secrets: SecretStore, text: str) -> list[str]:
    """Apprise URLs, one per line, into the keyring: all or none (``InputError`` names the bad line).
    Returns them masked."""
    secrets.check()
    return escalation.store_channels(secrets, text)


def test_escalation_channels(secrets: SecretStore, *, now: datetime) -> list[escalation.ChannelOutcome]:
    """A test message through each channel; each channel's outcome (masked, reasons scrubbed)."""
    return escalation.test_channels(secrets, now=now)


# -- comments ---------------------------------------------------------------------------------


def list_comments(store: Store, *, now: datetime, pending_only: bool, limit: int = 10_000) -> list[CommentRow]:
    """Comments as of ``now``, most urgent first."""
    return comment_service.list_comments(store, now=now, pending_only=pending_only, limit=limit)


def acknowledge_comment(store: Store, comment_id: int, *, officer: str, note: str, now: datetime) -> Changes:
    """The public was told the comment is being handled (§3.7: within 1 hour)."""
    comment_service.acknowledge(store, comment_id, officer=officer, note=note, now=now)
    return Changes(comments=True, status=True, ledger=True, comment_ids=(comment_id,))


def finish_comment(store: Store, comment_id: int, *, officer: str, note: str, now: datetime) -> Changes:
    """The result was given (§3.7: within 5 working days)."""
    comment_service.mark_done(store, comment_id, officer=officer, note=note, now=now)
    return Changes(comments=True, status=True, ledger=True, comment_ids=(comment_id,))


# -- accounts and credentials -----------------------------------------------------------------


def list_accounts(store: Store) -> list[Account]:
    return store.query(account_store.list_accounts)


def get_account(store: Store, account_id: int) -> Account:
    """One account; ``NotFound`` when there is none with this id."""
    return store.query(account_store.get_account, account_id)


def account_status(store: Store, *, now: datetime) -> list[AccountStatusRow]:
    """Every account's freshness, health and comment backlog as of ``now``."""
    return status_service.account_status(store, now=now)


def save_account(store: Store, cells: Mapping[str, str], *, account_id: int | None, now: datetime) -> Changes:
    """Add or edit one account from the editor; ``ImportRejected`` lists what is wrong."""
    account = account_service.save(store, cells, account_id=account_id, now=now)
    return Changes(accounts=True, status=True, account_rows=(account,), result=account)


def set_secret(store: Store, secrets: SecretStore, *, account_id: int, name: str, value: str, now: datetime) -> Changes:
    """Keep a credential in the OS keyring; the database notes only that it is set."""
    account_service.set_secret(store, secrets, account_id=account_id, name=name, value=value, now=now)
    return Changes(accounts=True, status=True, result=name)


def read_secret_rows(store: Store, text: str, *, fmt: secret_rows.Format | None, where: str) -> list[secret_rows.SecretRow]:
    """``accounts import-secrets``, first step: every row of ``text`` checked (``ImportRejected``
    lists the bad ones; nothing is stored). See :mod:`~jb_watchdesk.services.secret_import`."""
    return secret_rows.read_rows(store, text, fmt=fmt, where=where)


def import_secrets(
    store: Store,
    secrets: SecretStore,
    rows: Sequence[secret_rows.SecretRow],
    *,
    now: datetime,
    stored: Callable[[secret_rows.SecretRow], None] | None = None,
) -> Changes:
    """``accounts import-secrets``, second step: each checked row's secret kept in the keyring, on its
    one worker (``stored(row)`` after each); ``SecretStoreUnavailable`` stops the run part-way."""
    secret_rows.store_rows(store, secrets, rows, now=now, stored=stored)
    return Changes(accounts=True, status=True, result=len(rows))


def import_register(store: Store, path: Path, *, now: datetime) -> Changes:
    """The whole register from a file, all or nothing; ``result`` is the register's changes."""
    result = register.import_register(store, path, now=now)
    return Changes(accounts=True, status=True, ledger=True, result=result)


def export_register(store: Store, path: Path) -> int:
    """The register to ``path`` (.csv/.xlsx/.json); how many accounts were written."""
    return register.export_register(store, path)


def read_item(store: Store, *, kind: ItemKind, item_id: int) -> ItemText | None:
    """A stored post or comment as the viewer shows it; None when it is no longer stored."""
    return store.query(dashboard.item_text, kind=kind, item_id=item_id)


def latest_post(store: Store, *, account_id: int) -> ItemText | None:
    """An account's newest stored post; None before its first post was read."""
    return store.query(dashboard.latest_post, account_id=account_id)


# -- shifts and the handover ------------------------------------------------------------------


def current_shift(store: Store) -> Shift | None:
    return shifts.current_shift(store)


def list_shifts(store: Store, *, limit: int = 200) -> list[Shift]:
    return shifts.list_shifts(store, limit=limit)


def handover(store: Store, *, now: datetime) -> Handover:
    """The ended shift to take over, who is on duty, and what is still open as of ``now``."""
    return shifts.handover(store, now=now)


def start_shift(store: Store, *, officer: str, now: datetime) -> Changes:
    shift = shifts.start_shift(store, officer=officer, now=now)
    return Changes(shift=True, ledger=True, result=shift)


def end_shift(store: Store, *, now: datetime, note: str = "", force_reason: str | None = None) -> Changes:
    shift = shifts.end_shift(store, now=now, note=note, force_reason=force_reason)
    return Changes(shift=True, ledger=True, result=shift)


def confirm_handover(store: Store, *, officer: str, now: datetime) -> Changes:
    shift = shifts.confirm_handover(store, officer=officer, now=now)
    return Changes(shift=True, ledger=True, result=shift)


# -- inspections ------------------------------------------------------------------------------


def record_inspection(
    store: Store,
    *,
    account_id: int,
    checks: Mapping[Check, str],
    now: datetime,
    finding: str = "",
    action: str = "",
    corrects_id: int | None = None,
) -> Changes:
    """A manual inspection (or a correction) by the officer on duty; ``result`` is the :class:`Inspection`."""
    inspection = inspections.record_inspection(
        store, account_id=account_id, checks=checks, now=now, finding=finding, action=action, corrects_id=corrects_id
    )
    return Changes(shift=True, ledger=True, result=inspection)


def shift_inspections(store: Store, *, shift: Shift, limit: int) -> list[InspectionRow]:
    """The shift's last ``limit`` manual inspections and corrections, newest first."""
    return store.query(inspection_store.recent_manual, shift_id=shift.id, limit=limit)


def count_inspections(store: Store, *, shift: Shift, now: datetime) -> dict[str, int]:
    """``{kind: count}`` of the shift's inspections up to ``now``."""
    return store.query(inspection_store.count_inspections, start=shift.started_at, end=now, shift_id=shift.id)


def record_reading(
    store: Store,
    *,
    account_id: int,
    latest_post_at: datetime,
    now: datetime,
    posts_seen: int | None = None,
    comments_waiting: int | None = None,
    link: str = "",
    officer: str | None = None,
    corrects_id: int | None = None,
) -> Changes:
    """The officer's reading of an account no machine source reads (what the platform showed);
    ``result`` is the :class:`Inspection`. It feeds the account's freshness and comment backlog."""
    inspection = inspections.record_reading(
        store, account_id=account_id, latest_post_at=latest_post_at, now=now, posts_seen=posts_seen,
        comments_waiting=comments_waiting, link=link, officer=officer, corrects_id=corrects_id,
    )
    return Changes(shift=True, status=True, ledger=True, result=inspection)


def reading_checklist(store: Store, *, now: datetime) -> inspections.Checklist:
    """This shift's accounts to read by hand: those still to read first, then those read."""
    return inspections.checklist(store, now=now)


# -- emergencies ------------------------------------------------------------------------------


def emergency_status(store: Store, *, now: datetime) -> list[EmergencyStatus]:
    """Every activation up to ``now`` with its 2-hour clock, newest first."""
    return emergencies.emergency_status(store, now=now)


def start_emergency(store: Store, *, title: str, keywords: Sequence[str], now: datetime) -> Changes:
    status = emergencies.start_emergency(store, title=title, keywords=keywords, now=now)
    return Changes(shift=True, ledger=True, result=status)


def cancel_emergency(store: Store, emergency_id: int, *, reason: str, now: datetime, officer: str = "") -> Changes:
    """Cancel a mistyped or false activation with a reason; ``result`` is its status (cancelled)."""
    status = emergencies.cancel_emergency(store, emergency_id, reason=reason, now=now, officer=officer)
    return Changes(shift=True, ledger=True, result=status)


def correct_emergency(
    store: Store,
    emergency_id: int,
    *,
    title: str,
    reason: str,
    now: datetime,
    keywords: Sequence[str] | None = None,
    officer: str = "",
    restart_clock: bool = False,
) -> Changes:
    """Replace an activation by a corrected one (the old one cancelled, the new one naming it);
    ``result`` is ``(cancelled, correction)`` statuses."""
    pair = emergencies.correct_emergency(
        store, emergency_id, title=title, reason=reason, now=now, keywords=keywords, officer=officer, restart_clock=restart_clock
    )
    return Changes(shift=True, ledger=True, result=pair)


# -- monitoring gaps --------------------------------------------------------------------------


def list_gaps(store: Store, *, start: datetime | None = None, end: datetime | None = None) -> list[gaps.Gap]:
    """Monitoring gaps overlapping ``[start, end)`` (quit, pause, crash, unknown), oldest first."""
    return gaps.list_gaps(store, start=start, end=end)


def stop_monitoring(store: Store, data_dir: Path, *, now: datetime, officer: str = "", reason: str = "") -> Changes:
    """The desk stops on purpose (quit): a ``quit`` gap with who and why, and the heartbeat removed.
    Call it once the watch loop has stopped; ``result`` is the gap."""
    gap = gaps.monitoring_stopped(store, gaps.Heartbeat.in_dir(data_dir), now=now, officer=officer, reason=reason)
    return Changes(ledger=True, result=gap)


def pause_monitoring(store: Store, *, now: datetime, officer: str = "", reason: str = "") -> Changes:
    """Polling paused: a ``pause`` gap from now; ``result`` is the gap (None if one was open)."""
    gap = gaps.pause_monitoring(store, now=now, officer=officer, reason=reason)
    return Changes(ledger=gap is not None, result=gap)


def resume_monitoring(store: Store, *, now: datetime) -> Changes:
    """Polling resumed: the open pause gap ends now; ``result`` is the gaps ended."""
    ended = gaps.resume_monitoring(store, now=now)
    return Changes(ledger=bool(ended), result=ended)


# -- the record -------------------------------------------------------------------------------


def verify_ledger(store: Store, *, anchor: audit.Anchor | None = None) -> audit.VerifyResult:
    """Check the hash chain (and, with ``anchor``, that the record still holds that point)."""
    return store.query(audit.verify, anchor_point=anchor)


# -- exports ----------------------------------------------------------------------------------


def export_handover(
    store: Store,
    *,
    path: Path,
    fmt: str,
    now: datetime,
    shift_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    pdf_renderer: exports.PdfRenderer | None = None,
) -> exports.Document:
    """The handover record of one shift or a time window, written to ``path`` (xlsx, pdf, csv)."""
    return exports.export_handover(store, path=path, fmt=fmt, now=now, shift_id=shift_id, start=start, end=end, pdf_renderer=pdf_renderer)


def export_weekly(
    store: Store, *, path: Path, fmt: str, now: datetime, week: str | None = None, pdf_renderer: exports.PdfRenderer | None = None
) -> exports.Document:
    """The weekly report of one ISO week (``YYYY-Www``; the current one by default), written to ``path``."""
    return exports.export_weekly(store, path=path, fmt=fmt, now=now, week=week, pdf_renderer=pdf_renderer)


def build_weekly(store: Store, *, now: datetime, week: str | None = None) -> exports.Document:
    """The weekly report as a document, for the window to show before it is written."""
    return exports.build_weekly(store, now=now, week=week)


# -- command line -----------------------------------------------------------------------------


def parse_anchor(text: str) -> audit.Anchor:
    """``SEQ:HASH`` as printed in an export (``log verify --anchor``); ``InputError`` otherwise."""
    try:
        return audit.Anchor.parse(text)
    except ValueError:
        raise InputError("log.bad_anchor", value=text) from None


def secret_target(store: Store, secrets: SecretStore, *, account_id: int, name: str) -> Account:
    """The account a secret named ``name`` is for, refused before the secret is read: a bad name,
    no secure keyring, an unknown account, or a name the account's connector never reads."""
    validate_secret_name(name)
    secrets.check()
    account = get_account(store, account_id)
    account_service.check_secret_name(account, name)
    return account


def secret_store_name(secrets: SecretStore) -> str:
    """Where secrets are kept, as an officer reads it (the keyring backend's name, or the demo store)."""
    return messages.text("cli.accounts.memory_store") if secrets.is_memory else secrets.describe()


def backup_database(store: Store, path: Path) -> Path:
    """``db backup PATH``: a consistent online copy; ``InputError`` when ``path`` cannot be written
    or its folder does not exist (a backup never creates its folder: see ``files.output_folder``)."""
    output_folder(path)
    not_the_live_database(path, store.path)
    # Through atomic_output: the copy's partial is recorded (cleaned at the next start if the
    # desk is killed mid-copy), the file ends 0600, and a full disk is "disk full", exit 3.
    with atomic_output(path) as temp:
        store.backup(temp)
    return path


def restore_database(workspace: Workspace, path: Path, *, now: datetime) -> backups.Restored:
    """``db restore PATH``: the backup is checked on a copy (integrity, the duty record's hash
    chain) and only then put in place of the live database, which is kept beside it
    (``watchdesk.sqlite3.replaced-…``). Errors: see :func:`jb_watchdesk.services.backups.restore`."""
    return backups.restore(workspace, path, now=now)


def holiday_override_problems(calendar: WorkdayCalendar) -> list[str]:
    """The lines of the holiday override file that were not understood (file, line, reason), in
    the officer's language; the rest of the file is in use. Empty when all is well."""
    return [problem.describe() for problem in calendar.problems]


# -- the log of officer actions ---------------------------------------------------------------
# One line per action in the desk's log (services/logs.py), whichever front end called it. Only
# ids, the officer's name and the choice made are logged: never a note, a secret or a text.

_LOGGED_ACTIONS: Final = (
    "acknowledge_alert", "acknowledge_alerts", "defer_alerts", "resolve_alert", "allow_phrase", "store_escalation_channels",
    "acknowledge_comment", "finish_comment", "save_account", "set_secret", "import_secrets", "import_register",
    "start_shift", "end_shift", "confirm_handover", "record_inspection", "record_reading", "start_emergency",
    "cancel_emergency", "correct_emergency", "stop_monitoring", "pause_monitoring", "resume_monitoring",
    "export_handover", "export_weekly", "backup_database", "restore_database",
)
_LOGGED_ARGUMENTS: Final = frozenset({"officer", "account_id", "alert_id", "comment_id", "emergency_id", "shift_id", "choice", "name",
                                      "fmt", "path", "week", "force_reason"})


def _logged(action: Callable[P, T]) -> Callable[P, T]:
    @functools.wraps(action)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        result = action(*args, **kwargs)
        ids = [str(arg) for arg in args if isinstance(arg, int | Path)]
        named = [f"{key}={value}" for key, value in kwargs.items() if key in _LOGGED_ARGUMENTS and value not in (None, "")]
        _action_log.info("officer action: %s %s", action.__name__.replace("_", " "), " ".join([*ids, *named]))
        return result

    return run


_action_log = logging.getLogger("jb_watchdesk.actions")
for _name in _LOGGED_ACTIONS:
    if _name in globals():
        globals()[_name] = _logged(globals()[_name])
