"""Why a hit was raised, lowered or kept: short codes with the words that decided it.

Every hit carries a tuple of :class:`Why`; the officer sees them rendered in their language
(``scan --json`` ``"reason"``, the alert view), e.g. "降级：处于警示语境（警惕）" /
"demoted: inside a warning (警惕)". Codes are stable and stored with alerts; the texts live in
the message catalogue (:mod:`jb_watchdesk.domain.messages`, keys ``why.<code>``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.messages import current_language


@dataclass(frozen=True, slots=True)
class Why:
    """One reason: a code (``why.<code>`` in the message catalogue) and the word or words that decided it.

    ``number.label_nearer`` keeps its two labels as ``near|far``.
    """

    code: str
    cue: str = ""

    def text(self, language: str | None = None) -> str:
        """The reason in the officer's language (the message catalogue's ``why.<code>``); an
        unknown code (from a newer version's alert) is shown as it is."""
        key = f"why.{self.code}"
        if key not in messages.CATALOGUE:
            return self.code
        near, _, far = self.cue.partition("|")
        return messages.text(key, language, cue=self.cue, near=near, far=far)

    def as_json(self) -> list[str]:
        return [self.code, self.cue]


def reason_text(whys: Iterable[Why], language: str | None = None) -> str:
    """The reasons as one line: "降级：处于警示语境（警惕）；标签“卡号”"."""
    separator = "; " if (language or current_language()) == "en" else "；"
    return separator.join(why.text(language) for why in whys)


def whys_from_json(value: Sequence[Sequence[str]] | None) -> tuple[Why, ...]:
    """Read back what :meth:`Why.as_json` stored; unknown shapes are skipped, not fatal."""
    whys: list[Why] = []
    for item in value or ():
        if isinstance(item, (list, tuple)) and item and all(isinstance(part, str) for part in item):
            whys.append(Why(item[0], item[1] if len(item) > 1 else ""))
    return tuple(whys)


__all__ = ["Why", "reason_text", "whys_from_json"]
