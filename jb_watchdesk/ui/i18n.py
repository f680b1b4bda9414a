"""The window's language: its texts come from the one message catalogue, Qt's own from Qt.

Every text the window shows is a catalogue entry (``ui.<area>.<name>`` in
:mod:`jb_watchdesk.domain.messages.ui`, names of codes through :mod:`jb_watchdesk.ui.labels`),
rendered with :func:`t` in the language chosen at start-up, the same language the command line
and the exports speak. What Qt itself draws (standard buttons such as OK / Cancel / Save, the
file dialog, context menus of text fields) comes from Qt's ``qtbase`` translations, shipped
with PySide6 and loaded here for Chinese.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QFileDialog

from jb_watchdesk.domain import messages

log = logging.getLogger(__name__)

_installed: list[QTranslator] = []
"""The translators Qt holds by pointer: kept alive here for as long as they are installed."""

_QT_LOCALES = {
    "zh": QLocale(QLocale.Language.Chinese, QLocale.Country.China),
    "en": QLocale(QLocale.Language.English, QLocale.Country.UnitedStates),
}


def t(key: str, /, **params: object) -> str:
    """The window's text ``key`` with ``params``, in the window's language."""
    return messages.text(key, **params)


def install_language(qapp: QApplication, language: str) -> list[QTranslator]:
    """Speak ``language`` (``zh`` or ``en``) in the window, replacing any language installed before.

    Sets the catalogue's language and Qt's default locale (numbers, dates, the file dialog), and
    for Chinese installs Qt's own ``qtbase_zh_CN`` so standard buttons and dialogs read in Chinese.
    """
    if language not in messages.LANGUAGES:
        language = messages.DEFAULT_LANGUAGE
    remove_language(qapp)
    messages.set_language(language)
    locale = _QT_LOCALES[language]
    QLocale.setDefault(locale)
    installed: list[QTranslator] = []
    if language == "zh":
        qt_base = QTranslator(qapp)
        directory = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt_base.load(locale, "qtbase", "_", directory):
            qapp.installTranslator(qt_base)
            installed.append(qt_base)
        else:
            log.warning("Qt's Chinese translations are missing from %s: standard buttons stay in English", directory)
    _installed.extend(installed)
    return installed


def remove_language(qapp: QApplication) -> None:
    """Remove the translators :func:`install_language` installed (tests switch languages in one process)."""
    while _installed:
        qapp.removeTranslator(_installed.pop())


def template(key: str, /) -> str:
    """The window's text ``key`` with its ``{placeholders}`` unfilled, for code that fills them later."""
    zh, en = messages.CATALOGUE[key]
    return en if messages.current_language() == "en" else zh


def localise_file_dialog(dialog: QFileDialog) -> None:
    """The file dialog's labels that Qt's own Chinese leaves in English (``&Look in:``, ``Files of &type:``)."""
    labels = QFileDialog.DialogLabel
    dialog.setLabelText(labels.LookIn, t("ui.file_dialog.look_in"))
    dialog.setLabelText(labels.FileName, t("ui.file_dialog.file_name"))
    dialog.setLabelText(labels.FileType, t("ui.file_dialog.file_type"))
