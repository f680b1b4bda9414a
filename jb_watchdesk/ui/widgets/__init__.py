"""Small widgets more than one pane can use: a report chart drawn in the window, a result line."""

from jb_watchdesk.ui.widgets.bar_chart import BarChart
from jb_watchdesk.ui.widgets.result_line import ResultLine

__all__ = ["BarChart", "ResultLine"]
