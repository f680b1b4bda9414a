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
