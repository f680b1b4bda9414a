"""Schema migrations: append-only, each applied once in its own transaction.

Never edit or reorder a migration that has shipped; add a new one. ``Store`` backs the
file up before it applies anything to an existing database.
"""

from __future__ import annotations

import re
from typing import Any

from sqlite_utils import Database, Migrations

from jb_watchdesk.domain.models import AccountStatus, Platform, Visibility


class _Migrations(Migrations):
    def names(self) -> list[str]:
        """Every migration this version of the software knows, in order."""
        return [migration.name for migration in self._migrations]


MIGRATIONS = _Migrations("jb_watchdesk")


def _in(values: list[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


@MIGRATIONS(name="0001_initial")
def _initial(db: Database) -> None:
    platforms = _in([p.value for p in Platform])
    statuses = _in([s.value for s in AccountStatus])
    statements = [
        f"""
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL CHECK (length(name) > 0),
            platform TEXT NOT NULL CHECK (platform IN ({platforms})),
            unit TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ({statuses})),
            status_changed_at TEXT,
            source TEXT NOT NULL DEFAULT '',
            api_base TEXT NOT NULL DEFAULT '',
            owner TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            -- names of the secrets kept for this account in the OS keyring; never the values
            secret_names TEXT NOT NULL DEFAULT '[]',
            poll_interval_s INTEGER,
            comment_interval_s INTEGER,
            health TEXT NOT NULL DEFAULT 'never_polled'
                CHECK (health IN ('ok', 'degraded', 'auth_expired', 'failing', 'never_polled')),
            health_reason TEXT NOT NULL DEFAULT '',
            health_since TEXT,
            first_polled_at TEXT,
            last_polled_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (platform, name)
        )
        """,
        "CREATE INDEX accounts_unit ON accounts (unit, platform)",
        "CREATE INDEX accounts_status ON accounts (status)",
        """
        CREATE TABLE posts (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            external_id TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL DEFAULT '',
            digest TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            published_at TEXT NOT NULL,
            first_seen_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            content_hash TEXT NOT NULL DEFAULT '',
            edit_count INTEGER NOT NULL DEFAULT 0,
            deleted_at TEXT,
            UNIQUE (account_id, external_id)
        )
        """,
        # freshness: posts of one account by time
        "CREATE INDEX posts_account_published ON posts (account_id, published_at)",
        "CREATE INDEX posts_published ON posts (published_at)",
        """
        CREATE TABLE post_versions (
            id INTEGER PRIMARY KEY,
            post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            digest TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            replaced_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX post_versions_post ON post_versions (post_id)",
        """
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            post_id INTEGER REFERENCES posts (id) ON DELETE SET NULL,
            external_id TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            ack_due TEXT NOT NULL,
            result_due TEXT NOT NULL,
            result_due_estimated INTEGER NOT NULL DEFAULT 0,
            first_seen_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            replied_on_platform_at TEXT,
            acked_at TEXT,
            acked_by TEXT,
            ack_note TEXT,
            done_at TEXT,
            done_by TEXT,
            done_note TEXT,
            deleted_at TEXT,
            UNIQUE (account_id, external_id)
        )
        """,
        # the pending queue and the per-account overdue counts
        "CREATE INDEX comments_open ON comments (account_id, created_at) WHERE done_at IS NULL AND deleted_at IS NULL",
        "CREATE INDEX comments_open_by_due ON comments (ack_due) WHERE done_at IS NULL AND deleted_at IS NULL",
        """
        CREATE TABLE poll_runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            accounts_ok INTEGER NOT NULL DEFAULT 0,
            accounts_failed INTEGER NOT NULL DEFAULT 0,
            items_new INTEGER NOT NULL DEFAULT 0,
            items_updated INTEGER NOT NULL DEFAULT 0,
            note TEXT NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX poll_runs_started ON poll_runs (started_at)",
        """
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            item_kind TEXT NOT NULL CHECK (item_kind IN ('post', 'comment', 'account')),
            item_id INTEGER NOT NULL,
            category TEXT NOT NULL,
            severity TEXT NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
            rule TEXT NOT NULL,
            text TEXT NOT NULL DEFAULT '',
            context TEXT NOT NULL DEFAULT '',
            span_start INTEGER,
            span_end INTEGER,
            confidence REAL NOT NULL DEFAULT 1.0,
            raised_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'acknowledged', 'resolved')),
            ack_by TEXT,
            ack_note TEXT,
            ack_at TEXT,
            resolved_at TEXT,
            UNIQUE (item_kind, item_id, rule)
        )
        """,
        "CREATE INDEX alerts_state ON alerts (state, severity, raised_at)",
        "CREATE INDEX alerts_account ON alerts (account_id, state)",
        """
        CREATE TABLE shifts (
            id INTEGER PRIMARY KEY,
            officer TEXT NOT NULL CHECK (length(officer) > 0),
            started_at TEXT NOT NULL,
            ended_at TEXT,
            end_note TEXT NOT NULL DEFAULT '',
            force_closed_reason TEXT,
            handover_confirmed_at TEXT,
            handover_confirmed_by TEXT
        )
        """,
        "CREATE INDEX shifts_started ON shifts (started_at)",
        # at most one open shift at a time
        "CREATE UNIQUE INDEX shifts_one_open ON shifts ((1)) WHERE ended_at IS NULL",
        """
        CREATE TABLE inspections (
            id INTEGER PRIMARY KEY,
            shift_id INTEGER REFERENCES shifts (id),
            account_id INTEGER REFERENCES accounts (id),
            kind TEXT NOT NULL CHECK (kind IN ('auto', 'manual', 'correction')),
            recorded_at TEXT NOT NULL,
            officer TEXT NOT NULL DEFAULT '',
            checks TEXT NOT NULL DEFAULT '{}',
            finding TEXT NOT NULL DEFAULT '',
            action TEXT NOT NULL DEFAULT '',
            corrects_id INTEGER REFERENCES inspections (id),
            prev_hash TEXT NOT NULL DEFAULT '',
            hash TEXT NOT NULL DEFAULT ''
        )
        """,
        "CREATE INDEX inspections_shift ON inspections (shift_id, recorded_at)",
        "CREATE INDEX inspections_account ON inspections (account_id, recorded_at)",
        """
        CREATE TABLE emergencies (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL CHECK (length(title) > 0),
            keywords TEXT NOT NULL DEFAULT '[]',
            activated_at TEXT NOT NULL,
            activated_by TEXT NOT NULL DEFAULT '',
            first_post_id INTEGER REFERENCES posts (id),
            first_post_at TEXT,
            closed_at TEXT
        )
        """,
        "CREATE INDEX emergencies_open ON emergencies (activated_at) WHERE closed_at IS NULL",
    ]
    for statement in statements:
        db.execute(statement)


@MIGRATIONS(name="0002_alert_details")
def _alert_details(db: Database) -> None:
    statements = [
        # which text of the item the span points into: title, body, digest (posts) or text (comments)
        "ALTER TABLE alerts ADD COLUMN item_field TEXT NOT NULL DEFAULT ''",
        # the same span in UTF-16 units, for Qt highlighting (emoji before a hit shift it)
        "ALTER TABLE alerts ADD COLUMN span_start_utf16 INTEGER",
        "ALTER TABLE alerts ADD COLUMN span_end_utf16 INTEGER",
        # 1 when text and context show personal data in masked form
        "ALTER TABLE alerts ADD COLUMN masked INTEGER NOT NULL DEFAULT 0",
        # how many hits of this rule the item had when the alert was raised
        "ALTER TABLE alerts ADD COLUMN occurrences INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE alerts ADD COLUMN resolved_by TEXT",
        "ALTER TABLE alerts ADD COLUMN resolve_reason TEXT",
        # the notification policy's memory, so a restart neither forgets nor repeats too early
        "ALTER TABLE alerts ADD COLUMN last_notified_at TEXT",
        "ALTER TABLE alerts ADD COLUMN notify_count INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX alerts_notified ON alerts (last_notified_at) WHERE last_notified_at IS NOT NULL",
    ]
    for statement in statements:
        db.execute(statement)


@MIGRATIONS(name="0003_ledger")
def _ledger(db: Database) -> None:
    statements = [
        # The append-only, hash-chained duty record (see storage/audit.py for the hash).
        # AUTOINCREMENT keeps the highest seq ever issued in sqlite_sequence, so deleting the
        # newest rows leaves a trace even though the chain itself still verifies.
        """
        CREATE TABLE ledger (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            ref_table TEXT NOT NULL DEFAULT '',
            ref_id INTEGER,
            corrects_seq INTEGER,
            payload TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )
        """,
        "CREATE INDEX ledger_ref ON ledger (ref_table, ref_id)",
        "CREATE INDEX ledger_kind ON ledger (kind, recorded_at)",
        # A first line of defence against edits through the application's own connection and
        # casual tools; verify() never relies on them, since anyone with the file can drop them.
        """
        CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
        BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END
        """,
        """
        CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
        BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only'); END
        """,
        # the inspection log as the exports read it: by shift and time
        "CREATE INDEX inspections_recorded ON inspections (recorded_at)",
        "CREATE INDEX shifts_ended ON shifts (ended_at)",
    ]
    for statement in statements:
        db.execute(statement)


@MIGRATIONS(name="0004_dashboard_indexes")
def _dashboard_indexes(db: Database) -> None:
    statements = [
        # Comments done after a given instant: with the partial indexes on unfinished comments,
        # "open as of now" is answered from indexes instead of reading every comment.
        "CREATE INDEX comments_done_at ON comments (done_at) WHERE done_at IS NOT NULL AND deleted_at IS NULL",
        # The posts of the last days of every account (freshness), read from the index alone.
        "CREATE INDEX posts_live_published ON posts (published_at, account_id) WHERE deleted_at IS NULL",
        # The per-account counts of open and overdue comments, read from the index alone.
        "CREATE INDEX comments_open_deadlines ON comments (account_id, created_at, ack_due, result_due, acked_at)"
        " WHERE done_at IS NULL AND deleted_at IS NULL",
    ]
    for statement in statements:
        db.execute(statement)


@MIGRATIONS(name="0005_item_marks")
def _item_marks(db: Database) -> None:
    visibilities = _in([v.value for v in Visibility])
    statements = [
        # 1 when the source gave no usable date and published_at is when the desk first saw the
        # post: such a date is shown as estimated and never makes an account look fresh.
        "ALTER TABLE posts ADD COLUMN date_estimated INTEGER NOT NULL DEFAULT 0",
        # whether the platform shows the post to the public; only public posts count toward §3.3
        f"ALTER TABLE posts ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ({visibilities}))",
        # The durable "to scan" mark: NULL until the sensitive-content scan of the current text
        # has stored its alerts (in the same transaction). A crash, a failed neighbour or a
        # restart between storing and scanning leaves the mark, and the next scan takes it.
        "ALTER TABLE posts ADD COLUMN scanned_at TEXT",
        # 1 when the platform gave the comment no usable time: created_at (and the clocks) start
        # when the desk first saw it
        "ALTER TABLE comments ADD COLUMN created_estimated INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE comments ADD COLUMN scanned_at TEXT",
        # Rows stored before this migration were scanned by the cycle that stored them.
        "UPDATE posts SET scanned_at = updated_at",
        "UPDATE comments SET scanned_at = updated_at",
        "CREATE INDEX posts_to_scan ON posts (id) WHERE scanned_at IS NULL",
        "CREATE INDEX comments_to_scan ON comments (id) WHERE scanned_at IS NULL",
        # Freshness counts public posts with a known date only: the index follows the rule.
        "DROP INDEX posts_live_published",
        "CREATE INDEX posts_counted_published ON posts (published_at, account_id)"
        " WHERE deleted_at IS NULL AND date_estimated = 0 AND visibility = 'public'",
        # a post whose id changed is found again by its title (storage.ingest._same_post_new_id)
        "CREATE INDEX posts_account_title ON posts (account_id, title)",
    ]
    for statement in statements:
        db.execute(statement)


@MIGRATIONS(name="0006_alert_reasons")
def _alert_reasons(db: Database) -> None:
    # Why the scanner raised, lowered or kept the hit: a JSON list of [code, cue] pairs
    # (jb_watchdesk.domain.sensitive.reasons), rendered in the officer's language when shown.
    db.execute("ALTER TABLE alerts ADD COLUMN why TEXT NOT NULL DEFAULT '[]'")


@MIGRATIONS(name="0007_triage")
def _triage(db: Database) -> None:
    statements = [
        # Every hit of the alert's category in its item (JSON list, most serious first): one alert
        # per item and category, the hits listed (domain.alerts.AlertHit.stored).
        "ALTER TABLE alerts ADD COLUMN hits TEXT NOT NULL DEFAULT '[]'",
        # the item's publish time and when the desk first stored it (UTC ISO), copied at raise time
        "ALTER TABLE alerts ADD COLUMN published_at TEXT",
        "ALTER TABLE alerts ADD COLUMN seen_at TEXT",
        # 1: the item was already there when the desk first read its account (or was older than
        # 24 h when first seen): counted and listed, never popped up, repeated or escalated
        "ALTER TABLE alerts ADD COLUMN backlog INTEGER NOT NULL DEFAULT 0",
        # the officer put it off until then (pop-ups only; the escalation clock runs on)
        "ALTER TABLE alerts ADD COLUMN deferred_until TEXT",
        "ALTER TABLE alerts ADD COLUMN escalated_at TEXT",
        "ALTER TABLE alerts ADD COLUMN escalation_step INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX alerts_item_category ON alerts (item_kind, item_id, category)",
        "CREATE INDEX alerts_open_live ON alerts (backlog, severity, raised_at) WHERE state = 'new'",
        # What each escalation step did: subject ('alert', 'comment', 'emergency') and its row id,
        # the step (1 = sound at the workstation, 2 = message to the leader on duty), when, and
        # each channel's outcome (JSON [{"channel": masked URL, "ok": bool, "error": text}]).
        """
        CREATE TABLE escalations (
            id INTEGER PRIMARY KEY,
            subject TEXT NOT NULL CHECK (subject IN ('alert', 'comment', 'emergency')),
            ref_id INTEGER NOT NULL,
            step INTEGER NOT NULL CHECK (step > 0),
            at TEXT NOT NULL,
            outcome TEXT NOT NULL DEFAULT '[]',
            UNIQUE (subject, ref_id, step)
        )
        """,
        "CREATE INDEX escalations_at ON escalations (at)",
        # Alerts raised before: their item's times, and backlog by the same rule the scanner uses
        # (first stored by the account's first successful poll, or older than 24 h when first seen).
        """
        UPDATE alerts SET
            published_at = (SELECT p.published_at FROM posts p WHERE p.id = alerts.item_id),
            seen_at = (SELECT p.first_seen_at FROM posts p WHERE p.id = alerts.item_id)
        WHERE item_kind = 'post'
        """,
        """
        UPDATE alerts SET
            published_at = (SELECT c.created_at FROM comments c WHERE c.id = alerts.item_id),
            seen_at = (SELECT c.first_seen_at FROM comments c WHERE c.id = alerts.item_id)
        WHERE item_kind = 'comment'
        """,
        """
        UPDATE alerts SET backlog = 1 WHERE item_kind IN ('post', 'comment') AND (
            seen_at IS NULL
            OR seen_at <= COALESCE((SELECT a.first_polled_at FROM accounts a WHERE a.id = alerts.account_id), seen_at)
            OR julianday(published_at) < julianday(seen_at) - 1
        )
        """,
    ]
    for statement in statements:
        db.execute(statement)
    _without_rule_uniqueness(db)
    _merge_open_alerts(db)
    # one open alert per item and category (history may hold several); what the store relies on
    db.execute("CREATE UNIQUE INDEX alerts_open_item_category ON alerts (item_kind, item_id, category) WHERE state = 'new'")
    # Alerts from before escalation existed never escalate (-1): an upgrade must not ring the
    # workstation and message the leader about alerts the officer already saw under the old desk.
    db.execute("UPDATE alerts SET escalation_step = -1")
    # what rebuilding a past instant's counts looks up per alert (its latest deferral)
    db.execute("CREATE INDEX ledger_kind_ref ON ledger (kind, ref_id, recorded_at)")


def _without_rule_uniqueness(db: Database) -> None:
    """Rebuild ``alerts`` without ``UNIQUE (item_kind, item_id, rule)``: one alert now stands for an
    item and category, and its shown rule changes with its most serious hit, so an acknowledged
    alert and a newer one of the same item may show the same rule."""
    (create,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'alerts'").fetchone()
    indexes = [
        sql for (sql,) in db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alerts' AND sql IS NOT NULL")
    ]
    rebuilt = re.sub(r",\s*UNIQUE \(item_kind, item_id, rule\)", "", create, count=1)
    if rebuilt == create:
        raise RuntimeError("alerts: the per-rule uniqueness to remove was not found")
    rebuilt = rebuilt.replace("CREATE TABLE alerts", "CREATE TABLE alerts_rebuilt", 1)
    columns = ", ".join(row[1] for row in db.execute("PRAGMA table_info(alerts)").fetchall())
    db.execute(rebuilt)
    db.execute(f"INSERT INTO alerts_rebuilt ({columns}) SELECT {columns} FROM alerts")  # noqa: S608 - the table's own columns
    db.execute("DROP TABLE alerts")
    db.execute("ALTER TABLE alerts_rebuilt RENAME TO alerts")
    for sql in indexes:
        db.execute(sql)


def _merge_open_alerts(db: Database) -> None:
    """Fold the new alerts one item had per rule into one per item and category (the most serious kept).

    The others are resolved as ``merged`` (their ids stay valid for the ledger rows that name them);
    acknowledged and resolved alerts are history and stay as they were.
    """
    import json  # noqa: PLC0415 - only this migration needs it

    rows = list(
        db.query(
            "SELECT id, item_kind, item_id, category, severity, rule, text, item_field, span_start, span_end, "
            "span_start_utf16, span_end_utf16, confidence, occurrences, why, raised_at FROM alerts WHERE state = 'new' "
            "ORDER BY item_kind, item_id, category, id"
        )
    )
    rank = {"high": 3, "medium": 2, "low": 1}
    groups: dict[tuple[str, int, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((str(row["item_kind"]), int(row["item_id"]), str(row["category"])), []).append(row)
    for group in groups.values():
        group.sort(key=lambda row: (-rank.get(str(row["severity"]), 0), -float(row["confidence"]), int(row["id"])))
        hits = [
            {
                "rule": row["rule"],
                "severity": row["severity"],
                "text": row["text"],
                "field": row["item_field"],
                "start": row["span_start"],
                "end": row["span_end"],
                "start16": row["span_start_utf16"],
                "end16": row["span_end_utf16"],
                "confidence": row["confidence"],
                "occurrences": row["occurrences"],
                "why": json.loads(str(row["why"] or "[]")),
            }
            for row in group
        ]
        keep, others = group[0], group[1:]
        db.execute("UPDATE alerts SET hits = ? WHERE id = ?", [json.dumps(hits, ensure_ascii=False), keep["id"]])
        for row in others:
            db.execute(
                "UPDATE alerts SET state = 'resolved', resolved_at = ?, resolve_reason = 'merged' WHERE id = ?",
                [keep["raised_at"], row["id"]],
            )


@MIGRATIONS(name="0008_duty_record")
def _duty_record(db: Database) -> None:
    statements = [
        # An officer's reading of an account no machine source reads (kind 'manual' with
        # latest_post_at set): what was seen on the platform, feeding freshness and the queue.
        "ALTER TABLE inspections ADD COLUMN latest_post_at TEXT",
        "ALTER TABLE inspections ADD COLUMN posts_seen INTEGER",
        "ALTER TABLE inspections ADD COLUMN comments_waiting INTEGER",
        "ALTER TABLE inspections ADD COLUMN link TEXT NOT NULL DEFAULT ''",
        "CREATE INDEX inspections_reading ON inspections (account_id, recorded_at) WHERE latest_post_at IS NOT NULL",
        # Monitoring gaps: from the last completed cycle to the next one (UTC ISO); cause 'quit',
        # 'pause', 'crash' (found from the heartbeat at the next start) or 'unknown'; who and why.
        """
        CREATE TABLE gaps (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            cause TEXT NOT NULL CHECK (cause IN ('quit', 'pause', 'crash', 'unknown')),
            reason TEXT NOT NULL DEFAULT '',
            officer TEXT NOT NULL DEFAULT '',
            recorded_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX gaps_started ON gaps (started_at)",
        # An emergency cancelled (mistyped, a false alarm) or corrected by a new one: the old row
        # keeps what was typed; the ledger holds who, when and why.
        "ALTER TABLE emergencies ADD COLUMN cancelled_at TEXT",
        "ALTER TABLE emergencies ADD COLUMN cancelled_by TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE emergencies ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE emergencies ADD COLUMN corrects_id INTEGER REFERENCES emergencies (id)",
    ]
    for statement in statements:
        db.execute(statement)


@MIGRATIONS(name="0009_inspection_cycles")
def _inspection_cycles(db: Database) -> None:
    # One row per poll cycle for its automatic inspections (one per polled account), instead of a
    # row and a ledger row per account: ~1.2 KB per account per cycle was 170 MB a day at 1,000
    # accounts every 10 minutes. What each inspection found lives in the cycle's one ledger row
    # (kind 'auto_inspections', storage/inspections.py describes the payload); this row is how
    # reports find the cycles of a shift or a period. The cycle's inspections take the ids
    # first_id, first_id + 1, … in account order, from the same sequence as the rows of
    # ``inspections``. Rows written before stay as they are, with their own ledger rows.
    statements = [
        """
        CREATE TABLE inspection_cycles (
            id INTEGER PRIMARY KEY,
            recorded_at TEXT NOT NULL,
            shift_id INTEGER REFERENCES shifts (id),
            first_id INTEGER NOT NULL CHECK (first_id > 0),
            accounts INTEGER NOT NULL CHECK (accounts > 0)
        )
        """,
        "CREATE INDEX inspection_cycles_recorded ON inspection_cycles (recorded_at)",
        "CREATE INDEX inspection_cycles_shift ON inspection_cycles (shift_id, recorded_at)",
        "CREATE UNIQUE INDEX inspection_cycles_first ON inspection_cycles (first_id)",
    ]
    for statement in statements:
        db.execute(statement)


READ_ONLY_STAND_INS: dict[str, tuple[str, ...]] = {
    # Only adds a table: a read-only copy made before it (every archive of an earlier release) is
    # read with an empty stand-in, so its reports, inspections and ledger check work unchanged.
    "0009_inspection_cycles": (
        """CREATE TEMP TABLE inspection_cycles (
            id INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, shift_id INTEGER,
            first_id INTEGER NOT NULL, accounts INTEGER NOT NULL)""",
    ),
}
"""Migrations a read-only database may lack: each only adds what readers find empty, so a
connection that cannot migrate creates these TEMP tables instead (on that connection only)."""
