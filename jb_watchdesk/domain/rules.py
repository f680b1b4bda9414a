"""The duty rules of the notice as pure functions of data and an injected "now".

All local-time reasoning happens in Asia/Shanghai, whatever the workstation's zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from jb_watchdesk.domain.models import (
    AccountStatus,
    CommentSla,
    CommentState,
    Deadline,
    Freshness,
    FreshnessReport,
)
from jb_watchdesk.domain.workdays import DEFAULT_CALENDAR, WorkdayCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")

POSTS_PER_WEEK = 3  # §3.2
WARN_SILENT_DAYS = 7
VETO_SILENT_DAYS = 14  # national inspection practice: two silent weeks is a one-vote veto
ACK_WITHIN = timedelta(hours=1)  # §3.7
RESULT_WORKDAYS = 5  # §3.7
EMERGENCY_FIRST_POST_WITHIN = timedelta(hours=2)  # §3.6


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def week_start(now: datetime) -> datetime:
    """Monday 00:00 Asia/Shanghai of the ISO week containing ``now``."""
    local = now.astimezone(SHANGHAI)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), tzinfo=SHANGHAI)


def freshness(
    post_times: Iterable[datetime],
    *,
    now: datetime,
    observed_since: datetime | None,
) -> FreshnessReport:
    """Judge an account's update frequency as of ``now``.

    ``post_times`` are the publication times of its posts (deleted ones excluded by the
    caller); ``observed_since`` is when the desk first read the account successfully, or
    None if it never has. Posts dated in the future (clock skew) count as now.
    An account never seen posting and never read is ``unknown``, never ``ok``.
    """
    _require_aware(now, "now")
    times = [t if t <= now else now for t in post_times]
    for t in times:
        _require_aware(t, "post time")
    window_start = now - timedelta(days=7)
    this_week = week_start(now)
    return judge_freshness(
        posts_7d=sum(1 for t in times if t > window_start),
        posts_this_week=sum(1 for t in times if t >= this_week),
        last_post_at=max(times, default=None),
        now=now,
        observed_since=observed_since,
    )


def judge_freshness(
    *,
    posts_7d: int,
    posts_this_week: int,
    last_post_at: datetime | None,
    now: datetime,
    observed_since: datetime | None,
) -> FreshnessReport:
    """:func:`freshness` from counts already made (posts after ``now - 7 days``; since Monday 00:00).

    The dashboard counts in SQL over a million posts; the judgement stays here, in one place.
    """
    _require_aware(now, "now")
    last = last_post_at
    if last is None and observed_since is None:
        return FreshnessReport(0, 0, None, None, Freshness.UNKNOWN, ("never_polled",))
    silent_since = last if last is not None else observed_since
    assert silent_since is not None
    days_silent = max(0, (now - silent_since) // timedelta(days=1))

    reasons: list[str] = []
    if days_silent >= VETO_SILENT_DAYS:
        state = Freshness.VETO
        reasons.append(f"silent_{VETO_SILENT_DAYS}d")
    else:
        state = Freshness.OK
        if days_silent >= WARN_SILENT_DAYS:
            reasons.append(f"silent_{WARN_SILENT_DAYS}d")
        if posts_7d < POSTS_PER_WEEK:
            reasons.append("under_3_per_week")
        if reasons:
            state = Freshness.WARN
    return FreshnessReport(
        posts_7d=posts_7d,
        posts_this_week=posts_this_week,
        last_post_at=last,
        days_silent=days_silent,
        state=state,
        reasons=tuple(reasons),
    )


@dataclass(frozen=True, slots=True)
class ManualReading:
    """What an officer's reading says, as the freshness rule needs it (see :func:`reading_counts`)."""

    recorded_at: datetime
    latest_post_at: datetime
    posts_seen: int | None
    """Posts published since the previous reading (an account's first reading: in the 7 days
    before it); None when the officer did not count them."""


@dataclass(frozen=True, slots=True)
class ReadingCounts:
    posts_7d: int
    """Posts known from the readings in the 7 days up to the latest reading."""
    posts_this_week: int
    last_post_at: datetime | None


def reading_counts(readings: Sequence[ManualReading], *, now: datetime) -> ReadingCounts:
    """Post counts of an account known only from officers' readings, as of ``now``.

    ``readings`` are the account's readings recorded by ``now``, oldest first. Reading *r* says
    that ``posts_seen`` posts were published in the interval from the previous reading's latest
    post (excluded; for the first reading, 7 days before it was recorded) to *r*'s latest post.
    A post in that interval is counted in a window only when the whole interval lies in the
    window; when only its end does, *r* counts one post (its latest, which the officer saw). So
    the counts never claim more posts than the readings show: a lower bound, like the machine's
    counts of the posts it stored. A reading without a count counts its latest post once, when
    it is newer than the previous reading's (or the first reading's, within its 7 days).

    The 7-day window ends at the latest reading, not at ``now``: what the officer last saw is
    what the desk knows, so an account read at 02:10 with 4 posts that week is not "under 3 a
    week" at 02:11. Silence still grows with ``now`` (:func:`judge_freshness` from
    ``last_post_at``), and an account not read for a shift is an open item of the handover.
    This week's posts are counted from Monday 00:00 to ``now`` (:func:`posts_published_in`).
    """
    _require_aware(now, "now")
    standing = [r for r in readings if r.recorded_at <= now]
    if not standing:
        return ReadingCounts(0, 0, None)
    seven_start = standing[-1].recorded_at - timedelta(days=7)
    posts_7d = sum(
        (seen if since >= seven_start else 1) for since, latest, seen in _reading_intervals(standing, now=now) if latest > seven_start
    )
    posts_week = posts_published_in(standing, start=week_start(now), end=now + timedelta(microseconds=1), now=now)
    last_post_at = max(min(r.latest_post_at, now) for r in standing)
    return ReadingCounts(posts_7d=posts_7d, posts_this_week=posts_week, last_post_at=last_post_at)


