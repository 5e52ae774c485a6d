"""bpdbg's light themes: white, as a projector or a printed handout wants, rather than Textual's
mid-grey light theme (#D8D8D8 panels on #E0E0E0)."""

from __future__ import annotations

from typing import Any

from textual.theme import Theme

DARK = "textual-dark"

#: The colours each light theme sets, in the order its palette lists them.
ROLES = ("primary", "secondary", "accent", "warning", "error", "success", "foreground", "panel")


def _on_white(name: str, palette: str, **more: Any) -> Theme:
    """A theme on a white background and surface: one colour per role of ROLES, in that order."""
    colours: dict[str, Any] = dict(zip(ROLES, palette.split(), strict=True))
    return Theme(name=name, background="#FFFFFF", surface="#FFFFFF", dark=False, **colours, **more)


LIGHT = _on_white("bpdbg-light", "#004578 #0160A8 #C46A00 #A05A00 #B00020 #1E7B34 #1A1A1A #ECEFF3")

PRESENT = _on_white(
    "bpdbg-present",
    "#002B55 #003F7F #D06000 #8A4B00 #A0001A #145C25 #000000 #E3E8EE",
    text_alpha=1.0,
    variables={"text-muted": "#303030", "text-secondary": "#002B55"},
)
"""Presenter mode's: black on white, no translucent text, darker accents."""
