"""The duty record: an append-only, hash-chained ledger, and ``verify()``.

Design
------
Every event that belongs to the record (an inspection, a correction, a shift start or end, a
handover confirmation, an emergency activation and its first post, an alert acknowledgement, a
comment action) appends one row to the ``ledger`` table *in the same transaction* as the change it
records, so the record and the working tables never disagree after a crash. A poll cycle's
automatic inspections are one event: one row for the whole cycle (``AUTO_INSPECTIONS``; before
migration 0009 they were a row each, and those rows stay).

A row holds ``seq`` (1, 2, 3 … with no gaps), ``kind``, what it refers to (``ref_table``,
``ref_id``), the ``seq`` of the row it corrects (``corrects_seq``; corrections are new rows, never
edits), a canonical JSON ``payload`` (sorted keys, no spaces, UTF-8), ``recorded_at`` (UTC
ISO-8601), ``prev_hash`` (the previous row's ``hash``; 64 zeros for the first row) and::

    hash = SHA-256(prev_hash \\n seq \\n kind \\n ref_table \\n ref_id \\n corrects_seq \\n recorded_at \\n payload)

with empty text for a missing ``ref_id`` or ``corrects_seq``. Canonical JSON escapes line feeds,
and the other fields cannot hold one, so the framing is unambiguous.

What ``verify()`` detects
-------------------------
* an edited row: its recomputed hash differs from the stored one;
* a row rewritten together with its hash: the next row's ``prev_hash`` no longer matches;
* a deleted row: a gap in ``seq``; deleted newest rows: ``sqlite_sequence`` remembers a higher
  ``seq`` than the table holds (``AUTOINCREMENT``);
* an inserted row: a hash that does not match, or a working-table row (an inspection, a shift,
  an emergency) that no ledger row records, or one that differs from what its ledger row says;
* an officer's acknowledgement or resolution of an alert, or acknowledgement or closing of a
  comment, changed, removed or made up in the alerts or comments table. (What the scanner and
  the poller write there — raising an alert, a reply seen on the platform — is not ledgered.)

Triggers refuse UPDATE and DELETE on ``ledger`` as a first line of defence, but ``verify()`` does
not rely on them: anyone with the file can drop a trigger. What a chain alone cannot show is a
consistent rewrite of the newest rows by someone who knows this algorithm; that is what the
*anchor* is for: the head ``seq``, row count and head hash, printed into every export. Checking
the ledger against an anchor from an earlier export (``verify(db, anchor=...)``) proves that the
rows up to that point are the ones that were exported.

Appends serialise on ``seq``, the primary key: two writers can never fork the chain, the second
one's insert fails and its transaction rolls back.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlite_utils import Database

from jb_watchdesk.domain import messages
from jb_watchdesk.storage.codec import to_db

GENESIS_HASH: Final = "0" * 64
BATCH_ROWS: Final = 20_000

# kinds of ledger rows
INSPECTION: Final = "inspection"
CORRECTION: Final = "correction"
READING: Final = "reading"
SHIFT_START: Final = "shift_start"
SHIFT_END: Final = "shift_end"
HANDOVER_CONFIRM: Final = "handover_confirm"
EMERGENCY_START: Final = "emergency_start"
EMERGENCY_POST: Final = "emergency_post"
ALERT_ACK: Final = "alert_ack"
ALERT_RESOLVE: Final = "alert_resolve"
ALERT_DEFER: Final = "alert_defer"
ESCALATION: Final = "escalation"
COMMENT_ACTION: Final = "comment_action"
MONITORING_GAP: Final = "monitoring_gap"
EMERGENCY_CANCEL: Final = "emergency_cancel"
#: one poll cycle's automatic inspections (``storage/inspections.py`` describes the payload)
AUTO_INSPECTIONS: Final = "auto_inspections"
#: ``alerts.resolve_reason`` of an alert an officer resolved (recorded here); other reasons are the system's.
OFFICER_RESOLUTION: Final = "officer"

_NAME: Final = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One event to append: ``payload`` must hold only JSON values (text, numbers, None, lists, dicts)."""

    kind: str
    payload: Mapping[str, object]
    ref_table: str = ""
    ref_id: int | None = None
    corrects_seq: int | None = None


