"""What an officer operation or a poll cycle changed: flags for each pane, and the rows it touched.

Every mutation in :mod:`jb_watchdesk.services.operations` returns a :class:`Changes`; so does a
turn of the watch loop. The window refreshes only the panes whose flag is set, from the rows
carried here where it can (an acknowledged alert is replaced in the list, not re-read with
its 999 neighbours). Headless mode and the command line read the same value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from jb_watchdesk.domain.alerts import Alert
from jb_watchdesk.domain.models import Account

if TYPE_CHECKING:  # the status row type lives with the rule that computes it
    from jb_watchdesk.services.status import AccountStatusRow


@dataclass(frozen=True, slots=True)
class Changes:
    """Flags (what kind of thing changed) and, where known, the changed rows themselves."""

    alerts: bool = False
    """Alerts were raised, acknowledged or resolved: the alerts pane and the counters."""
    comments: bool = False
    """Comments arrived or were acknowledged/answered: the comment queue and its counters."""
    status: bool = False
    """Account freshness or health may differ: the overview."""
    shift: bool = False
    """The shift, its inspections or an emergency changed: the duty panels."""
    accounts: bool = False
    """The register changed (added, edited, a credential noted)."""
    ledger: bool = False
    """Rows were appended to the hash-chained record."""
    lexicon: bool = False
    """The lexicon files changed: the scanner reloads."""
    alert_rows: tuple[Alert, ...] = ()
    """The alerts as they are now, after the change (when the operation knows them)."""
    comment_ids: tuple[int, ...] = ()
    account_rows: tuple[Account, ...] = ()
    status_rows: tuple[AccountStatusRow, ...] | None = None
    """Every account's status as of the change, when it was computed anyway (the poll cycle)."""
    result: object = field(default=None, compare=False)
    """What the operation made, for the caller to show (a shift, an inspection, an outcome)."""

    @property
    def empty(self) -> bool:
        return not (self.alerts or self.comments or self.status or self.shift or self.accounts or self.ledger or self.lexicon)

    def __or__(self, other: Changes) -> Changes:
        """Both sets of changes: flags or'ed, rows joined (the later row of an alert wins)."""
        alerts = {alert.id: alert for alert in (*self.alert_rows, *other.alert_rows)}
        if (self.alerts and not self.alert_rows) or (other.alerts and not other.alert_rows):
            alerts = {}  # one side changed alerts it does not list: the rows are not the whole change
        return Changes(
            alerts=self.alerts or other.alerts,
            comments=self.comments or other.comments,
            status=self.status or other.status,
            shift=self.shift or other.shift,
            accounts=self.accounts or other.accounts,
            ledger=self.ledger or other.ledger,
            lexicon=self.lexicon or other.lexicon,
            alert_rows=tuple(alerts.values()),
            comment_ids=tuple(dict.fromkeys((*self.comment_ids, *other.comment_ids))),
            account_rows=(*self.account_rows, *other.account_rows),
            status_rows=other.status_rows if other.status_rows is not None else self.status_rows,
            result=other.result if other.result is not None else self.result,
        )

    def with_result(self, result: object) -> Changes:
        return replace(self, result=result)


def alerts_changed(alerts: Sequence[Alert], *, result: object = None) -> Changes:
    """An acknowledgement or resolution: the alerts themselves, and a ledger row each."""
    return Changes(alerts=True, ledger=True, alert_rows=tuple(alerts), result=result)
