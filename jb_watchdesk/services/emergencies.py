"""Emergency plan activations (§3.6): the first related post must follow within 2 hours."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.record import (
    Emergency,
    EmergencyStatus,
    status_of,
)
from jb_watchdesk.domain.sensitive import fold
from jb_watchdesk.services.fields import MAX_NAME
from jb_watchdesk.services.fields import clean_field as _clean
from jb_watchdesk.storage import emergencies as emergency_store
from jb_watchdesk.storage import shifts as shift_store
from jb_watchdesk.storage.codec import from_db
from jb_watchdesk.storage.db import Store

MAX_KEYWORDS: Final = 20


def emergency_status(store: Store, *, now: datetime) -> list[EmergencyStatus]:
    """Every activation up to ``now`` with its 2-hour clock: countdown, met or missed. Newest first."""
    return [status_of(e, now=now) for e in store.query(emergency_store.list_emergencies) if e.activated_at <= now]


def parse_keywords(text: str | None) -> list[str]:
    """``K1,K2`` (ASCII or Chinese commas) → keywords, trimmed and deduplicated."""
    if not text:
        return []
    seen: list[str] = []
    for part in text.replace("，", ",").replace("、", ",").split(","):
        word = part.strip()
        if word and word not in seen:
            seen.append(_clean(word, field_name="keywords", limit=MAX_NAME, required=True))
    if len(seen) > MAX_KEYWORDS:
        raise InputError("duty.too_long", field="keywords", length=len(seen), limit=MAX_KEYWORDS)
    return seen


def start_emergency(store: Store, *, title: str, keywords: Sequence[str], now: datetime) -> EmergencyStatus:
    """Record an emergency plan activation; the first related post must follow within 2 hours.

    Without keywords the title itself is what a related post must contain. Posts already stored
    that were published since the activation are matched at once.
    """
    clean_title = _clean(title, field_name="title", limit=200, required=True)
    words = list(keywords) or [clean_title]
    shift = store.call(shift_store.open_shift)
    emergency = store.call(
        emergency_store.add_emergency, title=clean_title, keywords=words, officer=shift.officer if shift else "", now=now
    )
    candidates = store.call(emergency_store.posts_for_matching, since=emergency.activated_at)
    _match([emergency], candidates, store=store, now=now)
    return status_of(store.call(emergency_store.get_emergency, emergency.id), now=now)


MAX_REASON: Final = 500


def _officer(store: Store, officer: str) -> str:
    """Who acts: the name given, else the officer on shift (empty when nobody is)."""
    if officer.strip():
        return _clean(officer, field_name="officer", limit=MAX_NAME, required=True)
    shift = store.call(shift_store.open_shift)
    return shift.officer if shift else ""


def cancel_emergency(store: Store, emergency_id: int, *, reason: str, now: datetime, officer: str = "") -> EmergencyStatus:
    """Cancel an activation (mistyped, a false alarm): its clock stops, nothing escalates, and the
    ledger gains a row with who and why; the activation's own row is never edited."""
    why = _clean(reason, field_name="reason", limit=MAX_REASON, required=True)
    who = _officer(store, officer)
    cancelled = store.call(emergency_store.cancel_emergency, emergency_id=emergency_id, officer=who, reason=why, now=now)
    return status_of(cancelled, now=now)


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
) -> tuple[EmergencyStatus, EmergencyStatus]:
    """Replace a mistyped activation: the old one is cancelled (with ``reason``) and a new one that
    ``corrects_id`` it is recorded, in one unit of work. Returns ``(cancelled, correction)``.

    The correction keeps the original activation time, so the 2-hour clock the public is owed
    runs on as it did; ``restart_clock`` starts it at ``now`` instead (the plan was really
    activated later than recorded). Without ``keywords`` the old keywords stay, unless they were
    only the old title, which the new title then replaces.
    """
    why = _clean(reason, field_name="reason", limit=MAX_REASON, required=True)
    clean_title = _clean(title, field_name="title", limit=200, required=True)
    old = store.call(emergency_store.get_emergency, emergency_id)
    if old.cancelled_at is not None:
        raise InputError("emergency.already_cancelled", emergency_id=emergency_id, at=old.cancelled_at.isoformat())
    if keywords:
        words = list(keywords)
    elif list(old.keywords) == [old.title]:
        words = [clean_title]
    else:
        words = list(old.keywords)
    cancelled, correction = store.call(
        emergency_store.correct_emergency,
        emergency_id=emergency_id,
        title=clean_title,
        keywords=words,
        officer=_officer(store, officer),
        reason=why,
        activated_at=now if restart_clock else old.activated_at,
        now=now,
    )
    candidates = store.call(emergency_store.posts_for_matching, since=correction.activated_at)
    _match([correction], candidates, store=store, now=now)
    correction = store.call(emergency_store.get_emergency, correction.id)
    return status_of(cancelled, now=now), status_of(correction, now=now)


def _matches(emergency: Emergency, post: Mapping[str, Any]) -> bool:
    text = fold(f"{post['title']}\n{post['body']}")
    return any(fold(word) in text for word in emergency.keywords)


def _match(emergencies: Sequence[Emergency], posts: Sequence[Mapping[str, Any]], *, store: Store, now: datetime) -> list[Emergency]:
    met = []
    for emergency in emergencies:
        related = []
        for post in posts:
            published = from_db(post["published_at"])
            assert published is not None
            # A post dated in the future (clock skew) counts as published now.
            published = min(published, now)
            if published >= emergency.activated_at and _matches(emergency, post):
                related.append((published, post["id"]))
        if related:
            published, post_id = min(related)
            met.append(store.call(emergency_store.set_first_post, emergency_id=emergency.id, post_id=post_id, post_at=published, now=now))
    return met


def match_waiting(store: Store, *, after_id: int | None, now: datetime) -> tuple[list[EmergencyStatus], int]:
    """Check the activations still waiting against every post stored after post ``after_id``
    (None: every post since the oldest waiting activation); returns the activations met and the
    highest post id checked, the ``after_id`` of the next call.

    The watch loop calls this every cycle with what the last call returned, so posts that a
    broken cycle stored (a lock, a full disk) are matched by the next one that gets this far,
    and a restart (None) looks at everything again: the §3.6 clock never runs on for want of a look.
    """
    waiting = store.call(emergency_store.waiting_emergencies)
    if not waiting:
        return [], store.call(emergency_store.last_post_id)
    since = min(emergency.activated_at for emergency in waiting)
    posts, through = store.call(emergency_store.posts_to_match, since=since, after_id=after_id)
    return [status_of(e, now=now) for e in _match(waiting, posts, store=store, now=now)], through


def match_posts(store: Store, *, post_ids: Sequence[int], now: datetime) -> list[EmergencyStatus]:
    """Check new posts against the activations still waiting; the first related post stops each clock.

    The poll cycle calls this with its new post ids; returns the activations this call met.
    """
    waiting = store.call(emergency_store.waiting_emergencies)
    if not waiting or not post_ids:
        return []
    posts = store.call(emergency_store.posts_for_matching, post_ids=post_ids)
    return [status_of(e, now=now) for e in _match(waiting, posts, store=store, now=now)]
