"""`bpdbg serve`: the debugger in a web browser, through textual-serve, on this computer unless told otherwise."""

from __future__ import annotations

import asyncio
import re
import socket
import sys
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner

import bpdbg.serve
from bpdbg.cli import main
from bpdbg.serve import WEB_EXTRA_HINT, is_loopback

STARTUP_TIMEOUT = 180.0  # seconds; far above an honest start on a busy machine, it only turns a hang into a failure
ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=$]*[ -/]*[@-~]|\][^\x07]*\x07)")


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["serve", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


async def screen_until(ws: aiohttp.ClientWebSocketResponse, *wanted: str) -> str:
    """The app's terminal output, as plain text, read until every one of `wanted` has been drawn."""
    text = ""
    async for message in ws:
        if message.type == aiohttp.WSMsgType.BINARY:
            text += ESCAPES.sub("", message.data.decode("utf-8", "replace"))
            if all(w in text for w in wanted):
                return text
    raise AssertionError(f"the app closed before drawing {wanted}: {text[-400:]!r}")


@pytest.mark.slow
async def test_a_browser_gets_the_page_and_the_debugger_draws_its_first_frame_and_steps(tmp_path: Path) -> None:
    port = free_loopback_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bpdbg", "serve", "two_neurons", "--port", str(port),
        cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert server.stdout is not None
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT):
            ready = await server.stdout.readline()  # printed once it listens
            assert ready.decode() == f"bpdbg: serving two_neurons on http://127.0.0.1:{port} (ctrl-c stops)\n"
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{port}/") as page:
                    assert page.status == 200
                    html = await page.text()
                assert f"ws://127.0.0.1:{port}/ws" in html and "<div>bpdbg: two_neurons</div>" in html
                async with session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=100&height=30") as ws:
                    # The first frame: every panel, and the chain rule of the first named step with its numbers.
                    await screen_until(ws, "Tape", "Chain rule", "Parameters", "z1 = w1·x + b1 = 0.3·0.5 + 0.1 = 0.25")
                    await ws.send_json(["stdin", "n"])  # a key typed in the browser steps the debugger
                    await screen_until(ws, "a1 = sigmoid(z1) = sigmoid(0.25) = 0.5622", "step 3/25")
    finally:
        server.terminate()
        await server.wait()
    assert server.returncode is not None


def test_it_refuses_a_port_already_taken_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, _, err = serve("two_neurons", "--port", str(port))
    assert status == 1
    assert err.startswith(f"bpdbg serve: cannot listen on 127.0.0.1:{port}: ") and err.count("\n") == 1


def test_without_the_web_extra_it_says_how_to_install_it_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)  # as if textual-serve were not installed
    assert serve("two_neurons") == (2, "", WEB_EXTRA_HINT + "\n")
    assert WEB_EXTRA_HINT == 'bpdbg serve needs the web extra: pip install "bpdbg[web]"'


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """Where the server would listen, without listening."""
    calls: list[tuple[object, ...]] = []
    monkeypatch.setattr(bpdbg.serve, "serve", lambda *args: calls.append(args))
    return calls


def test_it_listens_on_loopback_by_default_without_a_warning(served: list[tuple[object, ...]]) -> None:
    assert serve("two_neurons") == (0, "", "")
    scenario, host, port, public_url = served[0]
    assert (host, port, public_url) == ("127.0.0.1", 8000, None)
    assert isinstance(scenario, Path) and scenario.is_absolute() and scenario.name == "two_neurons.toml"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "lecture-hall.example"])
def test_beyond_loopback_it_warns_in_one_line_that_there_is_no_authentication(
    host: str, served: list[tuple[object, ...]]
) -> None:
    status, out, err = serve("two_neurons", "--host", host, "--port", "8080")
    assert (status, out) == (0, "") and served[0][1:3] == (host, 8080)
    shown = "[::]:8080" if host == "::" else f"{host}:8080"
    assert err == (
        f"bpdbg serve: listening on {shown}, beyond this computer, with no authentication: "
        "anyone who can reach it can use the debugger\n"
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.1.1", "localhost", "::1", "[::1]"])
def test_loopback_addresses_are_recognised(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["two_neurons", "--port", "0"], "bpdbg serve: Invalid value for '--port': 0 is not in the range 1<=x<=65535."),
        (
            ["two_neurons", "--port", "http"],
            "bpdbg serve: Invalid value for '--port': 'http' is not a valid integer range.",
        ),
        (["no_such"], "no_such:1:1: file: no such file, and no shipped scenario of that name"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_status_2(
    args: list[str], message: str, served: list[tuple[object, ...]]
) -> None:
    status, out, err = serve(*args)
    assert (status, out, served) == (2, "", [])
    assert err.count("\n") == 1 and err.startswith(message), err
