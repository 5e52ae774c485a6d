"""bpdbg: a stepping debugger for backpropagation, in the terminal."""

__version__ = "0.1.0"  # the one place the version is written; pyproject.toml reads it from here
