"""Paging helpers shared by the platform connectors.

Every platform pages its lists (WeChat by offset, Weibo by ``max_id`` and page number,
Douyin by cursor) and none of them promises that a fetch sees each item once: a post that
arrives while a client pages shifts an offset-paged list by one, so the next page repeats
the last item of the previous one. The helpers here count requests and keep one copy per
external id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar


class _HasExternalId(Protocol):
    @property
    def external_id(self) -> str: ...


T = TypeVar("T", bound=_HasExternalId)


@dataclass(slots=True)
class Tally:
    """Requests made by one fetch, counted where they are sent (failed ones included)."""

    requests: int = 0


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
