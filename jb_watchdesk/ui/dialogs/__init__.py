"""Dialogs and pop-ups; opened with ``open()``/``show()``, never ``exec()`` inside a coroutine."""
