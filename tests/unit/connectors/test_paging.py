"""One copy per external id, whatever the platform's paging repeated."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from jb_watchdesk.connectors.paging import unique_by_id


@dataclass(frozen=True)
class Item:
    external_id: str
    version: int


def test_a_repeated_item_keeps_its_first_place_and_the_later_copy() -> None:
    items = [Item("a", 1), Item("b", 1), Item("b", 2), Item("c", 1), Item("a", 2)]

    assert unique_by_id(items) == [Item("a", 2), Item("b", 2), Item("c", 1)]


def test_better_keeps_the_fresher_copy() -> None:
    items = [Item("a", 3), Item("a", 1)]

    assert unique_by_id(items, better=lambda kept, new: kept.version > new.version) == [Item("a", 3)]


@given(st.lists(st.tuples(st.sampled_from("abcdef"), st.integers(0, 5))))
def test_ids_are_unique_and_none_is_lost(pairs: list[tuple[str, int]]) -> None:
    items = [Item(i, v) for i, v in pairs]

    result = unique_by_id(items)

    assert [r.external_id for r in result] == list(dict.fromkeys(i.external_id for i in items))


# ---------------------------------------------------------------- the paging loop

import asyncio  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402

import pytest  # noqa: E402

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind  # noqa: E402
from jb_watchdesk.connectors.fetching import MAX_PAGES  # noqa: E402
from jb_watchdesk.connectors.paging import Step, Tally, read_pages  # noqa: E402


def pages(steps: list[Step[Item, int]]) -> tuple[Callable[[int], Awaitable[Step[Item, int]]], list[int]]:
    """An ``ask`` that serves ``steps`` by position and records the cursors it was given."""
    asked: list[int] = []

    async def ask(cursor: int) -> Step[Item, int]:
        asked.append(cursor)
        return steps[len(asked) - 1]

    return ask, asked


def run(ask: Callable[[int], Awaitable[Step[Item, int]]], **options: object) -> tuple[list[Item], Tally]:
    tally = Tally()
    found = asyncio.run(read_pages(ask, start=0, tally=tally, **options))  # type: ignore[arg-type]
    return found, tally


def test_pages_are_read_until_the_platform_says_no_more() -> None:
    ask, asked = pages([Step([Item("a", 1)], 10), Step([Item("b", 1)], 20), Step([Item("c", 1)], None)])

    found, tally = run(ask)

    assert [i.external_id for i in found] == ["a", "b", "c"]
    assert asked == [0, 10, 20]
    assert tally.requests == 3


def test_an_empty_page_ends_the_list_unless_it_held_rows() -> None:
    ask, asked = pages([Step([], 10, empty=False), Step([Item("a", 1)], 20), Step([], 30), Step([Item("x", 1)], None)])

    found, _ = run(ask)

    assert [i.external_id for i in found] == ["a"]
    assert asked == [0, 10, 20]


def test_a_page_marked_last_is_kept_and_ends_the_list() -> None:
    ask, asked = pages([Step([Item("a", 1)], 10, last=True), Step([Item("b", 1)], None)])

    found, _ = run(ask)

    assert [i.external_id for i in found] == ["a"] and asked == [0]


def test_at_most_max_pages_requests() -> None:
    ask, asked = pages([Step([Item(str(n), 1)], n + 1) for n in range(MAX_PAGES + 5)])

    found, tally = run(ask)

    assert len(found) == MAX_PAGES == tally.requests == len(asked)
    assert run(pages([Step([Item(str(n), 1)], n + 1) for n in range(9)])[0], max_pages=3)[1].requests == 3


def test_repeated_items_across_pages_are_kept_once_with_better() -> None:
    ask, _ = pages([Step([Item("a", 3), Item("b", 1)], 2), Step([Item("b", 2), Item("a", 1)], None)])

    found, _ = run(ask, better=lambda kept, new: kept.version > new.version)

    assert found == [Item("a", 3), Item("b", 2)]


def test_halt_stops_before_the_next_request() -> None:
    halt = asyncio.Event()
    asked: list[int] = []

    async def ask(cursor: int) -> Step[Item, int]:
        asked.append(cursor)
        halt.set()  # as another read that met the quota would
        return Step([Item(str(cursor), 1)], cursor + 1)

    found, tally = run(ask, halt=halt)

    assert asked == [0] and tally.requests == 1 and len(found) == 1


def test_a_failed_request_is_counted_and_raised() -> None:
    tally = Tally()

    async def ask(cursor: int) -> Step[Item, int]:
        if cursor:
            raise ConnectorError(ErrorKind.QUOTA, "quota", code="demo.1")
        return Step([Item("a", 1)], 1)

    with pytest.raises(ConnectorError):
        asyncio.run(read_pages(ask, start=0, tally=tally))
    assert tally.requests == 2


def test_a_later_page_that_fails_keeps_the_pages_read_when_asked() -> None:
    import asyncio

    import pytest

    from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
    from jb_watchdesk.connectors.paging import Step, Tally, read_pages

    quota = ConnectorError(ErrorKind.QUOTA, "the daily quota is used up", code="wechat.45009")

    async def ask(page: int) -> Step[Item, int]:
        if page == 2:
            raise quota
        return Step([Item(f"p{page}-{n}", 1) for n in range(3)], page + 1)

    tally = Tally()
    items = asyncio.run(read_pages(ask, start=1, tally=tally, keep_partial=True))
    assert [i.external_id for i in items] == ["p1-0", "p1-1", "p1-2"]
    assert not tally.complete and tally.requests == 2
    (problem,) = tally.problems
    assert (problem.kind, problem.code) == (ErrorKind.QUOTA, "wechat.45009.page") and "page 2" in problem.reason
    # without keep_partial (comment lists: the caller names the post) the error is the caller's
    with pytest.raises(ConnectorError):
        asyncio.run(read_pages(ask, start=1, tally=Tally()))
    # and a first page that fails is the whole read failing
    with pytest.raises(ConnectorError):
        asyncio.run(read_pages(ask, start=2, tally=Tally(), keep_partial=True))


def test_a_quota_stops_the_rest_of_a_comment_round_and_owes_it() -> None:
    import asyncio

    from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
    from jb_watchdesk.connectors.fetching import FetchState
    from jb_watchdesk.connectors.paging import COMMENT_READS_AT_ONCE, read_comment_round

    asked: list[str] = []

    async def read(post_id: str) -> list[str]:
        asked.append(post_id)
        await asyncio.sleep(0)
        if post_id == "p0":
            raise ConnectorError(ErrorKind.QUOTA, "the daily quota is used up", code="douyin.2190001")
        if post_id == "p1":
            raise ConnectorError(ErrorKind.TRANSIENT, "a 502", code="douyin.http502")
        return [f"c-{post_id}"]

    posts = [f"p{n}" for n in range(20)]
    state = FetchState()
    found, problems = asyncio.run(read_comment_round(posts, read, state=state))
    # the reads already under way finish; none is sent after the quota is known
    assert len(asked) <= COMMENT_READS_AT_ONCE and len(found) <= COMMENT_READS_AT_ONCE - 2
    assert state.comments_owed == set(posts) - {f"p{n}" for n in range(20) if f"c-p{n}" in found}
    assert [p.code for p in problems] == ["douyin.http502.comments", "douyin.2190001.comments"]
