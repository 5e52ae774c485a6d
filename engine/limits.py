"""Every size limit of a scenario, in one place: what the loader, compiler and trainer refuse.

Each limit keeps one scenario from exhausting memory, time or Python's recursion;
the README's section on errors and limits names them all.
"""

# Files
MAX_FILE_BYTES = 1_000_000  # a scenario file
MAX_DATA_FILE_BYTES = 64_000_000  # a CSV, .npy or .npz file of [data]
MAX_FORMAT_LENGTH = 10_000  # characters in one [[log]] format

# Expressions
MAX_LENGTH = 2000  # characters in one expression
MAX_DEPTH = 64  # parentheses, calls and signs inside one another
MAX_TREE_DEPTH = 200  # operations inside one another, e.g. a long chain a + b + c + …
MAX_EXPONENT = 64  # the size of the constant exponent of **

# Values
MAX_ELEMENTS = 2_000_000  # per data array, parameter or computed value
MAX_TAPE_ELEMENTS = 32_000_000  # all the values of one iteration together (256 MiB)

# Training
MAX_EPOCHS = 1_000_000

# Showing
MAX_PATHS = 16  # paths of a parameter's chain rule listed one by one; the rest are counted
CHECKPOINT_BYTES = 256 * 2**20  # parameters kept every k-th epoch, k chosen to fit (`--memory` sets it)
MEMORY_RANGE = (2**20, 2**40)  # what `--memory` accepts: 1 MiB to 1 TiB
RECENT_ROW_BYTES = 32 * 2**20  # rows found by training on from a checkpoint, kept for the next look back
MAX_STACK_BYTES = 16 * 2**20  # what one breakpoint reads over a chunk of epochs, kept to evaluate at once
MAX_RECORD_CACHE_BYTES = 64 * 2**20  # replayed epochs the debugger keeps at hand (always at least one)
FIGURE_ELEMENTS = 4_000_000  # numbers one pass of a figure's grid evaluation may hold (its points come in chunks)
FIGURE_GRID = 41  # grid points along each axis of a loss surface, fewer when the model is large


_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNITS |= {"k": 2**10, "kib": 2**10, "m": 2**20, "mib": 2**20, "g": 2**30, "gib": 2**30, "tib": 2**40}


def parse_memory(text: str) -> int:
    """A memory budget as a person writes it (`64MB`, `512 MiB`, `1.5G`), in bytes; ValueError says why not.

    KB, MB, GB are powers of 1000, KiB, MiB, GiB (and K, M, G) powers of 1024; a bare number is bytes.
    """
    number = text.strip().rstrip("bBiIkKmMgGtT ")
    unit = text.strip()[len(number) :].strip().lower()
    try:
        value = float(number)
    except ValueError:
        value = float("nan")
    if unit not in _UNITS or not value == value or value == float("inf"):  # nan, inf, or an unknown unit
        raise ValueError(f"{text!r} is not a size: write it like 64MB, 512MiB or 1GB")
    size = int(value * _UNITS[unit])
    low, high = MEMORY_RANGE
    if not low <= size <= high:
        raise ValueError(f"{text!r} is outside 1 MiB to 1 TiB")
    return size


def memory_text(size: float) -> str:
    """A number of bytes as a person reads it, in 1024s: 256 MiB, 74.5 GiB, 1 TiB."""
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size:.0f} bytes"
