"""Writing what a poll fetched: idempotent, one transaction per account.

A re-fetched post updates its row, never duplicates it (a batch is de-duplicated by external
id first: paged APIs repeat items); when its text changed, the old text is kept in
``post_versions``, and a later, better date corrects the stored one. A post the platform marks
deleted is marked, never removed. Comments get their §3.7 deadlines when first seen. Whatever
goes wrong halfway, an account's results are either all stored or not at all.

Every new or changed item is stored with its "to scan" mark set (``scanned_at`` NULL); the
scanner clears it in the transaction that stores the item's alerts, so an item is scanned
once whatever happens between the two.

A post can never have been published after the desk first saw it: a date in the future (Beijing
time labelled GMT is common in RSSHub and WeWe RSS output) is stored as the first-seen time.

The incoming items are read through small protocols, so this module needs nothing from
the connectors package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final, Protocol, TypeVar, cast

from sqlite_utils import Database

from jb_watchdesk.domain.models import CONTENT_ID_PREFIX, CommentSla, Health, Visibility
from jb_watchdesk.storage.codec import from_db, to_db

PLATFORM_REPLY = "platform reply"


class IncomingPost(Protocol):
    @property
    def external_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def digest(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def published_at(self) -> datetime: ...
    @property
    def deleted(self) -> bool: ...
    @property
    def date_estimated(self) -> bool: ...
    @property
    def visibility(self) -> Visibility: ...


class IncomingComment(Protocol):
    @property
    def external_id(self) -> str: ...
    @property
    def post_external_id(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def replied(self) -> bool: ...
    @property
    def replied_at(self) -> datetime | None: ...
    @property
    def deleted(self) -> bool: ...
    @property
    def date_estimated(self) -> bool: ...


P = TypeVar("P", bound=IncomingPost)
C = TypeVar("C", bound=IncomingComment)


def unique_posts(posts: Iterable[P]) -> list[P]:
    """One post per external id, in first-seen order: never assume a batch is unique.

    Paged APIs repeat items when new ones arrive during paging. Of several copies the later one
    wins (it was read later), except that a copy with a real date beats one whose date is estimated.
    """
    chosen: dict[str, P] = {}
    for post in posts:
        kept = chosen.get(post.external_id)
        if kept is not None and post.date_estimated and not kept.date_estimated:
            continue
        chosen[post.external_id] = post
    return list(chosen.values())


def unique_comments(comments: Iterable[C]) -> list[C]:
    """One comment per external id; a copy that shows the account's reply beats one that does not."""
    chosen: dict[str, C] = {}
    for comment in comments:
        kept = chosen.get(comment.external_id)
        if kept is not None and kept.replied and not comment.replied:
            continue
        chosen[comment.external_id] = comment
    return list(chosen.values())