@dataclass(frozen=True, slots=True)
class LedgerRow:
    seq: int
    kind: str
    ref_table: str
    ref_id: int | None
    corrects_seq: int | None
    payload: str
    recorded_at: str
    prev_hash: str
    hash: str

    def data(self) -> dict[str, object]:
        """The payload as a dict."""
        data: dict[str, object] = json.loads(self.payload)
        return data


# How an anchor is written: the short form ``SEQ:HASH`` (``log verify`` prints it), or the long
# form the exports print, in either language: ``序号 490 条数 490 SHA-256 …``, ``no. 490, 490 rows,
# SHA-256 …`` (and ``seq=490 条数=490 SHA-256=…``). The long form is read by its labels, so the
# whole line of a PDF footer or an XLSX cover cell may be pasted as it is.
_SHORT_ANCHOR: Final = re.compile(r"\s*(\d{1,19})\s*[:：]\s*([0-9a-fA-F]{64})\s*")
_ANCHOR_HASH: Final = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{64}(?![0-9A-Za-z])")
_ANCHOR_SEQ: Final = re.compile(r"(?:序号|(?<![A-Za-z])(?:seq|no)\.?)\s*[=:：#]?\s*(\d{1,19})(?!\d)", re.IGNORECASE)
_ANCHOR_COUNT: Final = re.compile(r"条数\s*[=:：]?\s*(\d{1,19})|(\d{1,19})\s*rows?(?![A-Za-z])|count\s*[=:：]?\s*(\d{1,19})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Anchor:
    """The head of the chain at one instant: written into exports, checked by ``log verify --anchor``."""

    seq: int
    count: int
    head_hash: str

    def text(self) -> str:
        return f"{self.seq}:{self.head_hash}"

    @classmethod
    def parse(cls, value: str) -> Anchor:
        """An anchor as an export prints it (long form, either language) or as ``SEQ:HASH``.

        Raises ValueError for anything else: no hash, two different hashes, no sequence number,
        or sequence 0 (the empty record) with a hash other than the genesis hash.
        """
        short = _SHORT_ANCHOR.fullmatch(value)
        if short:
            seq, digest, count = int(short.group(1)), short.group(2).lower(), None
        else:
            hashes = list(_ANCHOR_HASH.finditer(value))
            if len({h.group().lower() for h in hashes}) != 1:
                raise ValueError(value)
            # the label nearest before the hash: a pasted footer may number other things first
            labels = [m for m in _ANCHOR_SEQ.finditer(value, 0, hashes[0].start())]
            if not labels:
                raise ValueError(value)
            seq, digest = int(labels[-1].group(1)), hashes[0].group().lower()
            count_match = _ANCHOR_COUNT.search(value, labels[-1].end(), hashes[0].start())
            count = int(next(g for g in count_match.groups() if g)) if count_match else None
        if seq == 0 and digest != GENESIS_HASH:
            raise ValueError(value)
        return cls(seq=seq, count=seq if count is None else count, head_hash=digest)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of ``verify``: ``first_broken`` is the ledger ``seq`` of the first bad row, if any.

    ``where`` names the bad row for the officer (``ledger#42``, ``inspections#7``) also when the
    problem is in a working table that no ledger row explains; ``reason`` says what is wrong.

    ``tampered`` says the record itself was changed. A result that is not ``ok`` but not
    ``tampered`` is an anchor the record cannot confirm for another reason: its sequence number is
    beyond the record's head (``anchor_beyond``: another workspace, a mistyped number, or rows
    removed from the end together with SQLite's own counter), or its hash belongs to another row
    (``anchor_misnumbered``: the number was mistyped; ``params`` names the row that carries it).
    """

    ok: bool
    rows_checked: int
    first_broken: int | None = None
    reason: str = ""
    where: str = ""
    head: Anchor = field(default_factory=lambda: Anchor(0, 0, GENESIS_HASH))
    code: str = ""
    params: tuple[tuple[str, object], ...] = ()
    tampered: bool = False

    def describe(self, language: str | None = None) -> str:
        """The reason in the officer's language."""
        return messages.text(f"log.reason.{self.code}", language, **dict(self.params)) if self.code else ""


def _broken(checked: int, first: int | None, where: str, code: str, head: Anchor | None = None, /, **params: object) -> VerifyResult:
    reason = messages.text(f"log.reason.{code}", "en", **params)
    head = head or Anchor(0, 0, GENESIS_HASH)
    return VerifyResult(False, checked, first, reason, where, head, code, tuple(params.items()), tampered=True)


def _unconfirmed(checked: int, head: Anchor, code: str, /, **params: object) -> VerifyResult:
    """An anchor the record cannot confirm though nothing shows the record was changed."""
    reason = messages.text(f"log.reason.{code}", "en", **params)
    return VerifyResult(False, checked, None, reason, "", head, code, tuple(params.items()), tampered=False)


def canonical_json(payload: Mapping[str, object]) -> str:
    """The one text form of a payload that its hash covers."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def row_hash(
    *,
    prev_hash: str,
    seq: int,
    kind: str,
    ref_table: str,
    ref_id: int | None,
    corrects_seq: int | None,
    recorded_at: str,
    payload: str,
) -> str:
    """SHA-256 of one row, exactly as ``verify`` recomputes it in SQL."""
    message = "\n".join(
        (
            prev_hash,
            str(seq),
            kind,
            ref_table,
            "" if ref_id is None else str(ref_id),
            "" if corrects_seq is None else str(corrects_seq),
            recorded_at,
            payload,
        )
    )
    return hashlib.sha256(message.encode("utf-8")).hexdigest()


def _head(db: Database) -> tuple[int, str]:
    row = db.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
    return (0, GENESIS_HASH) if row is None else (int(row[0]), str(row[1]))


def append_many(db: Database, entries: Sequence[Entry], *, now: datetime) -> list[LedgerRow]:
    """Append ``entries`` in order, all stamped ``now``; joins the caller's transaction if there is one."""
    recorded_at = to_db(now)
    assert recorded_at is not None
    rows: list[LedgerRow] = []
    with db.atomic():
        seq, prev = _head(db)
        for entry in entries:
            if not _NAME.fullmatch(entry.kind) or (entry.ref_table and not _NAME.fullmatch(entry.ref_table)):
                raise ValueError(f"bad ledger kind or table: {entry.kind!r} {entry.ref_table!r}")
            seq += 1
            payload = canonical_json(entry.payload)
            digest = row_hash(
                prev_hash=prev,
                seq=seq,
                kind=entry.kind,
                ref_table=entry.ref_table,
                ref_id=entry.ref_id,
                corrects_seq=entry.corrects_seq,
                recorded_at=recorded_at,
                payload=payload,
            )
            rows.append(
                LedgerRow(seq, entry.kind, entry.ref_table, entry.ref_id, entry.corrects_seq, payload, recorded_at, prev, digest)
            )
            prev = digest
        db.conn.executemany(
            "INSERT INTO ledger (seq, kind, ref_table, ref_id, corrects_seq, payload, recorded_at, prev_hash, hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (r.seq, r.kind, r.ref_table, r.ref_id, r.corrects_seq, r.payload, r.recorded_at, r.prev_hash, r.hash)
                for r in rows
            ],
        )
    return rows


def append(db: Database, entry: Entry, *, now: datetime) -> LedgerRow:
    """Append one entry (see ``append_many``)."""
    return append_many(db, [entry], now=now)[0]


def _row(values: Sequence[object]) -> LedgerRow:
    return LedgerRow(*values)  # type: ignore[arg-type]


_COLUMNS: Final = "seq, kind, ref_table, ref_id, corrects_seq, payload, recorded_at, prev_hash, hash"


def get(db: Database, seq: int) -> LedgerRow | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM ledger WHERE seq = ?", [seq]).fetchone()  # noqa: S608
    return None if row is None else _row(row)


def rows_for(db: Database, *, ref_table: str, ref_id: int) -> list[LedgerRow]:
    """Every ledger row about one record, oldest first."""
    cursor = db.execute(
        f"SELECT {_COLUMNS} FROM ledger WHERE ref_table = ? AND ref_id = ? ORDER BY seq",  # noqa: S608
        [ref_table, ref_id],
    )
    return [_row(r) for r in cursor.fetchall()]


def rows_between(db: Database, *, start: datetime, end: datetime, kinds: Sequence[str] = ()) -> Iterator[LedgerRow]:
    """Ledger rows recorded in ``[start, end)``, oldest first, optionally of some kinds only."""
    where = "recorded_at >= ? AND recorded_at < ?"
    params: list[object] = [to_db(start), to_db(end)]
    if kinds:
        where += f" AND kind IN ({', '.join('?' for _ in kinds)})"
        params.extend(kinds)
    cursor = db.execute(f"SELECT {_COLUMNS} FROM ledger WHERE {where} ORDER BY seq", params)  # noqa: S608
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield from (_row(r) for r in batch)


def anchor(db: Database) -> Anchor:
    """The current head: what an export records so a later ``verify`` can prove nothing before it changed."""
    seq, digest = _head(db)
    count = db.execute("SELECT COUNT(*) FROM ledger").fetchone()[0]
    return Anchor(seq=seq, count=int(count), head_hash=digest)


# The message each hash covers, built by SQLite in C so verification pays Python only for the digest.
_VERIFY_SQL: Final = """
SELECT seq, prev_hash, hash,
       prev_hash || char(10) || seq || char(10) || kind || char(10) || ref_table || char(10)
       || ifnull(ref_id, '') || char(10) || ifnull(corrects_seq, '') || char(10) || recorded_at
       || char(10) || payload
FROM ledger ORDER BY seq
"""


@dataclass(frozen=True, slots=True)
class _Mirror:
    """A working table whose rows must each agree with the ledger rows that recorded them.

    ``sql`` returns ``(ledger_seq, row_id)`` of the first disagreement; ``ledger_seq`` is NULL
    when no ledger row records the row at all.
    """

    table: str
    sql: str


_SAME = "{column} IS NOT json_extract({alias}.payload, '$.{key}')"


def _differs(alias: str, pairs: Sequence[tuple[str, str]]) -> str:
    return " OR ".join(_SAME.format(column=c, alias=alias, key=k) for c, k in pairs)


MIRRORS: Final = (
    _Mirror(
        "inspections",
        f"""
        SELECT seq, row_id FROM (
        SELECT l.seq AS seq, l.ref_id AS row_id FROM ledger l LEFT JOIN inspections i ON i.id = l.ref_id
        WHERE l.ref_table = 'inspections' AND (
            i.id IS NULL OR i.hash IS NOT l.hash OR i.prev_hash IS NOT l.prev_hash
            OR {_differs("l", [("i.shift_id", "shift_id"), ("i.account_id", "account_id"), ("i.kind", "kind"),
                               ("i.recorded_at", "recorded_at"), ("i.officer", "officer"), ("i.finding", "finding"),
                               ("i.action", "action"), ("i.corrects_id", "corrects_id")])}
            OR {_differs("l", [("i.latest_post_at", "latest_post_at"), ("i.posts_seen", "posts_seen"),
                               ("i.comments_waiting", "comments_waiting")])}
            OR i.link IS NOT ifnull(json_extract(l.payload, '$.link'), '')
            OR CASE WHEN json_valid(i.checks) THEN json(i.checks) END
               IS NOT json_extract(l.payload, '$.checks')
        )
        UNION ALL
        SELECT NULL, i.id FROM inspections i
        WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.ref_table = 'inspections' AND l.ref_id = i.id)
        ) ORDER BY seq IS NULL, seq, row_id LIMIT 1
        """,  # noqa: S608 - constant fragments
    ),
    # Automatic inspections since 0009: a cycle row per ledger row, agreeing with it; the results
    # themselves are only in the ledger row, which the chain covers.
    _Mirror(
        "inspection_cycles",
        f"""
        SELECT seq, row_id FROM (
        SELECT l.seq AS seq, l.ref_id AS row_id FROM ledger l LEFT JOIN inspection_cycles c ON c.id = l.ref_id
        WHERE l.ref_table = 'inspection_cycles' AND (
            c.id IS NULL OR l.kind IS NOT '{AUTO_INSPECTIONS}' OR c.recorded_at IS NOT l.recorded_at
            OR {_differs("l", [("c.recorded_at", "recorded_at"), ("c.shift_id", "shift_id"), ("c.first_id", "first_id"),
                               ("c.accounts", "accounts")])}
        )
        UNION ALL
        SELECT NULL, c.id FROM inspection_cycles c
        WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.ref_table = 'inspection_cycles' AND l.ref_id = c.id)
        ) ORDER BY seq IS NULL, seq, row_id LIMIT 1
        """,  # noqa: S608 - constant fragments
    ),
    _Mirror(
        "shifts",
        f"""
        SELECT a.seq, s.id FROM shifts s
        LEFT JOIN ledger a ON a.ref_table = 'shifts' AND a.ref_id = s.id AND a.kind = '{SHIFT_START}'
        LEFT JOIN ledger e ON e.ref_table = 'shifts' AND e.ref_id = s.id AND e.kind = '{SHIFT_END}'
        LEFT JOIN ledger h ON h.ref_table = 'shifts' AND h.ref_id = s.id AND h.kind = '{HANDOVER_CONFIRM}'
        WHERE a.seq IS NULL
           OR {_differs("a", [("s.officer", "officer"), ("s.started_at", "started_at")])}
           OR {_differs("e", [("s.ended_at", "ended_at"), ("s.force_closed_reason", "force_closed_reason")])}
           OR s.end_note IS NOT ifnull(json_extract(e.payload, '$.note'), '')
           OR {_differs("h", [("s.handover_confirmed_at", "confirmed_at"), ("s.handover_confirmed_by", "officer")])}
        ORDER BY a.seq IS NULL, a.seq, s.id LIMIT 1
        """,  # noqa: S608 - constant fragments
    ),
    _Mirror(
        "emergencies",
        f"""
        SELECT a.seq, m.id FROM emergencies m
        LEFT JOIN ledger a ON a.ref_table = 'emergencies' AND a.ref_id = m.id AND a.kind = '{EMERGENCY_START}'
        LEFT JOIN ledger p ON p.ref_table = 'emergencies' AND p.ref_id = m.id AND p.kind = '{EMERGENCY_POST}'
        LEFT JOIN ledger c ON c.ref_table = 'emergencies' AND c.ref_id = m.id AND c.kind = '{EMERGENCY_CANCEL}'
        WHERE a.seq IS NULL
           OR {_differs("a", [("m.title", "title"), ("m.activated_at", "activated_at"), ("m.activated_by", "activated_by")])}
           OR m.keywords IS NOT json_extract(a.payload, '$.keywords_json')
           OR {_differs("p", [("m.first_post_id", "post_id"), ("m.first_post_at", "first_post_at")])}
           OR m.corrects_id IS NOT json_extract(a.payload, '$.corrects_id')
           OR m.cancelled_at IS NOT json_extract(c.payload, '$.cancelled_at')
           OR m.cancelled_by IS NOT ifnull(json_extract(c.payload, '$.officer'), '')
           OR m.cancel_reason IS NOT ifnull(json_extract(c.payload, '$.reason'), '')
        ORDER BY a.seq IS NULL, a.seq, m.id LIMIT 1
        """,  # noqa: S608 - constant fragments
    ),
    # Monitoring gaps: each gap as its latest ledger row (start, end or whole) says, and none unrecorded.
    _Mirror(
        "gaps",
        f"""
        SELECT seq, row_id FROM (
        SELECT l.seq AS seq, l.ref_id AS row_id FROM ledger l LEFT JOIN gaps g ON g.id = l.ref_id
        WHERE l.ref_table = 'gaps' AND l.kind = '{MONITORING_GAP}'
          AND l.seq = (SELECT MAX(x.seq) FROM ledger x WHERE x.ref_table = 'gaps' AND x.ref_id = l.ref_id)
          AND (g.id IS NULL OR {_differs("l", [("g.started_at", "started_at"), ("g.ended_at", "ended_at"), ("g.cause", "cause"),
                                               ("g.reason", "reason"), ("g.officer", "officer")])})
        UNION ALL
        SELECT NULL, g.id FROM gaps g
        WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.ref_table = 'gaps' AND l.ref_id = g.id)
        ) ORDER BY seq IS NULL, seq, row_id LIMIT 1
        """,  # noqa: S608 - constant fragments
    ),
    # Alerts: what an officer's acknowledgement or resolution set must be what the ledger says, and
    # an acknowledged (or officer-resolved) alert needs its ledger row. Alerts the scanner raised
    # and the system resolved are not ledgered, so only their officer-facing part is checked.
    _Mirror(
        "alerts",
        f"""
        SELECT seq, row_id FROM (
        SELECT l.seq AS seq, l.ref_id AS row_id FROM ledger l LEFT JOIN alerts a ON a.id = l.ref_id
        WHERE l.ref_table = 'alerts' AND (
            a.id IS NULL OR {_differs("l", [("a.account_id", "account_id")])}
            OR (l.kind IN ('{ALERT_ACK}', '{ALERT_RESOLVE}') AND {_differs("l", [("a.rule", "rule")])})
            OR (l.kind = '{ALERT_ACK}' AND (
                a.state = 'new' OR a.ack_at IS NOT l.recorded_at
                OR {_differs("l", [("a.ack_by", "officer"), ("a.ack_note", "note")])}))
            OR (l.kind = '{ALERT_RESOLVE}' AND (
                a.state IS NOT 'resolved' OR a.resolved_at IS NOT l.recorded_at
                OR a.resolve_reason IS NOT '{OFFICER_RESOLUTION}' OR {_differs("l", [("a.resolved_by", "officer")])}))
        )
        UNION ALL
        SELECT NULL, a.id FROM alerts a
        WHERE (a.state = 'acknowledged' OR a.ack_at IS NOT NULL OR a.ack_by IS NOT NULL) AND NOT EXISTS (
            SELECT 1 FROM ledger l WHERE l.ref_table = 'alerts' AND l.ref_id = a.id AND l.kind = '{ALERT_ACK}')
        UNION ALL
        SELECT NULL, a.id FROM alerts a
        WHERE a.resolve_reason = '{OFFICER_RESOLUTION}' AND NOT EXISTS (
            SELECT 1 FROM ledger l WHERE l.ref_table = 'alerts' AND l.ref_id = a.id AND l.kind = '{ALERT_RESOLVE}')
        ) ORDER BY seq IS NULL, seq, row_id LIMIT 1
        """,  # noqa: S608 - constant fragments
    ),
    # Comments: an officer's acknowledgement and closing (with their notes) against the ledger. A
    # reply seen on the platform sets the times without a note and is not ledgered.
    _Mirror(
        "comments",
        f"""
        SELECT seq, row_id FROM (
        SELECT l.seq AS seq, l.ref_id AS row_id FROM ledger l LEFT JOIN comments c ON c.id = l.ref_id
        WHERE l.ref_table = 'comments' AND l.kind = '{COMMENT_ACTION}' AND (
            c.id IS NULL OR {_differs("l", [("c.account_id", "account_id")])}
            OR (json_extract(l.payload, '$.action') = 'acknowledged' AND (
                c.acked_at IS NOT l.recorded_at OR {_differs("l", [("c.acked_by", "officer"), ("c.ack_note", "note")])}))
            OR (json_extract(l.payload, '$.action') = 'done' AND (
                c.done_at IS NOT l.recorded_at OR c.acked_at IS NULL
                OR {_differs("l", [("c.done_by", "officer"), ("c.done_note", "note")])}))
        )
        UNION ALL
        SELECT NULL, c.id FROM comments c
        WHERE c.ack_note IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM ledger l WHERE l.ref_table = 'comments' AND l.ref_id = c.id
            AND json_extract(l.payload, '$.action') = 'acknowledged')
        UNION ALL
        SELECT NULL, c.id FROM comments c
        WHERE c.done_note IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM ledger l WHERE l.ref_table = 'comments' AND l.ref_id = c.id
            AND json_extract(l.payload, '$.action') = 'done')
        ) ORDER BY seq IS NULL, seq, row_id LIMIT 1
        """,  # noqa: S608 - constant fragments
    ),
)


def _check_chain(db: Database) -> tuple[VerifyResult | None, int, int, str]:
    """Walk the chain; returns (failure or None, rows checked, last seq, last hash)."""
    sha256 = hashlib.sha256
    expected = 1
    prev = GENESIS_HASH
    checked = 0
    cursor = db.conn.execute(_VERIFY_SQL)
    while batch := cursor.fetchmany(BATCH_ROWS):
        for seq, prev_hash, stored, message in batch:
            checked += 1
            if seq != expected:
                if seq < expected:  # only a row inserted with a seq below 1 sorts before the first
                    return _broken(checked, seq, f"ledger#{seq}", "outside", seq=seq), checked, 0, prev
                return _broken(checked, expected, f"ledger#{expected}", "missing", seq=expected), checked, expected - 1, prev
            if message is None or sha256(message.encode("utf-8")).hexdigest() != stored:
                return _broken(checked, seq, f"ledger#{seq}", "edited", seq=seq), checked, seq, prev
            if prev_hash != prev:
                # This row is intact, so the one before it was rewritten together with its hash.
                if seq == 1:
                    return _broken(checked, 1, "ledger#1", "first_link"), checked, seq, prev
                return _broken(checked, seq - 1, f"ledger#{seq - 1}", "replaced", seq=seq - 1, next=seq), checked, seq, prev
            prev = stored
            expected += 1
    return None, checked, expected - 1, prev


def _check_anchor(db: Database, point: Anchor, *, checked: int, head: Anchor) -> VerifyResult | None:
    """None when the row ``point`` names still carries its hash; else why not (tampered or not)."""
    if point.seq == 0:  # the empty record: nothing before it to prove (``parse`` checked the hash)
        return None
    row = get(db, point.seq)
    if row is not None and row.hash == point.head_hash:
        return None
    found = db.execute("SELECT seq FROM ledger WHERE hash = ? ORDER BY seq LIMIT 1", [point.head_hash]).fetchone()
    if found is not None:
        return _unconfirmed(checked, head, "anchor_misnumbered", seq=point.seq, found=int(found[0]))
    if row is None:
        return _unconfirmed(checked, head, "anchor_beyond", seq=point.seq, last=head.seq, first=head.seq + 1)
    where = f"ledger#{point.seq}"
    return _broken(checked, point.seq, where, "anchor", head, seq=point.seq, digest=point.head_hash[:12])


def verify(db: Database, *, anchor_point: Anchor | None = None) -> VerifyResult:
    """Check the whole ledger and the working tables it records; stops at the first problem.

    ``anchor_point`` (from an earlier export) adds a check that the row it names still carries
    the same hash, which catches a consistent rewrite of the chain up to that point. Only a row
    that carries another hash is tampering; an anchor beyond the record's head or whose hash
    belongs to another row is reported as such (``tampered`` False), after every other check,
    so a real break elsewhere is never hidden behind it.
    """
    failure, checked, last_seq, last_hash = _check_chain(db)
    if failure is not None:
        return failure
    head = Anchor(seq=last_seq, count=checked, head_hash=last_hash)
    issued = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'ledger'").fetchone()
    if issued is not None and int(issued[0]) > last_seq:
        missing = last_seq + 1
        return _broken(checked, missing, f"ledger#{missing}", "tail_deleted", head, seq=missing, last=int(issued[0]))
    unconfirmed = None
    if anchor_point is not None:
        unconfirmed = _check_anchor(db, anchor_point, checked=checked, head=head)
        if unconfirmed is not None and unconfirmed.tampered:
            return unconfirmed
    tables = {str(name) for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
    for mirror in MIRRORS:
        if mirror.table not in tables:
            # a copy from before the migration that made the table (read-only, never migrated):
            # nothing can be recorded about it, unless the table was dropped behind the app's back
            bad = db.execute("SELECT seq, ref_id FROM ledger WHERE ref_table = ? ORDER BY seq LIMIT 1", [mirror.table]).fetchone()
        else:
            bad = db.execute(mirror.sql).fetchone()
        if bad is not None:
            seq, row_id = bad
            where = f"{mirror.table}#{row_id}"
            if seq is None:
                return _broken(checked, None, where, "not_in_ledger", head, table=mirror.table, row=row_id)
            return _broken(checked, seq, where, "differs", head, table=mirror.table, row=row_id, seq=seq)
    return unconfirmed or VerifyResult(True, checked, None, "", "", head)
