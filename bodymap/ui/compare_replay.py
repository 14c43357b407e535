"""Flip book and replay on one body: step through the client's visits, or through the
strokes of one visit as they were painted (``bodymap.core.replay``).

Replay moves forward one stroke at a time on one running replay; a step back starts it
again from the session's starting layers (empty, or the findings carried over from the
visit before).
"""

from __future__ import annotations

from collections.abc import Iterator

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from bodymap.analysis.compare_data import CompareData
from bodymap.core.overlays import Overlays
from bodymap.core.replay import replay
from bodymap.core.session import Session
from bodymap.io.body_loading import Body
from bodymap.ui.compare_common import (
    FrameOnFirstShow,
    banner,
    busy_cursor,
    fill_session_combo,
    note_label,
    overlay_colors,
    practitioner_warning,
    session_label,
    set_note,
    show_colors,
    transfer_note,
)
from bodymap.ui.viewer import BodyViewer

FLIP_BOOK, REPLAY = 0, 1
NO_STROKES_TEXT = "This session has no strokes to replay."
START_TEXT = "Before the first stroke"
REPLAY_ERRORS = (KeyError, ValueError, IndexError)


def stroke_text(session: Session, index: int) -> str:
    """What stroke ``index`` (0-based) was: e.g. ``Stroke 3 of 7: paint Pain, 14:05:12``."""
    record = session.strokes[index]
    names = []
    for key in record.tags:
        names.append(session.tags.get(key).name if key in session.tags else key)
    when = record.time.astimezone().strftime("%H:%M:%S")
    place = f" ({record.region})" if record.region else ""
    return (
        f"Stroke {index + 1} of {len(session.strokes)}: {record.kind} "
        f"{', '.join(names)}{place}, {when}"
    )


class _Replay:
    """One session's replay, positioned after ``count`` strokes."""

    def __init__(self, session: Session, body: Body, start: Overlays | None) -> None:
        self.session = session
        self.body = body
        self.start = start
        self.count = 0
        self.overlays = self._restart()

    def _restart(self) -> Overlays:
        self._steps: Iterator = replay(
            self.session.strokes,
            self.body.mesh,
            self.body.atlas,
            tuple(self.session.tags.keys()),
            start=self.start,
        )
        self.count = 0
        overlays = (
            self.start.copy()
            if self.start is not None
            else Overlays(self.body.mesh.n_vertices, self.session.tags.keys())
        )
        return overlays

    def seek(self, count: int) -> Overlays:
        """The layers after the first ``count`` strokes."""
        if count < self.count:
            self.overlays = self._restart()
        while self.count < count:
            _, self.overlays = next(self._steps)
            self.count += 1
        return self.overlays


