"""What the desk knows about one platform, in one value: the platform spec.

Each official platform module (``wechat_mp``, ``weibo``, ``douyin``) ends with a ``SPEC``:
its connector, the keyring secrets it reads (checked when an officer stores one with
``accounts set-secret``), and the simulator routes that act it out. The registry is the
list of these specs, as Datasette's ``DEFAULT_PLUGINS`` lists its built-ins: adding
Kuaishou or Toutiao is one new module and one line in :data:`registry.SPECS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jb_watchdesk.connectors.errors import ErrorTable
from jb_watchdesk.connectors.fetching import Connector, SecretSource
from jb_watchdesk.connectors.http import HttpClient
from jb_watchdesk.domain.models import Platform


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    """One platform: how to read it and what it needs.

    ``secrets`` are the keyring names the connector reads (``ACCOUNT_ID:NAME``);
    ``simulator_routes`` the paths ``jb_watchdesk.simulator.routes`` serves for it;
    ``docs`` the platform documentation its wire formats follow.
    """

    platform: Platform
    secrets: tuple[str, ...]
    connector: Callable[[HttpClient, SecretSource], Connector]
    errors: ErrorTable
    simulator_routes: tuple[str, ...] = ()
    docs: str = ""
