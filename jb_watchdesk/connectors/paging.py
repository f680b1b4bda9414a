"""The one paging loop shared by the platform connectors.

Every platform pages its lists (WeChat by offset, Weibo by ``max_id`` and page number,
Douyin by cursor) and none of them promises that a fetch sees each item once: a post that
arrives while a client pages shifts an offset-paged list by one, so the next page repeats
the last item of the previous one. A connector says how to ask for one page and what it
found (a :class:`Step`); :func:`read_pages` asks page after page, within
:data:`~jb_watchdesk.connectors.fetching.MAX_PAGES`, counts the requests and keeps one
copy per external id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.errors import comment_problem
from jb_watchdesk.connectors.fetching import MAX_PAGES, FetchState


class _HasExternalId(Protocol):
    @property
    def external_id(self) -> str: ...


T = TypeVar("T", bound=_HasExternalId)
C = TypeVar("C")


@dataclass(slots=True)
class Tally:
    """Requests made by one fetch, counted where they are sent (failed ones included), and the
    pages that failed after earlier ones were read (:func:`read_pages` with ``keep_partial``)."""

    requests: int = 0
    problems: list[ConnectorError] = field(default_factory=list)
    complete: bool = True


def unique_by_id(items: Iterable[T], *, better: Callable[[T, T], bool] | None = None) -> list[T]:
    """One item per ``external_id``, in first-seen order.

    When an id comes again, the later copy replaces the earlier one (it was read later, so
    it is at least as fresh) unless ``better(kept, new)`` says the kept one is better.
    """
    kept: dict[str, T] = {}
    for item in items:
        current = kept.get(item.external_id)
        if current is None or better is None or not better(current, item):
            kept[item.external_id] = item
    return list(kept.values())


K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Step(Generic[T, K]):
    """One page as :func:`read_pages` sees it.

    ``items`` are kept, and de-duplicated by external id once every page is read. ``next``
    is where the following request starts (an offset, a cursor, a page number); ``None``
    when the platform says there is no more. ``empty`` says the page held no rows at all,
    when that differs from having no ``items`` (rows the parser could not use, the
    account's own replies kept elsewhere); ``None`` means "no items". ``last`` says the
    caller's stop condition held on this page, e.g. it reached past the horizon: its items
    are kept and no further page is asked for.
    """

    items: Sequence[T]
    next: K | None
    empty: bool | None = None
    last: bool = False


async def read_pages(
    ask: Callable[[K], Awaitable[Step[T, K]]],
    *,
    start: K,
    tally: Tally,
    max_pages: int = MAX_PAGES,
    better: Callable[[T, T], bool] | None = None,
    halt: asyncio.Event | None = None,
    keep_partial: bool = False,
) -> list[T]:
    """Every item of a paged list: ``ask(start)``, then ``ask(step.next)`` … one request a page.

    Stops after ``max_pages`` requests, when a page says there is no more (``next`` is
    ``None``), at an empty page, at a page marked ``last``, or before the next request once
    ``halt`` is set (another read found the account's quota used up). Each request is
    counted in ``tally`` before it is sent, so a failed one counts too. A
    :class:`~jb_watchdesk.connectors.base.ConnectorError` from ``ask`` propagates, unless
    ``keep_partial`` is set and earlier pages were read: then those pages' items are returned,
    the failure is added to ``tally.problems`` (named, with the page) and ``tally.complete`` is
    cleared, so a post list whose second page fails (WeChat's daily quota between two calls)
    still stores the first page's posts and the rest is read at the next poll. The result holds
    one item per external id in first-seen order (see :func:`unique_by_id` for ``better``).
    """
    found: list[T] = []
    cursor = start
    for number in range(1, max_pages + 1):
        if halt is not None and halt.is_set():
            break
        tally.requests += 1
        try:
            step = await ask(cursor)
        except ConnectorError as error:
            if not (keep_partial and number > 1) or error.kind is ErrorKind.AUTH_EXPIRED:
                raise
            tally.complete = False
            tally.problems.append(
                ConnectorError(
                    error.kind,
                    f"page {number} of the list could not be read ({error.reason}); the {number - 1} page(s) "
                    "before it are stored and the rest is read at the next poll",
                    code=f"{error.code}.page",
                    retry_after=error.retry_after,
                )
            )
            break
        found.extend(step.items)
        empty = not step.items if step.empty is None else step.empty
        if step.next is None or empty or step.last:
            break
        cursor = step.next
    return unique_by_id(found, better=better)


#: Comment reads of one account in flight at once: enough to overlap latency, few enough that a
#: quota error stops the rest of the round before they are sent.
COMMENT_READS_AT_ONCE = 4


async def read_comment_round(
    post_ids: Sequence[str],
    read: Callable[[str], Awaitable[list[C]]],
    *,
    state: FetchState,
    titles: Mapping[str, str] | None = None,
) -> tuple[list[C], list[ConnectorError]]:
    """Each post's comments (``read(post_id)``), a few at a time; returns the comments and the problems.

    A post whose read fails is named in a problem and owed to the next round (``state.owe_comments``):
    its posts were read, so the account is degraded, not failing. A quota or rate limit is the
    account's, not the post's: the reads not yet sent are not sent, one problem says so, and every
    post of the round not read is owed to the next.
    """
    found: list[C] = []
    problems: list[ConnectorError] = []
    halted: list[ConnectorError] = []
    slots = asyncio.Semaphore(COMMENT_READS_AT_ONCE)
    names = titles or {}

    async def one(post_id: str) -> None:
        async with slots:
            if halted:
                state.owe_comments([post_id])
                return
            try:
                found.extend(await read(post_id))
            except ConnectorError as error:
                state.owe_comments([post_id])
                if error.kind in (ErrorKind.QUOTA, ErrorKind.RATE_LIMITED):
                    halted.append(error)
                    return
                problems.append(comment_problem(error, post_id=post_id, post_title=names.get(post_id, "")))

    await asyncio.gather(*(one(post_id) for post_id in post_ids))
    if halted:
        problems.append(comment_problem(halted[0], post_id="(the rest of this round)"))
    return found, problems
