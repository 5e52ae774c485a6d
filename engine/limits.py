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
CHECKPOINT_BYTES = 256 * 2**20  # parameters kept every k-th epoch, k chosen to fit (unless told otherwise)
RECENT_ROW_BYTES = 32 * 2**20  # rows found by training on from a checkpoint, kept for the next look back
MAX_RECORD_CACHE_BYTES = 64 * 2**20  # replayed epochs the debugger keeps at hand (always at least one)
FIGURE_ELEMENTS = 4_000_000  # numbers one pass of a figure's grid evaluation may hold (its points come in chunks)
FIGURE_GRID = 41  # grid points along each axis of a loss surface, fewer when the model is large
