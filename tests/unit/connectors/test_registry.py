"""The registry is a list of platform specs, each complete in its own module."""

from __future__ import annotations

import asyncio
import importlib

import pytest

from jb_watchdesk.connectors.fetching import AccountRef
from jb_watchdesk.connectors.http import HttpClient, HttpSettings
from jb_watchdesk.connectors.platforms import PlatformSpec
from jb_watchdesk.connectors.registry import BY_PLATFORM, SPECS, Connectors, secret_names
from jb_watchdesk.connectors.rss import FeedConnector
from jb_watchdesk.domain.models import Platform
from jb_watchdesk.simulator.routes import ROUTES


def test_one_spec_per_platform() -> None:
    assert len({spec.platform for spec in SPECS}) == len(SPECS)
    assert set(BY_PLATFORM) == {Platform.WECHAT_MP, Platform.WEIBO, Platform.DOUYIN}


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.platform.value)
def test_each_spec_is_whole_and_lives_beside_its_connector(spec: PlatformSpec) -> None:
    module = importlib.import_module(spec.connector.__module__)

    assert module.SPEC is spec
    assert spec.errors is module.ERRORS and spec.errors.platform == module.PLATFORM
    assert spec.secrets and all(name.isidentifier() for name in spec.secrets)
    assert spec.docs.startswith("https://")
    # the simulator serves every route the spec names, under the same platform prefix
    assert spec.simulator_routes
    for route in spec.simulator_routes:
        handler, _ = ROUTES[route]
        assert handler.split(".", 1)[0] == spec.errors.platform, route


def test_feed_sources_need_no_secrets_and_are_read_as_feeds(memory_secrets) -> None:  # type: ignore[no-untyped-def]
    assert secret_names(Platform.WEIBO) == ("access_token",)
    assert secret_names(Platform.WEIBO, source="https://rsshub.example/weibo/user/1") == ()
    assert secret_names(Platform.KUAISHOU) == ()

    async def choose() -> tuple[object, object, object]:
        http = HttpClient(HttpSettings(trust_env=False))
        try:
            connectors = Connectors(http, memory_secrets())
            official = connectors.for_account(AccountRef(1, "a", Platform.WEIBO, "123"))
            feed = connectors.for_account(AccountRef(2, "b", Platform.KUAISHOU, "https://rsshub.example/ks/1"))
            nothing = connectors.for_account(AccountRef(3, "c", Platform.DOUYIN, ""))
            return official, feed, nothing
        finally:
            await http.aclose()

    official, feed, nothing = asyncio.run(choose())
    assert type(official).__name__ == "WeiboConnector"
    assert isinstance(feed, FeedConnector)
    assert nothing is None
