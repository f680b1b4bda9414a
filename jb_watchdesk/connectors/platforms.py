"""What the desk knows about one platform, in one value: the platform spec.

Each official platform module (``wechat_mp``, ``weibo``, ``douyin``) ends with a ``SPEC``:
its connector, the keyring secrets it reads (checked when an officer stores one with
``accounts set-secret``), its error table, the simulator routes that act it out and the
documentation its wire formats follow. The registry is the list of these specs, as
Datasette's ``DEFAULT_PLUGINS`` (``datasette/plugins.py``) lists its built-ins.

How to add a platform (Kuaishou, Toutiao …): one new module and one line.

1. ``jb_watchdesk/connectors/<platform>.py``, its docstring citing the platform's API
   pages for every endpoint and field it reads. It defines (a platform with many parsers
   may keep them and ``ERRORS`` in a sibling module, as ``weibo_parsing`` does for ``weibo``):

   - pure ``parse_*`` functions over the response bytes (or a decoded object) that return
     :class:`~jb_watchdesk.connectors.base.ParsedPage` of
     :class:`~jb_watchdesk.connectors.base.FetchedPost` or
     :class:`~jb_watchdesk.connectors.base.FetchedComment`, or raise
     :class:`~jb_watchdesk.connectors.base.ConnectorError`; no I/O, no clock. Dates go
     through :func:`~jb_watchdesk.connectors.dates.parse_date_text` or
     :func:`~jb_watchdesk.connectors.dates.epoch_to_datetime` with ``fetched_at``; a post
     without a usable date is kept with ``date_estimated``, a comment without one is
     skipped and counted;
   - ``ERRORS``, an :class:`~jb_watchdesk.connectors.errors.ErrorTable`: where its payloads
     carry the error code, text and log id, and each known code's kind, officer-facing
     reason (for a setting, what to fix and where) and whether to refresh the token once;
     ``classify_error(payload)`` is ``errors.classify(ERRORS, payload)``;
   - a connector class, ``Connector(http, secrets)``, whose ``fetch`` reads each list with
     :func:`~jb_watchdesk.connectors.paging.read_pages` (one ``ask`` coroutine per list)
     and returns a :class:`~jb_watchdesk.connectors.fetching.FetchResult`; secrets come
     only from the ``SecretSource`` it is given;
   - ``SPEC = PlatformSpec(platform=Platform.X, secrets=(...), connector=..., errors=ERRORS,
     simulator_routes=(...), docs="https://...")``. The :class:`~jb_watchdesk.domain.models.Platform`
     member is there already for the platforms the register names (``kuaishou``,
     ``toutiao`` …).

2. One line in :data:`jb_watchdesk.connectors.registry.SPECS`: ``<platform>.SPEC,``. The
   account editor, ``accounts set-secret`` and the poller read the list; nothing else
   changes.

3. The simulator routes named in ``simulator_routes``, served by
   :mod:`jb_watchdesk.simulator.routes` in the platform's wire format, with its error codes
   as faults, so ``--demo``, the integration tests and the benchmarks exercise it.

4. Tests in ``tests/unit/connectors/test_<platform>.py`` on responses saved under
   ``tests/data/<platform>/`` (pages, the last page, each error code, malformed bodies),
   and one row per saved error in ``test_error_tables.py``.

Until a platform has its module, its accounts are read through a feed (an RSSHub route,
a website feed) by :mod:`jb_watchdesk.connectors.rss`.
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
    ``connector`` builds its connector from the shared HTTP client and the secret source;
    ``errors`` is its error table (:func:`jb_watchdesk.connectors.errors.classify`);
    ``simulator_routes`` the paths ``jb_watchdesk.simulator.routes`` serves for it;
    ``docs`` the platform documentation its wire formats follow.
    """

    platform: Platform
    secrets: tuple[str, ...]
    connector: Callable[[HttpClient, SecretSource], Connector]
    errors: ErrorTable
    simulator_routes: tuple[str, ...] = ()
    docs: str = ""
