"""Redaction by value: every secret this process has handled is masked wherever it would appear.

A platform that echoes a credential back in its error text (``invalid appsecret 5f3c…``), a proxy
that puts the request's query string in its refusal, an Apprise channel URL in a traceback: the
text that reaches a log file, the database, the command line or an export passes
:func:`redact` first, and every value :func:`register` was given is replaced by ``[redacted]``,
however short or un-token-like it is. (:func:`jb_watchdesk.connectors.base.platform_detail`
also blanks long token-shaped runs; that catches tokens the desk never saw, e.g. one a platform
issued and echoed back, but not a 20-character AppSecret.)

Values are registered where the desk reads or stores them: the connectors' keyring door
(``app.KeyringSecrets``), the account editor and ``accounts set-secret``
(:func:`jb_watchdesk.services.accounts.set_secret`), and the escalation channels
(:func:`jb_watchdesk.services.escalation.load_channels`). The registry lives for the process;
nothing is written anywhere.

Values shorter than :data:`MIN_CHARS` (4) characters are not registered: masking every ``1`` or
``abc`` in every line would make the log unreadable, and no platform issues credentials that
short. An 8-character secret is masked.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import quote, quote_plus, unquote, urlsplit

MIN_CHARS = 4
MASK = "[redacted]"

_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None


def register(value: str | None) -> None:
    """Remember ``value`` (a secret) for the rest of the process; None, empty or short values are
    ignored. Its URL-encoded and JSON-escaped spellings are remembered too (a platform may echo
    the request's query string)."""
    if not value or len(value.strip()) < MIN_CHARS:
        return
    global _pattern
    spellings = {value, value.strip(), quote(value, safe=""), quote_plus(value, safe=""), value.replace("/", "\\/")}
    with _lock:
        fresh = {s for s in spellings if len(s) >= MIN_CHARS} - _values
        if fresh:
            _values.update(fresh)
            _pattern = None


def register_url(url: str) -> None:
    """An address that carries a key (an Apprise channel, a proxy with a password): the whole URL,
    and each part that can hold a key (user, password, a "host" that is no host name, path
    segments, query values) on its own. The scheme and a real host name stay readable."""
    register(url)
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return
    if parts.hostname and "." not in parts.hostname and parts.hostname != "localhost":
        register(parts.netloc.rpartition("@")[2])  # Apprise puts many keys where a host would be (wecombot://KEY)
    register(parts.username)
    register(parts.password)
    for segment in parts.path.split("/"):
        register(unquote(segment))
    for pair in parts.query.split("&"):
        register(unquote(pair.partition("=")[2]))
    if "@" in parts.netloc:
        register(parts.netloc.rpartition("@")[0])


def forget_all() -> None:
    """Forget every registered value (tests)."""
    global _pattern
    with _lock:
        _values.clear()
        _pattern = None


def _compiled() -> re.Pattern[str] | None:
    global _pattern
    with _lock:
        if _pattern is None and _values:
            # Longest first: a value that contains another is masked whole.
            ordered = sorted(_values, key=len, reverse=True)
            _pattern = re.compile("|".join(re.escape(v) for v in ordered))
        return _pattern


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``[redacted]``."""
    pattern = _compiled()
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)


class RedactingFilter(logging.Filter):
    """A handler filter that masks registered secrets in the formatted message, the traceback and
    the stack of every record it passes (it never drops a record).

    The message is rendered here (``msg % args``) so a secret passed as an argument is masked
    too; the traceback is rendered with the standard formatter and stored as ``exc_text``, which
    :class:`logging.Formatter` then prints as is.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if _compiled() is None:
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a bad format string: logging reports it itself when it formats
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
