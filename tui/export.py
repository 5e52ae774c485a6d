"""`S`: the epoch on screen, its whole derivation, written to a Markdown file in the working folder.

Deriving an epoch replays it step by step (a third of a second for the digits network),
so it runs in a worker, which holds the trainer until it posts what became of the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.message import Message

from bpdbg.engine.messages import one_line
from bpdbg.engine.trainer import Trainer
from bpdbg.export.files import write_whole
from bpdbg.tui.screens.debugger_part import DebuggerPart


@dataclass(eq=False)
class EpochExported(Message):
    """The worker has let go of the trainer; `note` says where the file went, or why it did not."""

    note: str


def export_path(folder: Path, scenario: str, epoch: int) -> Path:
    return folder / f"{scenario}-epoch-{epoch}.md"


def write_epoch(trainer: Trainer, epoch: int, folder: Path) -> str:
    """Write the epoch's derivation; the status bar's one line about it, whatever happened."""
    from bpdbg.export.documents import epoch_document  # the exporters load on the first `S`, not at start

    path = export_path(folder, trainer.program.scenario.name, epoch)
    try:
        write_whole(path, [epoch_document(trainer, epoch, "md")])
    except OSError as error:
        return f"cannot export epoch {epoch} to {path.name}: {error.strerror or one_line(error)} (in {path.parent})"
    except Exception as error:  # the engine's fault is a message; the app stays up
        return f"cannot export epoch {epoch}: {one_line(error)}"
    return f"epoch {epoch} exported to {path.name} (in {path.parent})"


class ExportsTheEpoch(DebuggerPart):
    """The debugger screen's `S`; it refuses while another worker holds the trainer (keys.MOVES_CURSOR)."""

    export_folder: Path | None = None  # where `S` writes; the working folder when None

    def action_export_epoch(self) -> None:
        self.pause()
        epoch = self.cursor.position.epoch
        self.busy = f"exporting epoch {epoch}…"
        self.show(snapshot=False)
        self._export(self.cursor.trainer, epoch, self.export_folder or Path.cwd())

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def _export(self, trainer: Trainer, epoch: int, folder: Path) -> None:
        """The only code that touches the trainer until it posts EpochExported."""
        self.post_message(EpochExported(write_epoch(trainer, epoch, folder)))

    @on(EpochExported)
    def _exported(self, message: EpochExported) -> None:
        self.busy = None
        self.notice = message.note
        self.show(snapshot=False)
