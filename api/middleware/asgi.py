"""The ASGI types the middleware is written against (ASGI 3.0, ``scope`` / ``receive`` /
``send``), and small helpers over them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def header(scope: Scope, name: bytes) -> str | None:
    """The value of request header ``name`` (lower case), if sent."""
    for key, value in scope.get("headers") or ():
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


def state(scope: Scope) -> dict[str, Any]:
    """The request's state (``request.state`` of a route): how routes tell the middleware what
    they learnt (the query's hash and form, a time limit hit)."""
    found: dict[str, Any] = scope.setdefault("state", {})
    return found
