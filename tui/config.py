"""Where bpdbg keeps what a user sets up once: saved sessions and a keymap.

The folder is the platform's config folder for bpdbg (platformdirs), unless BPDBG_CONFIG_DIR
names another, which is how tests keep away from the user's real one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from platformdirs import user_config_path

CONFIG_ENV = "BPDBG_CONFIG_DIR"


def config_dir() -> Path:
    """The folder, which may not exist yet: it is made on the first write."""
    override = os.environ.get(CONFIG_ENV)
    return Path(override) if override else user_config_path("bpdbg", appauthor=False)


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`: a reader, or a crash
    half way, never sees half a file. Raises OSError; the temporary file is removed on failure."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
