"""The workstation's alarm: sounds while the escalation report names something, repeats, stops on
acknowledgement (an empty report) or when switched off; the chime file is a real WAV."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from jb_watchdesk.services.escalation import EscalationReport, Subject
from jb_watchdesk.services.settings import DeskSettings
from jb_watchdesk.ui.alarm import Alarm, write_tone
from jb_watchdesk.ui.dialogs.settings import SettingsDialog


@dataclass
class Counter:
    count: int = 0

    def __call__(self) -> None:
        self.count += 1


WAITING = EscalationReport(sounding=((Subject.ALERT, 7),))
HANDLED = EscalationReport()


def test_sounds_at_once_repeats_and_stops_when_nothing_waits(qtbot: QtBot) -> None:
    played = Counter()
    alarm = Alarm(repeat_ms=20, player=played)
    with qtbot.waitSignal(alarm.started):
        alarm.update(WAITING)
    assert alarm.sounding and played.count == 1
    alarm.update(WAITING)  # a later report naming the same things does not restart it
    qtbot.waitUntil(lambda: played.count >= 3)
    with qtbot.waitSignal(alarm.stopped):
        alarm.update(HANDLED)
    assert not alarm.sounding
    stopped_at = played.count
    qtbot.wait(80)
    assert played.count == stopped_at


def test_no_check_changes_nothing_and_the_switch_silences(qtbot: QtBot) -> None:
    played = Counter()
    alarm = Alarm(repeat_ms=10_000, player=played)
    alarm.update(None)
    assert not alarm.sounding and played.count == 0
    alarm.update(WAITING)
    assert alarm.sounding
    alarm.update(None)
    assert alarm.sounding
    alarm.set_enabled(False)
    assert not alarm.sounding
    alarm.update(WAITING)
    assert not alarm.sounding and played.count == 1
    alarm.set_enabled(True)
    alarm.update(WAITING)
    assert alarm.sounding and played.count == 2
    alarm.stop()
    alarm.stop()  # idempotent
    assert not alarm.sounding


def test_the_chime_is_a_wav_written_once(tmp_path: Path) -> None:
    path = write_tone(tmp_path / "alarm.wav")
    with wave.open(str(path), "rb") as chime:
        assert (chime.getnchannels(), chime.getsampwidth()) == (1, 2)
        assert 0.5 < chime.getnframes() / chime.getframerate() < 2
    stamp = path.stat().st_mtime_ns
    assert write_tone(path).stat().st_mtime_ns == stamp


def test_settings_dialog_saves_the_escalation_minutes_and_sound(qtbot: QtBot) -> None:
    dialog = SettingsDialog(DeskSettings(escalation_minutes=10, escalation_sound=True))
    qtbot.addWidget(dialog)
    assert dialog.escalation_minutes.value() == 10 and dialog.escalation_sound.isChecked()
    dialog.escalation_minutes.setValue(25)
    dialog.escalation_sound.setChecked(False)
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    settings = saved.args[0]
    assert (settings.escalation_minutes, settings.escalation_sound) == (25, False)
    assert settings.escalation().after.total_seconds() == 25 * 60 and settings.escalation().sound is False
