"""How the HTTP client's failures read: statuses as ConnectorErrors, URLs without their secrets.

A status the caller did not expect becomes a :class:`~jb_watchdesk.connectors.base.ConnectorError`
of the kind the poller acts on (RFC 9110 §15, https://www.rfc-editor.org/rfc/rfc9110#section-15):
429, and 503 with a Retry-After, are rate limits with the wait the server asked for
(RFC 9110 §10.2.3, https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3); other 5xx are
transient; 401/403 and 404/410 are settings to fix. URLs in messages and logs carry no
query values that hold tokens (:func:`redact_url`).
"""

from __future__ import annotations

import email.utils
import ssl
from datetime import UTC, datetime
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind

SECRET_PARAMS: Final = frozenset(
    {"access_token", "secret", "appsecret", "client_secret", "refresh_token", "code", "token", "key", "password"}
)
MAX_RETRY_AFTER_S: Final = 6 * 3600.0


def redact_url(url: str | httpx.URL) -> str:
    """The URL with the values of secret-bearing query parameters replaced by ``***``."""
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    query = [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_AFTER_S)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER_S)


def check_status(response: httpx.Response, *, platform: str, safe_url: str, ok_statuses: frozenset[int]) -> None:
    """Raise the ConnectorError a status outside ``ok_statuses`` means; ``safe_url`` is already redacted."""
    status = response.status_code
    if status in ok_statuses:
        return
    if status == 429 or (status == 503 and "retry-after" in response.headers):
        retry = parse_retry_after(response.headers.get("retry-after"), now=datetime.now(UTC))
        raise ConnectorError(
            ErrorKind.RATE_LIMITED,
            f"{url_host(safe_url)} asks to slow down (HTTP {status})",
            code=f"{platform}.http{status}",
            retry_after=retry,
        )
    if status >= 500:
        raise ConnectorError(ErrorKind.TRANSIENT, f"{url_host(safe_url)} answered HTTP {status}", code=f"{platform}.http{status}")
    if status in (401, 403):
        raise ConnectorError(
            ErrorKind.CONFIG,
            f"{safe_url} refused access (HTTP {status}): check the credentials or whether the source blocks this workstation",
            code=f"{platform}.http{status}",
        )
    if status in (404, 410):
        raise ConnectorError(
            ErrorKind.CONFIG, f"{safe_url} does not exist (HTTP {status}): check the account's source", code=f"{platform}.http{status}"
        )
    raise ConnectorError(ErrorKind.TRANSIENT, f"{safe_url} answered HTTP {status}", code=f"{platform}.http{status}")


def too_large(platform: str, limit: int) -> ConnectorError:
    return ConnectorError(
        ErrorKind.BAD_PAYLOAD, f"the response is larger than {limit // (1024 * 1024)} MB and was cut off", code=f"{platform}.too_large"
    )


def url_host(url: str) -> str:
    return urlsplit(str(url)).netloc or str(url)


def is_tls_error(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(error)
