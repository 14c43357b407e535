"""Trends over many visits: extent and mean intensity per tag and region, rhythm rates and
event counts, with dates along the bottom. Clicking a visit's point asks to open it.

The figures are the analysis service's (:func:`bodymap.analysis.trends.trends`, through
:meth:`CompareData.trends <bodymap.analysis.compare_data.CompareData.trends>`): each visit
measured on its own body, regions matched by key. Plots are matplotlib figures embedded in
Qt (``FigureCanvasQTAgg``), never pyplot. A dashed amber line marks each visit recorded by
another practitioner than the visit before it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.backend_bases import PickEvent
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from PyQt6.QtCore import QDate, pyqtSignal
from PyQt6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from bodymap.analysis.compare_data import CompareData, local_date
from bodymap.analysis.trends import RegionPoint, Trends
from bodymap.core.series import practitioner_changes
from bodymap.core.session import EVENT_KINDS, LISTENING_STATIONS
from bodymap.store import SessionInfo
from bodymap.ui.compare_common import banner, busy_cursor, fill_tag_combo, set_note

WHOLE_BODY = ""
PICK_RADIUS = 6  # points
CHANGE_COLOR = "#d9a441"
NO_DATA_TEXT = "No readable sessions in these dates."
CLICK_HINT = "Click a point to open that visit."
TYPICAL_RATE = (4.0, 14.0)
"""The rate axis spans at least this (cycles per minute; the rhythm is typically 6 to 12)."""
_STATION_ORDER = {key: i for i, key in enumerate(LISTENING_STATIONS)}
_KIND_ORDER = {key: i for i, key in enumerate(EVENT_KINDS)}


def _qdate(day) -> QDate:
    return QDate(day.year, day.month, day.day)


def _x(info: SessionInfo) -> float:
    """A visit's place on the time axis: its local start time."""
    return float(date2num(info.started.astimezone().replace(tzinfo=None)))