def _reading_intervals(readings: Sequence[ManualReading], *, now: datetime) -> Iterator[tuple[datetime, datetime, int]]:
    """``(since, latest, posts)`` of each reading that saw a post newer than the ones before it:
    ``posts`` (at least 1) were published in ``(since, latest]`` (see :func:`reading_counts`)."""
    previous_latest: datetime | None = None
    for r in readings:
        latest = min(r.latest_post_at, now)
        since = previous_latest if previous_latest is not None else r.recorded_at - timedelta(days=7)
        if latest > since:
            yield since, latest, max(r.posts_seen or 0, 1)
        previous_latest = latest if previous_latest is None else max(previous_latest, latest)


def posts_published_in(readings: Sequence[ManualReading], *, start: datetime, end: datetime, now: datetime) -> int:
    """Posts the readings recorded by ``now`` (oldest first) prove were published in ``[start, end)``:
    a reading's count when the whole interval it covers lies there, one (the latest post it saw)
    when only its end does, none when its latest post is later (see :func:`reading_counts`). A
    reading recorded after ``end`` counts too: a post of Sunday night read on Monday is Sunday's."""
    _require_aware(now, "now")
    standing = [r for r in readings if r.recorded_at <= now]
    return sum(
        (seen if since >= start else 1) for since, latest, seen in _reading_intervals(standing, now=now) if start <= latest < end
    )


def result_deadline(created_at: datetime, *, calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> Deadline:
    """When the result of a public comment is due (§3.7: 5 working days).

    On a working day the result is due at the same Shanghai clock time 5 working days
    later. A comment that arrives on a non-working day starts counting at 00:00 of the
    next working day. The deadline is marked estimated when any day it crosses lies in a
    year the official calendar does not know yet.
    """
    _require_aware(created_at, "created_at")
    local = created_at.astimezone(SHANGHAI)
    day, clock = local.date(), local.timetz().replace(tzinfo=None)
    known = calendar.is_known(day)
    if not calendar.is_workday(day):
        day, step_known = calendar.next_workday(day)
        known = known and step_known
        clock = time(0)
    due_day, due_known = calendar.add_workdays(day, RESULT_WORKDAYS)
    due = datetime.combine(due_day, clock, tzinfo=SHANGHAI)
    return Deadline(at=due, estimated=not (known and due_known))


def comment_sla(created_at: datetime, *, calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> CommentSla:
    """Acknowledgement due 1 hour after the comment (round the clock); result as above."""
    _require_aware(created_at, "created_at")
    return CommentSla(ack_due=created_at + ACK_WITHIN, result_due=result_deadline(created_at, calendar=calendar))


def comment_state(
    sla: CommentSla,
    *,
    now: datetime,
    acked_at: datetime | None,
    done_at: datetime | None,
) -> CommentState:
    """Where a comment stands as of ``now``: done, overdue for its result or acknowledgement, or pending."""
    _require_aware(now, "now")
    if done_at is not None and done_at <= now:
        return CommentState.DONE
    if now > sla.result_due.at:
        return CommentState.OVERDUE_RESULT
    if acked_at is not None and acked_at <= now:
        return CommentState.ACKED
    if now > sla.ack_due:
        return CommentState.OVERDUE_ACK
    return CommentState.PENDING


@dataclass(frozen=True, slots=True)
class EmergencyClock:
    due: datetime
    met: bool
    missed: bool
    remaining: timedelta  # negative once missed; zero once met


def emergency_clock(
    activated_at: datetime,
    *,
    now: datetime,
    first_post_at: datetime | None,
) -> EmergencyClock:
    """§3.6: the first related post is due 2 hours after the emergency plan is activated."""
    _require_aware(activated_at, "activated_at")
    _require_aware(now, "now")
    due = activated_at + EMERGENCY_FIRST_POST_WITHIN
    if first_post_at is not None and first_post_at <= now:
        return EmergencyClock(due=due, met=first_post_at <= due, missed=first_post_at > due, remaining=timedelta(0))
    return EmergencyClock(due=due, met=False, missed=now > due, remaining=due - now)


def lifecycle_findings(
    status: AccountStatus,
    post_times: Iterable[datetime],
    *,
    since: datetime | None = None,
) -> list[datetime]:
    """Posts from an account that should be closing or closed (§2.2–2.3): each one is a finding.

    ``since`` limits the findings to posts after the status change when it is known.
    """
    if status is AccountStatus.ACTIVE:
        return []
    return sorted(t for t in post_times if since is None or t >= since)


EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(9000, 1, 1, tzinfo=UTC)


def in_range(moment: datetime) -> bool:
    """Whether an aware time typed by someone is one the desk can store and compute with (1970 to
    9000): year 1 or 9999 with a zone overflows on the way to UTC."""
    try:
        return EARLIEST <= moment.astimezone(UTC) < LATEST
    except (OverflowError, ValueError):
        return False
