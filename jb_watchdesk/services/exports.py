"""The handover and weekly report exports under their first name: the code lives in
:mod:`jb_watchdesk.services.reports` (document model, handover, weekly report, writers), whose
public names this module re-exports unchanged."""

from __future__ import annotations

from jb_watchdesk.services.reports import *  # noqa: F403 - the one list of names is reports.__all__
from jb_watchdesk.services.reports import __all__ as __all__
