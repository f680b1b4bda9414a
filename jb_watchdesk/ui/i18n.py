"""Qt's translation system: the source strings are Simplified Chinese; English comes from a .qm file.

``resources/translations/*.ts`` are the sources (edited with Qt Linguist); the ``.qm`` files are
compiled from them by the set-up (``make``), never edited by hand.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from jb_watchdesk.paths import resources_dir

log = logging.getLogger(__name__)


def install_translator(qapp: QApplication, language: str) -> QTranslator | None:
    """Load the translation for ``language`` (``zh`` needs none); keep the returned object alive."""
    if language == "zh":
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        return None
    translator = QTranslator(qapp)
    path = resources_dir() / "translations" / f"jb_watchdesk_{language}.qm"
    if not translator.load(str(path)):
        log.warning("no compiled translation at %s (run `make`); the window stays in Chinese", path)
        return None
    qapp.installTranslator(translator)
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    return translator
