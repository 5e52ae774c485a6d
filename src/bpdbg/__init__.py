"""bpdbg: a stepping debugger for backpropagation, in the terminal."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bpdbg")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
