"""The page lets in only whom it should: on 127.0.0.1 as before, beyond this machine only with its token.

``ruralsim ui --host 0.0.0.0`` is started as a user starts it; the link it prints carries a new token. A
request without the token (or with another) is refused with a line saying what is missing, a WebSocket
too; with the token in the link, in a header, or in the cookie the link sets, the page works, in Chromium
as well.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.viz.conftest import ROOT
from viz.gate import COOKIE, TOKEN_ENV
from viz.serve import free_port

TIMEOUT_MS = 60_000


def outside_address() -> str:
    """An address of this machine other than the loopback one (the loopback one where there is no other)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # a documentation address: nothing is sent, the route picks the interface
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, list[str], str]:
    """Status, cookies set and body of a GET (an HTTP error's too)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers.get_all("set-cookie") or [], answer.read().decode(errors="replace")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get_all("set-cookie") or [], err.read().decode(errors="replace")


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, list[str]]]:
    """``ruralsim ui --host 0.0.0.0`` as a user runs it: the page's address here, its token, the lines it printed."""
    port = free_port()
    folder = tmp_path_factory.mktemp("gated")
    proc = subprocess.Popen([sys.executable, "-m", "experiments.cli.app", "ui", "--host", "0.0.0.0", "--port",
                             str(port), "--results", str(folder)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True, env={k: v for k, v in os.environ.items() if k != TOKEN_ENV})
    printed = [proc.stdout.readline(), proc.stdout.readline()]
    token = re.search(r"\?token=([A-Za-z0-9_-]+)", printed[0]).group(1)
    base = f"http://{outside_address()}:{port}"
    deadline = time.monotonic() + 120
    try:
        while not (_listening(port) and get(f"{base}/?token={token}")[0] == 200):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read()
            time.sleep(0.5)
        yield base, token, printed
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _listening(port: int) -> bool:
    """Whether something accepts connections on ``port`` of this machine."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_the_printed_link_carries_a_new_token_and_says_why(gated) -> None:
    _, token, printed = gated
    assert re.match(rf"ruralsim page at http://{re.escape(socket.gethostname())}:\d+/\?token={token} ", printed[0])
    assert len(token) >= 40 and printed[1].startswith("every request needs the token")


def test_requests_without_the_token_are_refused_saying_what_is_missing(gated) -> None:
    base, token, _ = gated
    for url, headers in [(f"{base}/", {}), (f"{base}/?token=wrong{token}", {}), (f"{base}/experiments", {}),
                         (f"{base}/static/favicon.png", {}), (f"{base}/", {"Authorization": "token nope"}),
                         (f"{base}/", {"Cookie": f"{COOKIE}={token}"})]:  # the cookie holds a digest, not the token
        status, _, body = get(url, headers)
        assert status == 403 and body.startswith("This ruralsim page needs its access token"), (url, status)


def test_a_websocket_without_the_token_is_closed_before_it_opens(gated) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    base, _, _ = gated
    with pytest.raises(InvalidStatus, match="403"):
        connect(base.replace("http", "ws") + "/jupyter/api/kernels/x/channels", open_timeout=30)


def test_the_token_lets_in_by_link_header_and_the_cookie_it_sets(gated) -> None:
    base, token, _ = gated
    status, cookies, body = get(f"{base}/?token={token}")
    assert status == 200 and "solara" in body.lower()
    cookie = re.search(rf"{COOKIE}=([0-9a-f]+);", " ".join(cookies)).group(1)
    assert token not in cookie
    assert get(f"{base}/", {"Cookie": f"{COOKIE}={cookie}"})[0] == 200
    assert get(f"{base}/", {"Authorization": f"token {token}"})[0] == 200


def test_the_page_works_in_chromium_from_the_link(gated, browser: Browser, browser_context_args: dict,
                                                  screenshots: Path) -> None:
    base, token, _ = gated
    context = browser.new_context(**browser_context_args)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        page.goto(f"{base}/?token={token}")
        expect(page.locator(".ruralsim-summary")).to_contain_text("month", timeout=TIMEOUT_MS)
        page.get_by_role("button", name="Step", exact=True).click()  # the WebSocket carries the click and the answer
        expect(page.locator(".ruralsim-summary")).to_contain_text("1 (last simulated", timeout=TIMEOUT_MS)
        page.screenshot(path=screenshots / "12_page_with_token.png")
        refused = context.browser.new_context(**browser_context_args).new_page()
        refused.goto(f"{base}/")
        expect(refused.locator("body")).to_contain_text("needs its access token")
    finally:
        context.close()


def test_ui_on_loopback_serves_as_before_and_elsewhere_behind_the_token(monkeypatch) -> None:
    """The command each case starts: solara as before on 127.0.0.1; the gate with the token (in the environment,
    not on the command line) elsewhere, the user's own token when given."""
    from tests.experiments.exphelpers import invoke
    from viz import serve

    started: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(serve.os, "execve", lambda path, cmd, env: started.append((cmd, env)))
    monkeypatch.setattr(serve.subprocess, "call", lambda cmd, env: 0)  # where execve would not have returned
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    for args in (["--port", str(free_port())], ["--host", "0.0.0.0", "--port", str(free_port())],
                 ["--host", "0.0.0.0", "--port", str(free_port()), "--token", "my-own-token-0123456789"]):
        code, out, err = invoke("ui", *args)
        assert code == 0, err
    (local, local_env), (gated_cmd, gated_env), (own_cmd, own_env) = started
    assert local[1:4] == ["-m", "solara", "run"] and TOKEN_ENV not in local_env
    assert gated_cmd[1:4] == ["-m", "uvicorn", "viz.gate:create_app"] and len(gated_env[TOKEN_ENV]) >= 40
    assert own_env[TOKEN_ENV] == "my-own-token-0123456789" and not any("0123456789" in w for w in own_cmd)
