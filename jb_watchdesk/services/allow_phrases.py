"""An officer who disagrees with an alert allows the phrase: in one step, for every later scan.

The phrase goes into ``<data dir>/lexicon/allow.csv`` (see :func:`add_allow_phrase`), the record
says who allowed what and why, and the alert it came from is acknowledged through the ordinary
acknowledgement with the note "加入白名单：<phrase>". The caller then reloads the scanner (the
window's watch loop does it at once; a running desk also notices the changed file at its next poll).

Personal data is never allowed by phrase: its alerts are masked, and a phrase that lets one
identity number through would have to contain it in the lexicon file in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.alerts import Alert
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import AlertState
from jb_watchdesk.domain.sensitive.lexicon import Category
from jb_watchdesk.domain.sensitive.normalize import fold_term
from jb_watchdesk.services import alerts as alert_service
from jb_watchdesk.services.lexicon_files import AllowPhraseAdded, add_allow_phrase
from jb_watchdesk.storage import alerts as alert_store
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.db import Store

LEXICON_ALLOW: Final = "lexicon_allow"
"""The ledger kind of an allow phrase an officer added."""
MAX_OFFICER_CHARS: Final = alert_service.MAX_OFFICER_CHARS
_LEXICON_CATEGORIES: Final = frozenset(category.value for category in Category)


@dataclass(frozen=True, slots=True)
class AllowOutcome:
    """The phrase as written and where, and the alert acknowledged with it (if one was named)."""

    phrase: AllowPhraseAdded
    alert: Alert | None = None


def allow_refusal(alert: Alert) -> str:
    """Why ``alert`` cannot be answered with an allow phrase, in the officer's language ("" if it can)."""
    if alert.masked:
        return messages.text("lexicon.allow_masked", alert_id=alert.id)
    if alert.category not in _LEXICON_CATEGORIES:
        return messages.text("lexicon.allow_not_a_hit", alert_id=alert.id)
    return ""


def check_phrase_for_alert(alert: Alert, phrase: str) -> None:
    """Refuse a phrase that could not cancel ``alert``'s hit: personal data, or one missing the hit."""
    if alert.masked:
        raise InputError("lexicon.allow_masked", alert_id=alert.id)
    if alert.category not in _LEXICON_CATEGORIES:
        raise InputError("lexicon.allow_not_a_hit", alert_id=alert.id)
    # Folded as the matcher folds, so "國家秘密" still covers a hit shown as "国家秘密".
    if fold_term(alert.text) not in fold_term(phrase):
        raise InputError("lexicon.allow_misses_hit", phrase=phrase.strip(), text=alert.text, alert_id=alert.id)


def _officer(officer: str) -> str:
    name = " ".join(officer.split())
    if not name:
        raise InputError("alert.empty_officer")
    if len(name) > MAX_OFFICER_CHARS:
        raise InputError("alert.too_long", field="--officer", length=len(name), limit=MAX_OFFICER_CHARS)
    return name


def allow_phrase(
    store: Store,
    data_dir: Path,
    phrase: str,
    *,
    note: str,
    officer: str,
    now: datetime,
    alert_id: int | None = None,
) -> AllowOutcome:
    """Add ``phrase`` to the workspace's allow list, record it, and acknowledge ``alert_id`` if given.

    Everything that can be refused (a bad phrase, a masked alert, an alert already handled, a
    phrase that misses the hit) is refused before the file is written. Blocking: file I/O and
    the store; run it off the event loop.
    """
    officer = _officer(officer)
    alert: Alert | None = None
    if alert_id is not None:
        alert = store.call(alert_store.get_alert, alert_id)
        check_phrase_for_alert(alert, phrase)
        if alert.state is not AlertState.NEW:
            raise InputError("alert.not_new", alert_id=alert.id, state=alert.state.value)
    added = add_allow_phrase(data_dir, phrase, note=note, officer=officer, now=now)
    if added.added:
        entry = audit.Entry(
            kind=LEXICON_ALLOW,
            payload={
                "phrase": added.phrase,
                "note": " ".join(note.split()),
                "officer": officer,
                "file": str(added.path),
                "alert_id": alert_id,
            },
        )
        store.call(audit.append, entry, now=now)
    if alert is not None:
        ack_note = messages.text("lexicon.allow_note", phrase=added.phrase)
        if note.strip():
            ack_note += ("; " if messages.current_language() == "en" else "；") + " ".join(note.split())
        alert = alert_service.acknowledge(store, alert.id, officer=officer, note=ack_note, now=now)
    return AllowOutcome(phrase=added, alert=alert)


__all__ = ["LEXICON_ALLOW", "AllowOutcome", "allow_phrase", "allow_refusal", "check_phrase_for_alert"]
