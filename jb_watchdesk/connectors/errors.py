"""Errors shared by the platform connectors: the one table-driven classifier, and naming
a failure that did not stop the fetch.

Every platform answers a failed call with an error code inside a JSON body (often with
HTTP 200). Each platform module declares an :class:`ErrorTable`: where its payloads put
the code, its text and a log id, and what each code means (:class:`ErrorRule`). The one
:func:`classify` reads any platform's payload through its table, so a new platform brings
data, not another classifier.

A comment read that fails (a daily quota, a rejected argument, one article with comments
closed) must not cost the account its posts. The connector returns the posts and puts one
:class:`~jb_watchdesk.connectors.base.ConnectorError` per problem into
``FetchResult.problems``; its reason names the post, the platform's error and what to do,
because that line is what the officer reads in the account's health.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Final

from jb_watchdesk.connectors.base import (
    SHANGHAI,
    ConnectorError,
    ErrorKind,
    as_int,
    as_str,
    bad_payload,
    clip,
    expect_mapping,
    platform_detail,
)

_TITLE_CHARS: Final = 24


def comment_problem(error: ConnectorError, *, post_id: str, post_title: str = "") -> ConnectorError:
    """``error`` restated for one post's comments: which post, which error, what to do.

    The code gains a ``.comments`` suffix (``wechat.45009.comments``) so logs and the
    handover report tell a comment failure from a failed poll.
    """
    title = clip(post_title.strip(), _TITLE_CHARS)
    which = f"“{title}” ({post_id})" if title else post_id
    return ConnectorError(
        error.kind,
        f"comments of post {which} could not be read: {error.reason}; its posts are still read",
        code=f"{error.code}.comments",
        retry_after=error.retry_after,
        log_id=error.log_id,
    )


def comments_paused_problem(error: ConnectorError, *, until: datetime, skipped: int) -> ConnectorError:
    """One line for every post whose comments were not read while a quota pause lasts."""
    local = until.astimezone(SHANGHAI)
    return ConnectorError(
        error.kind,
        f"comments of {skipped} recent post(s) were not read: {error.reason}; comment reads resume "
        f"at {local:%m-%d %H:%M} Beijing time and posts are still read meanwhile",
        code=error.code if error.code.endswith(".comments") else f"{error.code}.comments",
        retry_after=error.retry_after,
    )


def next_quota_reset(now: datetime) -> datetime:
    """When the platforms' daily quotas reset: the next midnight Beijing time (one minute after)."""
    local = now.astimezone(SHANGHAI)
    return datetime.combine(local.date() + timedelta(days=1), time(0, 1), tzinfo=SHANGHAI)


# ---------------------------------------------------------------- the one error classifier


@dataclass(frozen=True, slots=True)
class ErrorRule:
    """What one platform error code means for the desk.

    ``reason`` is the line the officer reads in the account's health: what went wrong and
    what to do (for :attr:`ErrorKind.CONFIG`, the setting to fix and where). It is a
    :meth:`str.format` template over ``{code}``, ``{detail}`` (the platform's own text,
    redacted by :func:`~jb_watchdesk.connectors.base.platform_detail`), ``{name}`` (the
    platform's name) and whatever the table's ``placeholders`` add. ``refresh_token_once``
    asks the caller to refresh the access token and retry a single time; ``retry_after``
    is in seconds when the platform's limit has a known length.
    """

    kind: ErrorKind
    reason: str
    refresh_token_once: bool = False
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class CodeField:
    """Where a payload carries an error code: the object at ``at`` (keys from the top level,
    ``()`` for the top level itself), its ``code`` key, and the keys of the platform's text
    about it, the first non-empty one winning."""

    at: tuple[str, ...]
    code: str
    messages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ErrorTable:
    """A platform's errors as data: where its payloads put them and what each code means.

    ``platform`` prefixes the stable codes (``wechat.45009``) and names bad payloads;
    ``name`` is how the officer knows the platform (``WeChat``). ``fields`` are read in
    order; the first present field with a non-zero code is the error, a present field whose
    code is not a number is a bad payload, and a payload where every present code is 0 (or
    none is present) carries no error. ``log_ids`` are paths to the platform's request id,
    the first non-empty one kept for support tickets. ``rules`` maps codes to their meaning;
    a code not in it is transient, reported with the platform's own text. ``placeholders``
    adds template fields taken from the platform's raw text (WeChat names the refused IP).
    ``docs`` is the platform's page that lists its codes.
    """

    platform: str
    name: str
    fields: tuple[CodeField, ...]
    rules: Mapping[int, ErrorRule]
    log_ids: tuple[tuple[str, ...], ...] = ()
    placeholders: Callable[[str], Mapping[str, str]] | None = None
    docs: str = ""


_UNKNOWN: Final = ErrorRule(ErrorKind.TRANSIENT, "{name} returned error {code} ({detail}); it will be retried")
_MESSAGE_CHARS: Final = 2_000
_LOG_ID_CHARS: Final = 64


def classify(table: ErrorTable, payload: Mapping[str, object] | bytes) -> ConnectorError | None:
    """The error ``payload`` carries according to ``table``, or ``None`` when it carries none.

    ``payload`` is a decoded JSON object or a UTF-8 JSON body. Never raises: malformed JSON,
    a top level that is not an object, or a non-numeric code come back as the platform's
    ``bad_payload`` error.
    """
    try:
        data = expect_mapping(payload, platform=table.platform)
        found = _first_error(table, data)
    except ConnectorError as error:
        return error
    if found is None:
        return None
    code, message = found
    rule = table.rules.get(code, _UNKNOWN)
    fields = {"code": str(code), "detail": platform_detail(message), "name": table.name}
    if table.placeholders is not None:
        fields.update(table.placeholders(message))
    return ConnectorError(
        rule.kind,
        rule.reason.format_map(fields),
        code=f"{table.platform}.{code}",
        retry_after=rule.retry_after,
        refresh_token_once=rule.refresh_token_once,
        log_id=_log_id(table, data),
    )


def raise_for_error(table: ErrorTable, payload: Mapping[str, object] | bytes) -> Mapping[str, object]:
    """``payload`` as a JSON object when it carries no error; otherwise raises the classified
    :class:`~jb_watchdesk.connectors.base.ConnectorError` (a bad payload included)."""
    data = expect_mapping(payload, platform=table.platform)
    error = classify(table, data)
    if error is not None:
        raise error
    return data


def _at(data: Mapping[str, object], path: tuple[str, ...]) -> Mapping[str, object]:
    """The object at ``path``; an empty one when a step is missing or not an object."""
    current: object = data
    for key in path:
        current = current.get(key) if isinstance(current, Mapping) else None
    return current if isinstance(current, Mapping) else {}


def _first_error(table: ErrorTable, data: Mapping[str, object]) -> tuple[int, str] | None:
    for field in table.fields:
        source = _at(data, field.at)
        if field.code not in source:
            continue
        code = as_int(source.get(field.code))
        if code is None:
            raise bad_payload(table.platform, f"{field.code} is not a number")
        if code != 0:
            texts = (as_str(source.get(key), _MESSAGE_CHARS) for key in field.messages)
            return code, next((text for text in texts if text), "")
    return None


def _log_id(table: ErrorTable, data: Mapping[str, object]) -> str | None:
    for path in table.log_ids:
        value = _at(data, path[:-1]).get(path[-1])
        if value:
            return as_str(value, _LOG_ID_CHARS) or None
    return None
