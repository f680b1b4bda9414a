"""The sound at the workstation when something escalates: repeated until it is acknowledged.

PySide6-Essentials has no QtMultimedia, so the sound is played by what the machine has: on
Windows the standard library's ``winsound`` (asynchronous, a WAV written once), elsewhere
``paplay`` or ``aplay`` when one is on PATH (run by a QProcess, never blocking the window), and
otherwise Qt's own beep. The window feeds :meth:`Alarm.update` with each cycle's escalation
report; the settings' switch (``escalation_sound``) turns it off.
"""

from __future__ import annotations

import math
import shutil
import struct
import sys
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Final, Protocol

from PySide6.QtCore import QObject, QProcess, QTimer, Signal
from PySide6.QtWidgets import QApplication

REPEAT_MS: Final = 30_000
"""How often the sound repeats while something waits."""
RATE: Final = 22_050


class EscalationState(Protocol):
    """What the alarm reads from an escalation report: the things the workstation sounds for."""

    @property
    def sounding(self) -> tuple[object, ...]: ...


def write_tone(path: Path) -> Path:
    """A short two-tone chime (0.9 s, 16-bit mono WAV) at ``path``; written once, reused."""
    if path.exists() and path.stat().st_size > 44:
        return path
    frames = bytearray()
    for frequency, seconds in ((880.0, 0.25), (0.0, 0.08), (660.0, 0.25), (0.0, 0.08), (880.0, 0.25)):
        count = int(RATE * seconds)
        for n in range(count):
            fade = min(1.0, n / 200, (count - n) / 200)  # no clicks at the edges
            value = 0.5 * fade * math.sin(2 * math.pi * frequency * n / RATE) if frequency else 0.0
            frames += struct.pack("<h", int(value * 32_767))
    partial = path.with_suffix(".partial")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))
    partial.replace(path)
    return path


def _tone_file() -> Path:
    return write_tone(Path(tempfile.gettempdir()) / "jb-watchdesk-alarm.wav")


class Alarm(QObject):
    """Plays the alarm now and every :data:`REPEAT_MS` while the escalation report says something
    waits; silent when it says nothing does, or when switched off.

    ``player`` replaces the sound (tests); by default the best player this machine has is used.
    """

    started = Signal()
    stopped = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        enabled: bool = True,
        repeat_ms: int = REPEAT_MS,
        player: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._enabled = enabled
        self._timer = QTimer(self)
        self._timer.setInterval(repeat_ms)
        self._timer.timeout.connect(self._play)
        self._player = player
        self._process: QProcess | None = None
        self.plays = 0
        """How many times the sound was played (for the window's tests)."""

    @property
    def sounding(self) -> bool:
        return self._timer.isActive()

    def set_enabled(self, enabled: bool) -> None:
        """The settings' switch: off stops the sound at once."""
        self._enabled = enabled
        if not enabled:
            self.stop()

    def update(self, state: EscalationState | None) -> None:
        """Sound while ``state.sounding`` names anything; ``None`` (no check ran) changes nothing."""
        if state is None:
            return
        if state.sounding and self._enabled:
            self.start()
        else:
            self.stop()

    def start(self) -> None:
        """Play now and keep repeating; a second call while sounding changes nothing."""
        if self._timer.isActive():
            return
        self._timer.start()
        self.started.emit()
        self._play()

    def stop(self) -> None:
        """Silence, at once (idempotent)."""
        if not self._timer.isActive():
            return
        self._timer.stop()
        if sys.platform == "win32":
            import winsound  # noqa: PLC0415 - Windows only

            winsound.PlaySound(None, 0)
        if self._process is not None and self._process.state() != QProcess.ProcessState.NotRunning:
            self._process.kill()
        self.stopped.emit()

    def _play(self) -> None:
        self.plays += 1
        if self._player is not None:
            self._player()
            return
        try:
            if sys.platform == "win32":
                import winsound  # noqa: PLC0415 - Windows only

                winsound.PlaySound(str(_tone_file()), winsound.SND_FILENAME | winsound.SND_ASYNC)
                return
            program = shutil.which("paplay") or shutil.which("aplay")
            if program is not None:
                self._run(program, str(_tone_file()))
                return
        except (OSError, RuntimeError):
            pass  # no sound device or no temp dir: Qt's beep below still says something
        QApplication.beep()

    def _run(self, program: str, path: str) -> None:
        if self._process is None:
            self._process = QProcess(self)
        if self._process.state() != QProcess.ProcessState.NotRunning:
            return  # the last chime is still playing
        self._process.start(program, [path])
