"""`bpdbg serve`: the debugger in a web browser, through textual-serve (the `web` extra).

textual-serve starts one debugger process per browser tab, each running the ordinary
app with Textual's web driver, so the browser shows exactly what a terminal would.
It has no authentication: anyone who can reach the port drives a debugger, so it
listens on this computer only unless told otherwise, and says so when it is.
"""

from __future__ import annotations

import asyncio
import ipaddress
import shlex
import signal
import sys
from pathlib import Path

WEB_EXTRA_HINT = 'bpdbg serve needs the web extra: pip install "bpdbg[web]"'


class MissingExtra(RuntimeError):
    """textual-serve is not installed."""


def is_loopback(host: str) -> bool:
    """True for an address only this computer can reach: localhost, 127.0.0.0/8, ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def address(host: str, port: int) -> str:
    """host:port as a URL writes it: an IPv6 address in brackets, [::1]:8000."""
    return f"[{host.strip('[]')}]:{port}" if ":" in host else f"{host}:{port}"


def exposure_warning(host: str, port: int) -> str | None:
    """The one-line warning for listening beyond this computer; None on loopback."""
    if is_loopback(host):
        return None
    return (
        f"bpdbg serve: listening on {address(host, port)}, beyond this computer, with no authentication: "
        "anyone who can reach it can use the debugger"
    )


def app_command(scenario: Path) -> str:
    """The shell command textual-serve runs for each browser tab: this Python, this bpdbg, this scenario."""
    return shlex.join([sys.executable, "-m", "bpdbg", "open", "--served", str(scenario)])


def serve(scenario: Path, host: str, port: int, public_url: str | None) -> None:
    """Serve until interrupted. Raises MissingExtra without textual-serve, OSError if it cannot listen."""
    try:
        from textual_serve.server import Server
    except ImportError as error:
        raise MissingExtra(WEB_EXTRA_HINT) from error
    from aiohttp import web

    class Quiet(Server):
        """textual-serve's server, announcing itself once it listens (its own banner comes before)."""

        async def on_startup(self, app: web.Application) -> None:
            pass

        def serve(self, debug: bool = False) -> None:
            self.initialize_logging()
            loop = asyncio.new_event_loop()
            try:
                for signal_number in (signal.SIGINT, signal.SIGTERM):
                    loop.add_signal_handler(signal_number, self.request_exit)
                web.run_app(
                    self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop, print=self.ready
                )
            finally:
                loop.close()  # and with it the signal handlers, when it could not listen

        def ready(self, *_: object) -> None:
            print(f"bpdbg: serving {scenario.stem} on {self.public_url} (ctrl-c stops)", flush=True)

    public_url = public_url or f"http://{address(host, port)}"
    Quiet(app_command(scenario), host=host, port=port, title=f"bpdbg: {scenario.stem}", public_url=public_url).serve()
