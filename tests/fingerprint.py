"""Every bit of an array in one line: the SHA-256 of its bytes, as the pinned reference values give it."""

from __future__ import annotations

import hashlib

import numpy as np


def sha256(a: np.ndarray) -> str:
    return hashlib.sha256(a.tobytes()).hexdigest()