@dataclass(slots=True)
class AccountWrite:
    """What one account's write changed: row ids, for the scanner, alerts and the window."""

    account_id: int
    new_posts: list[int] = field(default_factory=list)
    edited_posts: list[int] = field(default_factory=list)
    deleted_posts: list[int] = field(default_factory=list)
    new_comments: list[int] = field(default_factory=list)
    edited_comments: list[int] = field(default_factory=list)
    previous_health: Health = Health.NEVER_POLLED
    health: Health = Health.OK

    @property
    def items_new(self) -> int:
        return len(self.new_posts) + len(self.new_comments)

    @property
    def items_updated(self) -> int:
        return len(self.edited_posts) + len(self.deleted_posts) + len(self.edited_comments)


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def _chunks(values: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def _existing(db: Database, table: str, account_id: int, external_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(dict.fromkeys(external_ids))):
        marks = ", ".join("?" for _ in chunk)
        for row in db.query(
            f"SELECT * FROM {table} WHERE account_id = ? AND external_id IN ({marks})",  # noqa: S608 - table is internal
            [account_id, *chunk],
        ):
            found[row["external_id"]] = row
    return found


def _legacy_hash_matches(row: dict[str, Any], post: IncomingPost) -> bool:
    """True when ``row`` was hashed the way rows were before the link left the hash, over this text."""
    texts = (post.title, post.body, post.digest)
    return row["content_hash"] in {content_hash(*texts, post.url), content_hash(*texts, row["url"])}


def _effective_date(reported: datetime, *, first_seen: str) -> str:
    """The stored publication time: what the platform said, but never after the desk first saw it."""
    stamp = to_db(reported)
    assert stamp is not None
    return min(stamp, first_seen)


# How far apart two readings of one item's date may be when its id was derived from its content:
# a feed that labels Beijing time as GMT and later mends it reads 8 hours apart; zone mistakes
# span at most 14 hours.
_SAME_DATE: Final = timedelta(hours=14)
# Between two real ids only the same reading of the date is the same item: the source changed its
# id scheme (a RSSHub or WeWe RSS route update), not its posts.
_SAME_DATE_REAL_IDS: Final = timedelta(minutes=2)


def _same_post_new_id(
    db: Database, account_id: int, post: IncomingPost, *, batch_ids: set[str], claimed: set[int]
) -> dict[str, Any] | None:
    """The stored post this one is when only its id changed, or None.

    The source may change how it names an item: a feed item without a usable guid is named by a
    hash of its content (:data:`~jb_watchdesk.domain.models.CONTENT_ID_PREFIX`), which changes when
    the feed adds guids, mends its links or its dates; a route update changes the guid scheme. A
    stored post of the account with the same title, whose own id is not in this batch, is the same
    item when its date agrees: within :data:`_SAME_DATE` where either id is a content hash (an
    estimated date agrees with any when the link is the same too), within
    :data:`_SAME_DATE_REAL_IDS` with the same link between two real ids. The nearest date wins.
    """
    if not post.title:
        return None
    hashed_in = post.external_id.startswith(CONTENT_ID_PREFIX)
    best: tuple[timedelta, dict[str, Any]] | None = None
    for row in db.query("SELECT * FROM posts WHERE account_id = ? AND title = ?", [account_id, post.title]):
        if row["id"] in claimed or row["external_id"] in batch_ids:
            continue
        hashed = hashed_in or row["external_id"].startswith(CONTENT_ID_PREFIX)
        same_link = bool(post.url) and row["url"] == post.url
        if post.date_estimated or row["date_estimated"]:
            if hashed and same_link:
                return row
            continue
        stored = from_db(row["published_at"])
        if stored is None:
            continue
        apart = abs(stored - post.published_at)
        window = _SAME_DATE if hashed else (_SAME_DATE_REAL_IDS if same_link else None)
        if window is not None and apart <= window and (best is None or apart < best[0]):
            best = (apart, row)
    return None if best is None else best[1]


def _write_posts(db: Database, account_id: int, posts: Sequence[IncomingPost], *, now: str, result: AccountWrite) -> None:
    batch = unique_posts(posts)
    existing = _existing(db, "posts", account_id, [p.external_id for p in batch])
    batch_ids = {p.external_id for p in batch}
    claimed = {row["id"] for row in existing.values()}
    for post in batch:
        # The link is not part of what was said: a tracking parameter that changes on every read
        # (?t=…) must not make an edit, a version and a new scan each poll.
        digest = content_hash(post.title, post.body, post.digest)
        visibility = Visibility(post.visibility).value
        row = existing.get(post.external_id)
        if row is None:
            row = _same_post_new_id(db, account_id, post, batch_ids=batch_ids, claimed=claimed)
            if row is not None:
                claimed.add(row["id"])
                db.execute("UPDATE posts SET external_id = ? WHERE id = ?", [post.external_id, row["id"]])
        if row is None:
            post_id = db.table("posts").insert(
                {
                    "account_id": account_id,
                    "external_id": post.external_id,
                    "title": post.title,
                    "body": post.body,
                    "digest": post.digest,
                    "url": post.url,
                    "published_at": _effective_date(post.published_at, first_seen=now),
                    "date_estimated": int(post.date_estimated),
                    "visibility": visibility,
                    "first_seen_at": now,
                    "updated_at": now,
                    "content_hash": digest,
                    "deleted_at": now if post.deleted else None,
                    "scanned_at": None,
                }
            ).last_pk
            result.new_posts.append(int(cast(int, post_id)))
            continue
        changes: dict[str, object] = {}
        if row["content_hash"] != digest and _legacy_hash_matches(row, post):
            changes["content_hash"] = digest  # stored before links left the hash: the same text
        elif row["content_hash"] != digest:
            db.table("post_versions").insert(
                {
                    "post_id": row["id"],
                    "title": row["title"],
                    "body": row["body"],
                    "digest": row["digest"],
                    "content_hash": row["content_hash"],
                    "replaced_at": now,
                }
            )
            changes.update(
                title=post.title,
                body=post.body,
                digest=post.digest,
                content_hash=digest,
                edit_count=row["edit_count"] + 1,
                scanned_at=None,
            )
            result.edited_posts.append(row["id"])
        if post.url != row["url"]:
            changes["url"] = post.url
        if not post.date_estimated:
            # A real date replaces an estimated one, and a corrected date the stored one.
            published = _effective_date(post.published_at, first_seen=row["first_seen_at"])
            if row["date_estimated"] or published != row["published_at"]:
                changes.update(published_at=published, date_estimated=0)
        if visibility != row["visibility"]:
            changes["visibility"] = visibility
            changes["scanned_at"] = None  # a post the platform now rejects is a finding
        if post.deleted and row["deleted_at"] is None:
            changes["deleted_at"] = now
            result.deleted_posts.append(row["id"])
        elif not post.deleted and row["deleted_at"] is not None:
            changes["deleted_at"] = None
        if changes:
            changes["updated_at"] = now
            db.table("posts").update(row["id"], changes)


def _write_comments(
    db: Database,
    account_id: int,
    comments: Sequence[IncomingComment],
    *,
    now: str,
    deadlines: Callable[[datetime], CommentSla],
    result: AccountWrite,
) -> None:
    batch = unique_comments(comments)
    existing = _existing(db, "comments", account_id, [c.external_id for c in batch])
    post_ids = {
        row["external_id"]: row["id"]
        for row in _existing(db, "posts", account_id, [c.post_external_id for c in batch if c.post_external_id]).values()
    }
    for comment in batch:
        replied_at = to_db(comment.replied_at) if comment.replied and comment.replied_at else (now if comment.replied else None)
        row = existing.get(comment.external_id)
        if row is None:
            sla = deadlines(comment.created_at)
            # A reply on the platform is the account answering the public: it acknowledges
            # the comment and gives the result at once (§3.7).
            comment_id = db.table("comments").insert(
                {
                    "account_id": account_id,
                    "post_id": post_ids.get(comment.post_external_id),
                    "external_id": comment.external_id,
                    "author": comment.author,
                    "text": comment.text,
                    "created_at": to_db(comment.created_at),
                    "created_estimated": int(comment.date_estimated),
                    "ack_due": to_db(sla.ack_due),
                    "result_due": to_db(sla.result_due.at),
                    "result_due_estimated": int(sla.result_due.estimated),
                    "first_seen_at": now,
                    "updated_at": now,
                    "replied_on_platform_at": replied_at,
                    "acked_at": replied_at,
                    "acked_by": PLATFORM_REPLY if replied_at else None,
                    "done_at": replied_at,
                    "done_by": PLATFORM_REPLY if replied_at else None,
                    "deleted_at": now if comment.deleted else None,
                    "scanned_at": None,
                }
            ).last_pk
            result.new_comments.append(int(cast(int, comment_id)))
            continue
        changes: dict[str, object] = {}
        if row["text"] != comment.text:
            changes.update(text=comment.text, scanned_at=None)
            result.edited_comments.append(row["id"])
        if replied_at and row["replied_on_platform_at"] is None:
            changes["replied_on_platform_at"] = replied_at
            if row["acked_at"] is None:
                changes.update(acked_at=replied_at, acked_by=PLATFORM_REPLY)
            if row["done_at"] is None:
                changes.update(done_at=replied_at, done_by=PLATFORM_REPLY)
        if comment.deleted and row["deleted_at"] is None:
            changes["deleted_at"] = now
        if changes:
            changes["updated_at"] = now
            db.table("comments").update(row["id"], changes)


def record_success(
    db: Database,
    *,
    account_id: int,
    posts: Sequence[IncomingPost],
    comments: Sequence[IncomingComment],
    now: datetime,
    deadlines: Callable[[datetime], CommentSla] | None = None,
    health: Health = Health.OK,
    health_reason: str = "",
) -> AccountWrite:
    """Store one account's fetched posts and comments and its health, atomically.

    ``deadlines`` gives a new comment's acknowledgement and result deadlines from its creation
    time (the rule lives with the caller: ``rules.comment_sla`` on the duty room's calendar); it
    may be left out only when no comments are given (``ValueError`` otherwise)."""
    stamp = to_db(now)
    assert stamp is not None
    with db.atomic():
        previous = db.execute("SELECT health FROM accounts WHERE id = ?", [account_id]).fetchone()
        if previous is None:
            raise LookupError(f"account {account_id} no longer exists")
        result = AccountWrite(account_id=account_id, previous_health=Health(previous[0]), health=health)
        _write_posts(db, account_id, posts, now=stamp, result=result)
        if comments:
            if deadlines is None:
                raise ValueError("comments need their deadlines")
            _write_comments(db, account_id, comments, now=stamp, deadlines=deadlines, result=result)
        _set_health(db, account_id, health=health, reason=health_reason, now=stamp, previous=result.previous_health)
        db.execute(
            "UPDATE accounts SET first_polled_at = COALESCE(first_polled_at, ?), last_polled_at = ? WHERE id = ?",
            [stamp, stamp, account_id],
        )
    return result


def record_failure(db: Database, *, account_id: int, health: Health, reason: str, now: datetime) -> AccountWrite:
    """Store that an account could not be read: its health and the reason, nothing else changes."""
    stamp = to_db(now)
    assert stamp is not None
    with db.atomic():
        previous = db.execute("SELECT health FROM accounts WHERE id = ?", [account_id]).fetchone()
        if previous is None:
            raise LookupError(f"account {account_id} no longer exists")
        _set_health(db, account_id, health=health, reason=reason, now=stamp, previous=Health(previous[0]))
        db.execute("UPDATE accounts SET last_polled_at = ? WHERE id = ?", [stamp, account_id])
    return AccountWrite(account_id=account_id, previous_health=Health(previous[0]), health=health)


def _set_health(db: Database, account_id: int, *, health: Health, reason: str, now: str, previous: Health) -> None:
    if health is previous:
        db.execute("UPDATE accounts SET health_reason = ? WHERE id = ?", [reason, account_id])
    else:
        db.execute(
            "UPDATE accounts SET health = ?, health_reason = ?, health_since = ? WHERE id = ?",
            [health.value, reason, now, account_id],
        )


def start_run(db: Database, *, now: datetime) -> int:
    return int(cast(int, db.table("poll_runs").insert({"started_at": to_db(now)}).last_pk))


def finish_run(
    db: Database, run_id: int, *, now: datetime, accounts_ok: int, accounts_failed: int, items_new: int, items_updated: int, note: str = ""
) -> None:
    db.table("poll_runs").update(
        run_id,
        {
            "finished_at": to_db(now),
            "accounts_ok": accounts_ok,
            "accounts_failed": accounts_failed,
            "items_new": items_new,
            "items_updated": items_updated,
            "note": note,
        },
    )
