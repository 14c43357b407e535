"""How the mouse turns the camera of a scene: the one place the interactor style is chosen."""

from __future__ import annotations

import pyvista as pv


def camera_drags(plotter: pv.Plotter) -> None:
    """Let the mouse turn the camera: the one place the interactor style is chosen.

    Any button drag that reaches VTK turns the camera the same way, so the left button
    can be given to the brush (the UI keeps it from VTK) while the right and middle
    buttons still rotate: plain drag rotates (trackball), shift+drag pans, ctrl+drag
    spins about the line of sight, ctrl+shift+drag dollies; the wheel zooms. Keyboard
    handling is left to the application: pyvista's and VTK's own key bindings (``q`` and
    ``e`` close the window, ``3`` toggles stereo, ``w`` wireframe...) are switched off.
    Harmless on an off-screen plotter (nothing sends it events).
    """
    interactor = plotter.iren
    if interactor is None:
        return
    plotter.enable_trackball_style()
    interactor.clear_key_event_callbacks()
    style = interactor.style
    # A style with an observer for an event calls it *instead of* its built-in handler
    # (right = dolly, middle = pan, OnChar = keys): no abort flag needed. Observers get
    # the style as an argument; holding it would be a cycle Python cannot collect.
    style.AddObserver("CharEvent", _ignore_event)
    for button in ("Right", "Middle"):
        style.AddObserver(f"{button}ButtonPressEvent", _start_left_drag)
        style.AddObserver(f"{button}ButtonReleaseEvent", _end_left_drag)


def _ignore_event(*_args: object) -> None:
    """An observer that swallows the event it observes."""


def _start_left_drag(style, _event: str) -> None:
    """Start what a left-button drag does (trackball rotate; VTK reads shift and ctrl)."""
    style.OnLeftButtonDown()


def _end_left_drag(style, _event: str) -> None:
    style.OnLeftButtonUp()
