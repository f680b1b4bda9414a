"""What a built-in detector reports: the ``Detection`` type and the rule names (``DETECTOR_RULES``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from jb_watchdesk.domain.sensitive.lexicon import Category, Severity
from jb_watchdesk.domain.sensitive.reasons import Why


@dataclass(frozen=True, slots=True)
class Detection:
    """A detector's finding: a span of the folded text and how it should be reported."""

    start: int
    end: int
    category: Category
    severity: Severity
    rule: str
    confidence: float
    masked: str | None = None
    why: tuple[Why, ...] = ()


RULE_ID_CARD: Final = "pii.id_card"
RULE_ID_CARD_LEGACY: Final = "pii.id_card_15"
RULE_MOBILE: Final = "pii.mobile"
RULE_BANK_CARD: Final = "pii.bank_card"
RULE_SECRECY_MARKING: Final = "secret.marking"
RULE_ADDRESS: Final = "pii.address"
RULE_SUPERLATIVE: Final = "ad.absolute"
DETECTOR_RULES: Final = frozenset(
    {RULE_ID_CARD, RULE_ID_CARD_LEGACY, RULE_MOBILE, RULE_BANK_CARD, RULE_SECRECY_MARKING, RULE_ADDRESS, RULE_SUPERLATIVE}
)
"""Every rule a built-in detector reports: they exist whatever the lexicon files say."""
