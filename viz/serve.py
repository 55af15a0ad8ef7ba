"""Serve the browser page: ``ruralsim ui`` runs Solara's server on :mod:`viz.app`, offline.

On the loopback address (the default) the page is served as ``solara run`` serves it. On any other
address (a shared server, a cluster's login node) every request must carry an access token, as
Jupyter's do (:mod:`viz.gate`): one is made and printed at start, or given with ``--token`` (or
``RURALSIM_TOKEN``). The options are checked before the server starts: the port is a whole number
from 1 to 65535 that nothing listens on, the host an address of this machine.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from abm.io.inputs import ScenarioError
from viz.gate import TOKEN_ENV

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


def command(host: str = "127.0.0.1", port: int = 8765, gated: bool = False) -> list[str]:
    """The command line that serves the app: ``solara run`` (production mode, no browser opened, no version
    check), or with ``gated`` uvicorn serving Solara's app behind the token gate (:mod:`viz.gate`)."""
    if gated:
        return [sys.executable, "-m", "uvicorn", "viz.gate:create_app", "--factory", "--host", host, "--port",
                str(port), "--log-level", "warning", "--no-access-log"]
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port", str(port),
            "--production", "--no-open", "--no-check-version"]


def environment(results: str | None = None, token: str | None = None) -> dict[str, str]:
    """The server's environment: telemetry off, no Solara banner over the figures, the folder of results
    (and, for the gated server, the app file and the token)."""
    env = os.environ | {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_THEME_SHOW_BANNER": "False"}
    if results is not None:
        env["RURALSIM_RESULTS"] = str(results)
    if token is not None:
        env |= {"SOLARA_APP": str(APP), TOKEN_ENV: token}
    return env


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1 or localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_listen(host: str, port: int) -> None:
    """Refuse, before the server starts, a host that is not an address of this machine or a port in use.

    Raises:
        ScenarioError: Naming ``--host`` or ``--port``, the value, why, and what is allowed (a free port nearby).
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as err:
        raise ScenarioError(f"--host = {host!r}: not an address or name this machine can resolve ({err}); "
                            "allowed: 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or an address "
                            "of this machine") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise ScenarioError(f"--port = {port}: in use on {host} (another server listens there); allowed: "
                                    f"a free port{_free_port_hint(host, port)}") from None
            raise ScenarioError(f"--host = {host}: cannot listen there ({err.strerror}); allowed: 127.0.0.1, "
                                "0.0.0.0 or an address of this machine") from None


def _free_port_hint(host: str, port: int) -> str:
    """``, e.g. --port N`` for the next free port after ``port`` on ``host`` (empty if none of the next 50)."""
    for candidate in range(port + 1, min(port + 51, 65536)):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host, candidate))
            except OSError:
                continue
            return f", e.g. --port {candidate}"
    return ""


def choose_token(host: str, token: str | None) -> str | None:
    """The access token: the one given, a new one for a host beyond this machine, or None (loopback, none given)."""
    if token is None and not is_loopback(host):
        token = secrets.token_urlsafe(32)
    return token


def page_address(host: str, port: int, token: str | None) -> str:
    """The link to print: the machine's name for a wildcard host, and the token in the query when there is one."""
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def ui(host: str = "127.0.0.1", port: int = 8765, results: str = "results", token: str | None = None) -> None:
    """Open the simulator in the browser: serve the Solara page at http://HOST:PORT (Ctrl-C stops it).

    The page runs offline (no CDN); parameters, presets, Step/Play/Reset, the village map and time
    series on the first tab, experiment results on the second. Served beyond this machine, it needs
    the printed token.
    """
    token = choose_token(host, token)
    check_listen(host, port)
    print(f"ruralsim page at {page_address(host, port, token)} (experiments from {results}/); Ctrl-C stops it",
          flush=True)
    if token is not None:
        print("every request needs the token: open the link above (it sets a cookie), or send the header "
              "'Authorization: token ...'", flush=True)
    cmd, env = command(host, port, gated=token is not None), environment(results, token)
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
