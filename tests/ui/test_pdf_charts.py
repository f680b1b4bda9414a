"""The window's copy of a report chart: whole unit names, and "no data" never drawn as a zero bar."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from jb_watchdesk.services.reports.document import Chart
from jb_watchdesk.ui.widgets.bar_chart import BarChart

UNIT = "重庆市江北区大石坝街道办事处"


def test_no_data_is_described_apart_from_zero_and_names_are_whole(qtbot: QtBot) -> None:
    chart = BarChart(empty_text="无数据")
    qtbot.addWidget(chart)
    chart.set_chart(Chart("留言办理及时率", (UNIT, "区文旅委"), (("1小时内确认", (None, 0.0)),), percent=True))
    assert chart.describe().splitlines()[1] == f"1小时内确认: {UNIT} 无数据, 区文旅委 0%"
    chart.resize(360, 240)
    image = chart.grab()  # paints: wrapped labels and the no-data mark without error
    assert not image.isNull()
