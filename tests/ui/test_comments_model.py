"""The comment queue pages: a full page invites the view to fetch more, which is appended in place."""

from __future__ import annotations

from datetime import datetime, timedelta

from jb_watchdesk.domain.models import CommentState
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services.comments import CommentRow
from jb_watchdesk.ui.models.comments import CommentsModel

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


def comment(n: int) -> CommentRow:
    created = NOW - timedelta(hours=3, minutes=n)
    return CommentRow(
        id=n, account_id=1, account_name="平安江北", post_id=None, author="市民", text=f"留言 {n}",
        created_at=created, ack_due=created + timedelta(hours=1), result_due=created + timedelta(days=7),
        result_due_estimated=False, acked_at=None, done_at=None, state=CommentState.OVERDUE_ACK,
    )  # fmt: skip


def test_paging_appends_without_a_reset(qapp: object) -> None:
    model = CommentsModel(lambda: NOW)
    asked: list[bool] = []
    resets: list[bool] = []
    inserted: list[tuple[int, int]] = []
    model.moreRequested.connect(lambda: asked.append(True))
    model.modelReset.connect(lambda: resets.append(True))
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))

    model.set_rows([comment(n) for n in range(3)], limit=3)
    assert model.canFetchMore() and resets == [True]
    model.fetchMore()
    assert asked == [True] and not model.canFetchMore()  # one request at a time
    model.set_rows([comment(n) for n in range(5)], limit=6)
    assert inserted == [(3, 4)] and resets == [True] and model.rowCount() == 5
    assert not model.canFetchMore()  # a short page: nothing more in the store
    assert model.data(model.index(0, 3)) == "-2:00:00"  # ack deadline passed two hours ago
