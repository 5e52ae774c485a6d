"""Where a panel scrolls to keep what a step is about in view: decided by the rows alone, never by
where the panel was before, so a step is shown scrolled the same way however it was reached."""

from __future__ import annotations

from textual.scroll_view import ScrollView


def centre_rows(panel: ScrollView, row: int, height: int, header: int = 0) -> None:
    """Scroll at once so that `height` rows from `row` sit in the middle of the panel, below its
    `header` rows that stay put; rows taller than the panel start at its top."""
    view = panel.scrollable_content_region.height - header
    top = max(0, row - max(view - height, 0) // 2)
    if panel.scroll_offset.y != top:
        panel.scroll_to(y=top, animate=False, immediate=True)
