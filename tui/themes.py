"""bpdbg's light themes: white, as a projector or a printed handout wants, rather than Textual's
mid-grey light theme (#D8D8D8 panels on #E0E0E0)."""

from __future__ import annotations

from textual.theme import Theme

DARK = "textual-dark"

LIGHT = Theme(
    name="bpdbg-light",
    primary="#004578",
    secondary="#0160A8",
    accent="#C46A00",
    warning="#A05A00",
    error="#B00020",
    success="#1E7B34",
    foreground="#1A1A1A",
    background="#FFFFFF",
    surface="#FFFFFF",
    panel="#ECEFF3",
    dark=False,
)

PRESENT = Theme(
    name="bpdbg-present",
    primary="#002B55",
    secondary="#003F7F",
    accent="#D06000",
    warning="#8A4B00",
    error="#A0001A",
    success="#145C25",
    foreground="#000000",
    background="#FFFFFF",
    surface="#FFFFFF",
    panel="#E3E8EE",
    text_alpha=1.0,
    dark=False,
    variables={"text-muted": "#303030", "text-secondary": "#002B55"},
)
"""Presenter mode's: black on white, no translucent text, darker accents."""
