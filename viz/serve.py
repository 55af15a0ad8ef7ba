"""Serve the browser page: ``ruralsim ui`` runs Solara's server on :mod:`viz.app`, offline."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

#: the Solara app file
APP = Path(__file__).with_name("app.py")
#: Debian's Chromium for the browser tests and the UI benchmark (Playwright cannot download one offline)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(host: str = "127.0.0.1", port: int = 8765) -> list[str]:
    """The command line that serves the app (production mode, no browser opened, no version check)."""
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port", str(port),
            "--production", "--no-open", "--no-check-version"]


def environment(results: str | None = None) -> dict[str, str]:
    """The server's environment: telemetry off, no Solara banner over the figures, the folder of results."""
    env = os.environ | {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_THEME_SHOW_BANNER": "False"}
    if results is not None:
        env["RURALSIM_RESULTS"] = str(results)
    return env


def ui(
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only; "
                                           "0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
    results: Annotated[str, typer.Option(help="Folder the experiments page searches for results "
                                              "(written by `ruralsim experiment`).")] = "results",
) -> None:
    """Open the simulator in the browser: serve the Solara page at http://HOST:PORT (Ctrl-C stops it).

    The page runs offline (no CDN); parameters, presets, Step/Play/Reset, the village map and time
    series on the first tab, experiment results on the second.
    """
    print(f"ruralsim page at http://{host}:{port} (experiments from {results}/); Ctrl-C stops it", flush=True)
    cmd, env = command(host, port), environment(results)
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)  # become the server, so that signals (Ctrl-C, kill) reach it directly
    try:
        code = subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        code = 0
    if code:
        raise SystemExit(code)


if __name__ == "__main__":
    ui()
