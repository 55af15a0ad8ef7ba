"""The page's access token: served beyond this machine, every request must carry it, as Jupyter's do.

``ruralsim ui --host ADDRESS`` with an address other than the loopback one serves the Solara app
through :class:`TokenGate`: a request is let in when it carries the token in the address
(``?token=...``, the link ``ruralsim ui`` prints), in an ``Authorization: token ...`` header, or in the
cookie the first such request sets (so the page's own requests and its WebSocket need nothing more).
Any other request is refused: ``403`` with a line saying what is missing, and a WebSocket is closed
before it opens. The token reaches the server in its environment (``RURALSIM_TOKEN``), never on its
command line, where other users of a shared machine could read it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

#: the environment variable that carries the token to the server
TOKEN_ENV = "RURALSIM_TOKEN"
COOKIE = "ruralsim_token"
REFUSED = (b"This ruralsim page needs its access token: open the link `ruralsim ui` printed when it started "
           b"(http://HOST:PORT/?token=...), or ask whoever started it.\n")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def cookie_value(token: str) -> str:
    """What the cookie holds: a digest of the token (the token itself never sits in the browser's cookie jar)."""
    return hmac.new(token.encode(), b"ruralsim page cookie", hashlib.sha256).hexdigest()


class TokenGate:
    """ASGI middleware that lets in only requests carrying the token (see the module docstring)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], token: str) -> None:
        """Guard ``app`` with ``token``."""
        self.app, self.token, self.cookie = app, token, cookie_value(token)

    def carried(self, scope: Scope) -> str | None:
        """How the request carries the token (``"query"``, ``"header"`` or ``"cookie"``), or None."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        if any(hmac.compare_digest(q, self.token) for q in query):
            return "query"
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "token" and hmac.compare_digest(value.strip(), self.token):
            return "header"
        jar = SimpleCookie()
        jar.load(headers.get("cookie", ""))
        if COOKIE in jar and hmac.compare_digest(jar[COOKIE].value, self.cookie):
            return "cookie"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass on requests that carry the token (setting the cookie when it came in the address); refuse others."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        how = self.carried(scope)
        if how is None:
            await self.refuse(scope, receive, send)
            return
        if how == "query" and scope["type"] == "http":
            send = self.setting_cookie(send)
        await self.app(scope, receive, send)

    def setting_cookie(self, send: Send) -> Send:
        """``send`` that adds the token's cookie to the response's headers."""
        header = f"{COOKIE}={self.cookie}; Path=/; HttpOnly; SameSite=Lax".encode()

        async def send_with_cookie(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"set-cookie", header)]
            await send(message)

        return send_with_cookie

    @staticmethod
    async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
        """403 with a line saying what is missing; a WebSocket is closed before it is accepted."""
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(REFUSED)).encode())]})
        await send({"type": "http.response.body", "body": REFUSED})


def create_app() -> TokenGate:
    """The Solara app of ``SOLARA_APP`` behind the token of ``RURALSIM_TOKEN`` (uvicorn's ``--factory``)."""
    from solara.server.starlette import app  # builds Solara's server app: only when uvicorn asks for it

    return TokenGate(app, os.environ[TOKEN_ENV])
