"""Security headers on every response.

The pages load scripts, styles and images from this server only and run no inline script, so
the Content-Security-Policy allows ``'self'`` and nothing else for scripts (no
``'unsafe-inline'``, no ``'unsafe-eval'``). Styles may be inline (``style=`` attributes size the
coverage bars and indent the statute tree). ``/docs`` (Swagger UI) starts with one inline
script: its route sends its own policy naming that script's hash (:func:`content_security_policy`
with ``scripts``), which this middleware leaves as it is. Framing is refused
(``frame-ancestors``, ``PLANTRACE_FRAME_ANCESTORS``; ``X-Frame-Options: DENY`` while it is
``'none'``), and ``Strict-Transport-Security`` is sent when the service is told it is served
over HTTPS (``PLANTRACE_BASE_URL`` starting with ``https://``).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from api.middleware.asgi import ASGIApp, Message, Receive, Scope, Send

PERMISSIONS = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), publickey-credentials-get=(), screen-wake-lock=(), usb=(), xr-spatial-tracking=()"
)
"""Every powerful browser feature off: the pages use none."""

HSTS = "max-age=31536000; includeSubDomains"


def script_hash(script: str) -> str:
    """The CSP source expression allowing exactly this inline script (CSP Level 3, 8.4)."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def content_security_policy(frame_ancestors: str, scripts: Iterable[str] = ()) -> str:
    """The policy of the service; ``scripts`` are inline scripts a page is allowed to run."""
    script_src = " ".join(["'self'", *(script_hash(s) for s in scripts)])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script_src}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


class SecurityHeaders:
    """Add the security headers to every HTTP response that does not carry them already."""

    def __init__(self, app: ASGIApp, frame_ancestors: str, https: bool) -> None:
        self.app = app
        headers = {
            b"content-security-policy": content_security_policy(frame_ancestors),
            b"x-content-type-options": "nosniff",
            b"referrer-policy": "no-referrer",
            b"permissions-policy": PERMISSIONS,
            b"cross-origin-opener-policy": "same-origin",
        }
        if frame_ancestors.strip() == "'none'":
            headers[b"x-frame-options"] = "DENY"
        if https:
            headers[b"strict-transport-security"] = HSTS
        self.headers = [(k, v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
