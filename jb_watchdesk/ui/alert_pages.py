"""One page of the alerts inbox: new alerts first, then the handled ones, never silently capped.

A blocking read (run off the GUI thread by the runner) made of the operations layer's list and
count, so the page's "of N" is the store's count of everything the view's filter takes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from jb_watchdesk.domain.alerts import Alert, AlertFilter
from jb_watchdesk.domain.models import AlertState
from jb_watchdesk.services import operations as ops

PAGE_SIZE = 500

_SECTIONS = (frozenset({AlertState.NEW}), frozenset({AlertState.ACKNOWLEDGED, AlertState.RESOLVED}))


@dataclass(frozen=True, slots=True)
class AlertPage:
    alerts: list[Alert]
    offset: int
    total: int
    page_size: int = PAGE_SIZE
    selection: AlertFilter = AlertFilter()


def read_page(store: Any, selection: AlertFilter, *, offset: int = 0, page_size: int = PAGE_SIZE) -> AlertPage:
    """The page at ``offset`` of what ``selection`` takes: the new alerts first, then the handled
    ones, each section newest first; an offset past the end gives the last page."""
    sections = []
    for states in _SECTIONS:
        wanted = states & selection.states if selection.states else states
        if wanted:
            sections.append(replace(selection, states=wanted))
    counts = [ops.count_selected(store, section) for section in sections]
    total = sum(counts)
    if offset >= total:
        offset = max(0, (total - 1) // page_size * page_size) if total else 0
    offset = max(0, offset)
    alerts: list[Alert] = []
    skip, need = offset, page_size
    for section, count in zip(sections, counts, strict=True):
        if need <= 0:
            break
        if skip >= count:
            skip -= count
            continue
        rows = ops.list_alerts(store, section, limit=need, offset=skip)
        alerts.extend(rows)
        need -= len(rows)
        skip = 0
    return AlertPage(alerts=alerts, offset=offset, total=total, page_size=page_size, selection=selection)