class FlipBookView(QWidget):
    """The "Flip book / replay" tab: one body, a slider, and what the slider stands on.

    Signals
    -------
    changed()
        Another visit or stroke is shown (the window refreshes its list of problems).
    """

    changed = pyqtSignal()

    def __init__(self, data: CompareData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = data
        self._closed = False
        self._replay: _Replay | None = None
        self.flip_button = QRadioButton("Visits (flip book)")
        self.replay_button = QRadioButton("Strokes of one visit (replay)")
        self.modes = QButtonGroup(self)
        self.modes.addButton(self.flip_button, FLIP_BOOK)
        self.modes.addButton(self.replay_button, REPLAY)
        self.flip_button.setChecked(True)
        self.session = QComboBox()
        readable = data.readable
        fill_session_combo(self.session, readable, len(readable) - 1)
        self.session.setEnabled(False)
        top = QHBoxLayout()
        for widget in (self.flip_button, self.replay_button, self.session):
            top.addWidget(widget)
        top.addStretch(1)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setPageStep(1)
        self.position = QLabel()
        self.position.setStyleSheet("QLabel { font-weight: 600; }")
        self.note = note_label()
        self.flag = banner()
        self.viewer = BodyViewer()
        self.viewer.setMinimumSize(160, 160)
        FrameOnFirstShow(self.viewer)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.slider)
        layout.addWidget(self.position)
        layout.addWidget(self.flag)
        layout.addWidget(self.note)
        layout.addWidget(self.viewer, 1)
        self.modes.idClicked.connect(self._mode_changed)
        self.session.currentIndexChanged.connect(lambda _index: self._mode_changed(REPLAY))
        self.slider.valueChanged.connect(self._show)
        self._mode_changed(FLIP_BOOK)

    @property
    def mode(self) -> int:
        return self.modes.checkedId()

    def set_mode(self, mode: int, session_id: str | None = None) -> None:
        """Flip through visits, or replay the strokes of ``session_id`` (default: latest)."""
        (self.flip_button if mode == FLIP_BOOK else self.replay_button).setChecked(True)
        if session_id is not None:
            self.session.blockSignals(True)
            self.session.setCurrentIndex(self.session.findData(session_id))
            self.session.blockSignals(False)
        self._mode_changed(mode)

    def _mode_changed(self, mode: int) -> None:
        self.session.setEnabled(mode == REPLAY)
        self._replay = None
        if mode == REPLAY:
            with busy_cursor():
                self._replay = self._start_replay(self.session.currentData())
            steps = len(self._replay.session.strokes) if self._replay else 0
        else:
            steps = max(len(self._data.readable) - 1, 0)
        self.slider.blockSignals(True)
        self.slider.setRange(0, steps)
        self.slider.setValue(steps if mode == REPLAY else 0)
        self.slider.blockSignals(False)
        self._show(self.slider.value())

    def _start_replay(self, session_id: str | None) -> _Replay | None:
        data = self._data
        session = data.session(session_id) if session_id else None
        body = data.body_for(session.mesh_hash) if session is not None else None
        if session is None or body is None:
            return None
        start = None
        previous = session.carried_over_from
        if previous is not None:
            earlier = data.session(previous)
            if earlier is not None and earlier.mesh_hash == session.mesh_hash:
                start = earlier.overlays
        return _Replay(session, body, start)

    def _show(self, value: int) -> None:
        with busy_cursor():
            if self.mode == REPLAY:
                self._show_stroke(value)
            else:
                self._show_visit(value)
        self.changed.emit()

    def _show_visit(self, index: int) -> None:
        data = self._data
        readable = data.readable
        if not readable:
            self.position.setText("No readable sessions.")
            set_note(self.flag, "")
            return
        ids = [i.id for i in readable]
        index = min(index, len(ids) - 1)
        target = data.target_for(ids)
        overlays = data.overlays_on(ids[index], target) if target is not None else None
        if overlays is None:
            self.position.setText(f"{session_label(readable[index])}: cannot be read")
            return
        self.position.setText(f"Visit {index + 1} of {len(ids)}: {session_label(readable[index])}")
        set_note(self.note, transfer_note(data, [ids[0], ids[index]], target))
        set_note(self.flag, practitioner_warning(readable[max(index - 1, 0) : index + 1]))
        session = data.session(ids[index])
        show_colors(self.viewer, target, overlay_colors(target, overlays, session.tags))

    def _show_stroke(self, count: int) -> None:
        run = self._replay
        set_note(self.flag, "")
        if run is None:
            self.position.setText("This session cannot be replayed: see the list below.")
            set_note(self.note, "")
            return
        strokes = run.session.strokes
        if not strokes:
            self.position.setText(NO_STROKES_TEXT)
        elif count == 0:
            self.position.setText(f"{START_TEXT} (of {len(strokes)})")
        else:
            self.position.setText(stroke_text(run.session, count - 1))
        try:
            overlays = run.seek(count)
        except REPLAY_ERRORS as error:  # e.g. a fill of a region this atlas lacks
            self._replay = None
            self.position.setText(f"Stroke {run.count + 1} cannot be replayed: {error}")
            return
        set_note(self.note, self._replay_note(run, count))
        show_colors(self.viewer, run.body, overlay_colors(run.body, overlays, run.session.tags))

    @staticmethod
    def _replay_note(run: _Replay, count: int) -> str:
        """Where the replay started from, and whether its end differs from what was saved."""
        lines = []
        if run.session.carried_over_from is not None:
            if run.start is not None:
                lines.append("Starts from the findings carried over from the visit before.")
            else:
                lines.append(
                    "Starts empty: the findings carried over from the visit before cannot be read."
                )
        if count == len(run.session.strokes) and not run.overlays.equals(run.session.overlays):
            lines.append(
                "The replayed strokes do not give the saved findings exactly: some were "
                "changed in other ways."
            )
        return " ".join(lines)

    @property
    def shown_overlays(self) -> Overlays | None:
        """The layers the replay shows now (``None`` in the flip book)."""
        return self._replay.overlays if self._replay is not None else None

    def close_views(self) -> None:
        """Close the 3D view's plotter (once)."""
        if not self._closed:
            self._closed = True
            self.viewer.close_plotter()
