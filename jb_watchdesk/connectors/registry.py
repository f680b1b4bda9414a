"""Which connector reads which account: the list of platform specs, and feeds for the rest.

Each official platform is one spec module (see :mod:`jb_watchdesk.connectors.platforms`);
:data:`SPECS` lists them. A platform without an official connector (Kuaishou, Toutiao …)
or an account whose source is a feed URL is read by the feed connector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from jb_watchdesk.connectors import douyin, rss, wechat_mp, weibo
from jb_watchdesk.connectors.fetching import AccountRef, Connector, SecretSource, is_feed_source
from jb_watchdesk.connectors.http import HttpClient
from jb_watchdesk.connectors.platforms import PlatformSpec
from jb_watchdesk.domain.models import Platform

#: the official platforms, one spec module each
SPECS: Final[tuple[PlatformSpec, ...]] = (
    wechat_mp.SPEC,
    weibo.SPEC,
    douyin.SPEC,
)
BY_PLATFORM: Final[dict[Platform, PlatformSpec]] = {spec.platform: spec for spec in SPECS}


def secret_names(platform: Platform, *, source: str = "") -> tuple[str, ...]:
    """The keyring secrets an account of ``platform`` needs; none when it is read as a feed."""
    spec = BY_PLATFORM.get(platform)
    if spec is None or is_feed_source(source):
        return ()
    return spec.secrets


@dataclass(slots=True)
class Connectors:
    """Chooses the connector for an account: its platform's API, or its feed URL."""

    http: HttpClient
    secrets: SecretSource
    _by_platform: dict[Platform, Connector] = field(default_factory=dict)
    _feed: Connector | None = None

    def __post_init__(self) -> None:
        self._feed = rss.FeedConnector(self.http)
        self._by_platform = {spec.platform: spec.connector(self.http, self.secrets) for spec in SPECS}

    def for_account(self, account: AccountRef) -> Connector | None:
        """None when the account has no source yet (nothing to poll)."""
        if not account.source:
            return None
        connector = self._by_platform.get(account.platform)
        if connector is None or is_feed_source(account.source):
            return self._feed
        return connector
