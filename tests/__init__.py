"""The test suite. One BLAS thread per test process, set before NumPy is first imported.

pytest-xdist runs two test processes per core (tests/conftest.py); OpenBLAS would start a
thread per core in each of them, and on a busy machine its threads then wait on each other: a 1797×64 by 64×32 product
took 26 ms with two threads against 0.85 ms with one. Results are the same either way, as
OpenBLAS splits a product by output blocks.
"""

import os

for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")
