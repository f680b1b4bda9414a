"""Which connector reads which account, and which host it talks to."""

from __future__ import annotations

from dataclasses import dataclass, field

from jb_watchdesk.connectors import douyin, rss, wechat_mp, weibo
from jb_watchdesk.connectors.fetching import AccountRef, Connector, SecretSource, is_feed_source
from jb_watchdesk.connectors.http import HttpClient
from jb_watchdesk.domain.models import Platform


@dataclass(slots=True)
class Connectors:
    """Chooses the connector for an account: its platform's API, or its feed URL."""

    http: HttpClient
    secrets: SecretSource
    _by_kind: dict[str, Connector] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_kind = {
            "rss": rss.FeedConnector(self.http),
            Platform.WECHAT_MP.value: wechat_mp.WechatConnector(self.http, self.secrets),
            Platform.WEIBO.value: weibo.WeiboConnector(self.http, self.secrets),
            Platform.DOUYIN.value: douyin.DouyinConnector(self.http, self.secrets),
        }

    def for_account(self, account: AccountRef) -> Connector | None:
        """None when the account has no source yet (nothing to poll)."""
        if not account.source:
            return None
        if is_feed_source(account.source) or not account.platform.has_official_connector:
            return self._by_kind["rss"]
        return self._by_kind[account.platform.value]
