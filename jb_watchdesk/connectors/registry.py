"""Which connector reads which account, and which host it talks to."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

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

    def host_of(self, account: AccountRef) -> str:
        """The host a poll of this account talks to, for per-host concurrency limits."""
        if is_feed_source(account.source):
            return urlsplit(account.source).netloc
        defaults = {
            Platform.WECHAT_MP: wechat_mp.DEFAULT_API_BASE,
            Platform.WEIBO: weibo.DEFAULT_API_BASE,
            Platform.DOUYIN: douyin.DEFAULT_API_BASE,
        }
        base = account.api_base or defaults.get(account.platform, "")
        return urlsplit(base).netloc