class TrendsView(QWidget):
    """The "Trends" tab.

    Signals
    -------
    open_session_requested(str)
        A visit's point was clicked: its session id.
    changed()
        New figures were drawn (the window refreshes its list of unreadable sessions).
    """

    open_session_requested = pyqtSignal(str)
    changed = pyqtSignal()

    def __init__(self, data: CompareData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = data
        self.point_ids: dict[object, list[str]] = {}
        self._last_click = None
        dated = [d for d in map(local_date, data.readable) if d is not None]
        self.date_from = QDateEdit(calendarPopup=True)
        self.date_to = QDateEdit(calendarPopup=True)
        for edit, day in (
            (self.date_from, min(dated, default=None)),
            (self.date_to, max(dated, default=None)),
        ):
            edit.setDisplayFormat("d MMM yyyy")
            if day is not None:
                edit.setDate(_qdate(day))
        self.tag = QComboBox()
        fill_tag_combo(self.tag, data.tags())
        self.region = QComboBox()
        self.region.addItem("Whole body", WHOLE_BODY)
        for region in data.body.atlas.regions:
            self.region.addItem(region.name, region.key)
        controls = QHBoxLayout()
        for text, widget in (
            ("From", self.date_from),
            ("to", self.date_to),
            ("Finding", self.tag),
            ("Region", self.region),
        ):
            controls.addWidget(QLabel(text))
            controls.addWidget(widget)
        controls.addStretch(1)
        self.flag = banner()
        self.figure = Figure(figsize=(8, 6), layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumSize(320, 240)
        self.canvas.mpl_connect("pick_event", self._picked)
        self.hint = QLabel(CLICK_HINT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(controls)
        layout.addWidget(self.flag)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.hint)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self.refresh)
        for combo in (self.tag, self.region):
            combo.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def sessions_in_range(self) -> list[SessionInfo]:
        """Readable sessions whose local date lies within the chosen dates, oldest first."""
        start, end = self.date_from.date().toPyDate(), self.date_to.date().toPyDate()
        return [i for i in self._data.readable if (day := local_date(i)) and start <= day <= end]

    def refresh(self) -> None:
        with busy_cursor():
            self._draw(self.sessions_in_range())
        self.changed.emit()

    # -- figures -----------------------------------------------------------------------------
    def _draw(self, infos: list[SessionInfo]) -> None:
        self.figure.clear()
        self.point_ids = {}
        found = self._data.trends([i.id for i in infos], self.tag.currentData()) if infos else None
        if found is None or not found.sessions:
            self.figure.text(0.5, 0.5, NO_DATA_TEXT, ha="center", va="center")
            set_note(self.flag, "")
            self.canvas.draw_idle()
            return
        infos = [s.info for s in found.sessions]
        ids = [i.id for i in infos]
        x = np.array([_x(i) for i in infos])
        extent_axes, mean_axes, rhythm_axes, events_axes = self.figure.subplots(
            2, 2, sharex=True
        ).ravel()
        area, mean = self._series(found)
        self._plot(extent_axes, x, area, ids, "Extent (cm²)", marker="o")
        shown_mean = np.where(area > 0, mean, np.nan)  # no mean where nothing is painted
        self._plot(mean_axes, x, shown_mean, ids, "Mean intensity (0–10)", marker="s")
        mean_axes.set_ylim(0, 10.5)
        self._plot_rhythm_and_events(rhythm_axes, events_axes, x, found)
        extent_axes.set_ylim(bottom=0)
        every = (extent_axes, mean_axes, rhythm_axes, events_axes)
        for axes in every:
            locator = AutoDateLocator()
            axes.xaxis.set_major_locator(locator)
            axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
            axes.grid(True, alpha=0.3)
        self._mark_practitioner_changes(infos, x, every)
        self.canvas.draw_idle()

    def _mark_practitioner_changes(self, infos: list[SessionInfo], x: np.ndarray, axes) -> None:
        """A dashed line at each visit by another practitioner, named on the first plot."""
        changes = practitioner_changes([i.practitioner for i in infos])
        for index in changes:
            for one in axes:
                one.axvline(x[index], color=CHANGE_COLOR, linestyle="--", linewidth=1)
            axes[0].text(
                x[index],
                0.02,
                f"{infos[index].practitioner or 'unnamed'} ",
                transform=axes[0].get_xaxis_transform(),
                rotation=90,
                va="bottom",
                ha="right",
                fontsize="x-small",
                color="#7a5200",
            )
        text = ""
        if changes:
            names = ", ".join(dict.fromkeys(i.practitioner or "unnamed" for i in infos))
            text = (
                f"Visits by different practitioners ({names}), marked by dashed lines: "
                "rhythm palpation agrees poorly between examiners."
            )
        set_note(self.flag, text)

    def _series(self, found: Trends) -> tuple[np.ndarray, np.ndarray]:
        """Extent and mean intensity per visit for the chosen tag and region (each visit
        measured on its own body; a region is matched by its key, 0 where not painted)."""
        points = [s.tags[found.tag] for s in found.sessions]
        key = self.region.currentData()
        if key == WHOLE_BODY:
            pairs = [(p.area_cm2, p.mean_intensity) for p in points]
        else:
            none = RegionPoint(0.0, 0.0)
            pairs = [
                (r.area_cm2, r.mean_intensity) for r in (p.regions.get(key, none) for p in points)
            ]
        area, mean = zip(*pairs, strict=True)
        return np.array(area), np.array(mean)

    def _plot_rhythm_and_events(self, rhythm_axes, events_axes, x, found: Trends) -> None:
        ids = [s.info.id for s in found.sessions]
        rates: dict[tuple[str, str], np.ndarray] = {}
        counts: dict[str, np.ndarray] = {}
        for s, (readings, events) in enumerate((v.rhythm, v.events) for v in found.sessions):
            for reading in readings:
                if reading.rate is not None:
                    key = (reading.station, reading.side)
                    rates.setdefault(key, np.full(len(ids), np.nan))[s] = reading.rate
            for kind, count in events.items():
                counts.setdefault(kind, np.zeros(len(ids)))[s] = count
        for station, side in sorted(rates, key=lambda k: (_STATION_ORDER.get(k[0], 99), k[1])):
            label = f"{LISTENING_STATIONS.get(station, station)} ({side})"
            self._plot(rhythm_axes, x, rates[(station, side)], ids, "", marker="o", label=label)
        rhythm_axes.set_ylabel("Rhythm rate (cycles/min)")
        if rates:
            low, high = rhythm_axes.get_ylim()
            rhythm_axes.set_ylim(min(low, TYPICAL_RATE[0]), max(high, TYPICAL_RATE[1]))
        _event_bars(events_axes, x, counts)
        events_axes.set_ylabel("Events per visit")
        events_axes.set_ylim(bottom=0)
        events_axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        for axes, empty in ((rhythm_axes, not rates), (events_axes, not counts)):
            if empty:
                axes.text(
                    0.5,
                    0.5,
                    "none recorded",
                    transform=axes.transAxes,
                    ha="center",
                    va="center",
                    color="#777",
                )
            else:
                axes.legend(fontsize="x-small", loc="best")

    def _plot(self, axes, x, y, ids: Sequence[str], ylabel: str, **style) -> None:
        [line] = axes.plot(
            x, y, linewidth=1.2, markersize=5, picker=True, pickradius=PICK_RADIUS, **style
        )
        self.point_ids[line] = list(ids)
        if ylabel:
            axes.set_ylabel(ylabel)

    def lines(self) -> list:
        """The plotted lines whose points can be clicked (one point per visit)."""
        return list(self.point_ids)

    def _picked(self, event: PickEvent) -> None:
        ids = self.point_ids.get(event.artist)
        indices = getattr(event, "ind", None)
        if ids is None or indices is None or len(indices) == 0:
            return
        if event.mouseevent is self._last_click:
            return  # one click over several lines opens one visit
        self._last_click = event.mouseevent
        self.open_session_requested.emit(ids[int(indices[0])])


def _event_bars(axes, x: np.ndarray, counts: dict[str, np.ndarray]) -> None:
    """Events per visit as bars side by side at each visit: counts, not a trend to join."""
    kinds = sorted(counts, key=lambda k: (_KIND_ORDER.get(k, 99), k))
    if not kinds:
        return
    gaps = np.diff(np.sort(x))
    slot = 0.8 * (float(gaps[gaps > 0].min()) if (gaps > 0).any() else 1.0)  # in days
    width = slot / len(kinds)
    for index, kind in enumerate(kinds):
        offset = (index - (len(kinds) - 1) / 2) * width
        axes.bar(x + offset, counts[kind], width=width, label=EVENT_KINDS.get(kind, kind))
